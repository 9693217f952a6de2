import type { MiddlewareHandler } from 'hono'
import type { Clock } from '../../lib/clock.js'
import type { Logger } from '../../lib/logger.js'
import type { AppEnv } from '../env.js'

/** One JSON line per request; never headers or bodies, which carry tokens and passwords. */
export const accessLog =
  (logger: Logger, clock: Clock): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const start = clock.now()
    await next()
    logger.info('request', {
      requestId: c.var.requestId,
      address: c.var.clientAddress,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: clock.now() - start,
    })
  }
