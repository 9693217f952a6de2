import type { Logger } from '../../lib/logger.js'

/** How long in-flight requests get to finish after SIGTERM or SIGINT. */
export const DRAIN_BOUND_MS = 10_000

/**
 * The one shutdown every server entry uses: on SIGTERM or SIGINT, `drain` stops accepting and
 * resolves once the requests in flight are answered; `release` closes what the server held (the
 * database pool). Exit 0 then; exit 1 only when the drain bound passes first, and the log says so.
 */
export const onShutdown = ({
  logger,
  drain,
  release,
  boundMs = DRAIN_BOUND_MS,
}: {
  logger: Logger
  drain: () => Promise<void>
  release: () => Promise<void>
  boundMs?: number
}): void => {
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down', { signal })
    const force = setTimeout(() => {
      logger.error('requests still in flight at the drain bound: exiting anyway', { boundMs })
      process.exit(1)
    }, boundMs)
    force.unref()
    drain()
      .then(release)
      .then(
        () => process.exit(0),
        (e: Error) => {
          logger.error('shutdown failed', { error: e.name, message: e.message })
          process.exit(1)
        },
      )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
