export interface Progress {
  update(done: number): void
  done(): void
}

const silent: Progress = { update() {}, done() {} }

/** A one-line bar on a terminal only; redirected output stays clean. */
export const createProgress = (stream: NodeJS.WriteStream, total: number, label: string): Progress => {
  if (!stream.isTTY || total === 0) return silent
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
