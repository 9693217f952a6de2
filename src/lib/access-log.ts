import type { Context, Env, MiddlewareHandler } from 'hono'
import type { RequestIdVariables } from 'hono/request-id'
import type { Clock } from './clock.js'
import type { Logger } from './logger.js'

/**
 * The path as it may be logged: a calendar feed's URL is its credential (calendar apps cannot send
 * a header), so `/calendar/<secret>.ics` is written without the secret.
 */
export const loggedPath = (path: string): string =>
  path.startsWith('/calendar/') ? '/calendar/[secret]' : path

/** The access line's fields, in their order, wherever a request is answered. */
export const requestLine = (requestId: string, method: string, path: string, status: number, ms: number) => ({
  requestId,
  method,
  path: loggedPath(path),
  status,
  ms,
})

/**
 * One JSON line per request; never headers or bodies, which carry tokens and passwords. `extra`
 * adds fields read after the handler ran (the gateway adds the key name and the namespace).
 */
export const accessLog = <E extends Env & { Variables: RequestIdVariables }>(
  logger: Logger,
  clock: Clock,
  extra?: (c: Context<E>) => Record<string, unknown>,
): MiddlewareHandler<E> =>
  // At LOG_LEVEL=warn and above the line is never written: cost nothing per request then.
  !logger.enabled('info')
    ? (_c, next) => next()
    : async (c, next) => {
        const start = clock.now()
        await next()
        logger.info('request', {
          ...requestLine(c.var.requestId, c.req.method, c.req.path, c.res.status, clock.now() - start),
          ...extra?.(c),
        })
      }
