import type { Context, MiddlewareHandler } from 'hono'
import { clientAddress, type TrustProxy } from '../../lib/address.js'
import type { AppEnv } from '../env.js'

/** How a runtime names the peer of a request (getConnInfo on Node and Bun, CF-Connecting-IP on Workers). */
export type PeerAddress = (c: Context) => string | undefined

/** Sets `c.var.clientAddress` once per request, for the login throttle and the access log. */
export const resolveClientAddress =
  (peerAddress: PeerAddress, trust: TrustProxy): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.set('clientAddress', clientAddress(peerAddress(c) ?? 'unknown', c.req.header('X-Forwarded-For'), trust))
    await next()
  }
