const watched = new WeakSet<NodeJS.WriteStream>()
const closed = new WeakSet<NodeJS.WriteStream>()

/**
 * A write to stdout or stderr whose reader is gone (`node dist/entry/node.js | head -1`, a log
 * shipper that restarted, a closed terminal) fails with EPIPE, emitted as an 'error' event on the
 * stream: with no listener it kills the server with a stack trace. Listening here, the server goes
 * on serving; the lines it would have printed there are dropped (no one could read them), and the
 * other stream, when it still has a reader, says so once.
 */
export const surviveClosedStdio = (): void => {
  for (const [stream, other] of [
    [process.stdout, process.stderr],
    [process.stderr, process.stdout],
  ] as const) {
    if (watched.has(stream)) continue
    watched.add(stream)
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (closed.has(stream)) return
      closed.add(stream)
      if (closed.has(other)) return
      const name = stream === process.stdout ? 'stdout' : 'stderr'
      // One JSON line, as the logger writes: its lines on this stream are dropped from now on.
      other.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: `${name} is closed: its log lines are dropped`, error: e.code ?? e.message })}\n`,
      )
    })
  }
}
