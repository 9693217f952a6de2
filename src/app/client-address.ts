import type { Context } from 'hono'
import { clientAddress, type TrustProxy } from '../lib/address.js'

/**
 * How a runtime names the peer of a request, from the request and what the runtime hands `fetch`
 * beside it (the socket on Node, the address Bun saw, CF-Connecting-IP on Workers): no Hono
 * context, so the short way (app/shortcuts.ts) asks it too.
 */
export type PeerAddress = (request: Request, env: unknown) => string | undefined

/**
 * The client's address of a request, TRUST_PROXY applied. Asked for where it is used (a login, an
 * access line), not worked out for every request: most requests read a schedule and need neither.
 */
export const clientAddressOf =
  (peerAddress: PeerAddress, trust: TrustProxy) =>
  (request: Request, env: unknown): string =>
    clientAddress(
      peerAddress(request, env) ?? 'unknown',
      request.headers.get('X-Forwarded-For') ?? undefined,
      trust,
    )

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
    if (!trustedPeer(peerAddress(c.req.raw, c.env) ?? 'unknown', trust)) return own.origin
    const proto = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase()
    const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim() ?? c.req.header('Host')
    const scheme = proto === 'http' || proto === 'https' ? proto : own.protocol.slice(0, -1)
    return `${scheme}://${host !== undefined && HOST.test(host) ? host : own.host}`
  }
