export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** Whether a line at this level is written: callers skip building fields that would be dropped. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/** JSON lines on a writer of the caller's choice; runtimes differ in what "stdout" is. */
export const createJsonLogger = (
  level: LogLevel,
  write: (line: string) => void = (line) => console.log(line),
  now: () => number = Date.now,
): Logger => {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (msg: string, fields?: LogFields): void => {
      if (rank[lvl] < rank[level]) return
      const line = JSON.stringify({ time: new Date(now()).toISOString(), level: lvl, msg, ...fields })
      try {
        write(line)
      } catch {
        // A line that cannot be written (its stream gone) is dropped: it never fails a request or the
        // process. A pipe closed under Node fails later, as the stream's 'error' event, which the
        // runtime listens to (src/runtime/node/stdio.ts).
      }
    }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    enabled: (lvl) => rank[lvl] >= rank[level],
  }
}

export const silentLogger: Logger = createJsonLogger('silent')
