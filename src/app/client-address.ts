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

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/

/** Whether the peer itself is a proxy TRUST_PROXY trusts (so its X-Forwarded-* headers are its word). */
const trustedPeer = (peer: string, trust: TrustProxy): boolean =>
  trust !== null && ('hops' in trust ? trust.hops >= 1 : trust.trusted(peer))

/**
 * The origin a client reached this server at, for URLs the API hands out (a calendar feed's):
 * `X-Forwarded-Proto` and `X-Forwarded-Host` only when the peer is a proxy TRUST_PROXY trusts,
 * else the request's own URL. A client cannot choose another host by sending a header.
 */
export const publicOriginOf =
  (peerAddress: PeerAddress, trust: TrustProxy) =>
  (c: Context): string => {
    const own = new URL(c.req.url)
    if (!trustedPeer(peerAddress(c) ?? 'unknown', trust)) return own.origin
    const proto = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase()
    const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim() ?? c.req.header('Host')
    const scheme = proto === 'http' || proto === 'https' ? proto : own.protocol.slice(0, -1)
    return `${scheme}://${host !== undefined && HOST.test(host) ? host : own.host}`
  }
