import type { Logger } from '../../lib/logger.js'
import type { Grace } from './connection.js'

/** How long in-flight requests get to finish after the grace (SHUTDOWN_GRACE_MS) has passed. */
export const DRAIN_BOUND_MS = 10_000

/**
 * The one shutdown every server entry uses. On SIGTERM or SIGINT: first the grace (`graceMs`),
 * during which the server still accepts and answers, `/readyz` answers 503 and every answer says
 * `Connection: close` (./connection.ts), so keep-alive clients leave on their own; then `drain`
 * stops accepting, closes idle connections and resolves once the requests in flight are answered;
 * `release` closes what the server held (the database pool). Exit 0 then; exit 1 only when the
 * drain bound passes first, and the log says so.
 *
 * Before the grace, every idle keep-alive connection was closed at once, and a client's next
 * request on it got ECONNRESET (6 of 6; behind nginx's upstream keepalive, 502s on every restart).
 */
export const onShutdown = ({
  logger,
  grace,
  graceMs = 0,
  drain,
  release,
  boundMs = DRAIN_BOUND_MS,
}: {
  logger: Logger
  /** Set to draining when the signal comes. */
  grace?: Grace
  graceMs?: number
  drain: () => Promise<void>
  release: () => Promise<void>
  boundMs?: number
}): void => {
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    if (grace) grace.draining = true
    logger.info('shutting down', { signal, graceMs })
    const force = setTimeout(() => {
      logger.error('requests still in flight at the drain bound: exiting anyway', { boundMs })
      process.exit(1)
    }, graceMs + boundMs)
    force.unref()
    new Promise<void>((resolve) => setTimeout(resolve, graceMs))
      .then(drain)
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
