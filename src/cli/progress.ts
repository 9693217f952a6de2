export interface Progress {
  update(done: number): void
  done(): void
}

const silent: Progress = { update() {}, done() {} }

/** How often a line is written when stderr is not a terminal (a log, a CI job). */
const LINE_EVERY_MS = 3000

/** Off a terminal: a plain line every few seconds, so a long run in a log shows it is alive. */
const lines = (stream: NodeJS.WriteStream, total: number, label: string): Progress => {
  let last = Date.now()
  return {
    update(done) {
      const now = Date.now()
      if (done >= total || now - last < LINE_EVERY_MS) return
      last = now
      stream.write(`${label}: ${done} of ${total}\n`)
    },
    done() {},
  }
}

/** A one-line bar on a terminal; elsewhere a line every few seconds, on the stream given (stderr). */
export const createProgress = (stream: NodeJS.WriteStream, total: number, label: string): Progress => {
  if (total === 0) return silent
  if (!stream.isTTY) return lines(stream, total, label)
  let last = 0
  const draw = (done: number) => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30))
    const filled = Math.round((done / total) * width)
    const percent = String(Math.floor((done / total) * 100)).padStart(3)
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${done}/${total}`,
    )
  }
  return {
    update(done) {
      const now = Date.now()
      if (done < total && now - last < 100) return
      last = now
      draw(done)
    },
    done() {
      stream.write('\r\u001b[2K')
    },
  }
}
