import { connect } from 'node:net'

export interface RawOptions {
  /** Written 100 ms after `head` (a body that arrives late). */
  rest?: string
  /** Written at once after `head`, then the write side is closed. */
  end?: Buffer | string
  /** The socket is destroyed this long after it opens (a client that leaves mid-body). */
  destroyAfterMs?: number
  /** Destroyed at the latest after this long, answered or not. */
  giveUpMs?: number
}

/**
 * Bytes on a fresh loopback socket, exactly as written (what fetch cannot send: a broken chunk size,
 * a body cut off, a body written whole before any answer); resolves with all it read once closed.
 */
export const rawExchange = (port: number, head: string, opts: RawOptions = {}) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.on('data', (d) => {
      got += d.toString()
    })
    socket.on('error', () => resolve(got))
    socket.on('close', () => resolve(got))
    socket.write(head)
    if (opts.end !== undefined) socket.end(opts.end)
    const { rest } = opts
    if (rest) setTimeout(() => socket.write(rest), 100).unref()
    if (opts.destroyAfterMs) setTimeout(() => socket.destroy(), opts.destroyAfterMs).unref()
    setTimeout(() => socket.destroy(), opts.giveUpMs ?? 5000).unref()
  })
