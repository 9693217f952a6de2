import type { Context } from 'hono'
import { clientAddress, type TrustProxy } from '../lib/address.js'

/** How a runtime names the peer of a request (getConnInfo on Node and Bun, CF-Connecting-IP on Workers). */
export type PeerAddress = (c: Context) => string | undefined

/**
 * The client's address of a request, TRUST_PROXY applied. Asked for where it is used (a login, an
 * access line), not worked out for every request: most requests read a schedule and need neither.
 */
export const clientAddressOf =
  (peerAddress: PeerAddress, trust: TrustProxy) =>
  (c: Context): string =>
    clientAddress(peerAddress(c) ?? 'unknown', c.req.header('X-Forwarded-For'), trust)
