import { createJsonLogger, type Logger, type LogLevel } from './logger.js'

/**
 * JSON lines through the console method of each level, for runtimes (workerd) whose log tooling
 * filters and colours by that method: an error logged with console.log would pass as info.
 */
export const createConsoleLogger = (level: LogLevel): Logger => {
  const via = (write: (line: string) => void) => createJsonLogger(level, write)
  return {
    debug: via((l) => console.debug(l)).debug,
    info: via((l) => console.info(l)).info,
    warn: via((l) => console.warn(l)).warn,
    error: via((l) => console.error(l)).error,
    enabled: via(() => {}).enabled,
  }
}
