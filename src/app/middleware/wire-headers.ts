import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.js'
import { ANSWERED, type HeaderRecord, WIRE_HEADERS, type WireHeaders } from '../responses.js'

const ALLOW_HEADERS = 'Content-Type,Authorization'
const ALLOW_METHODS = 'GET,PUT,POST,DELETE,OPTIONS'

/**
 * The headers of every answer but a preflight, with its id. The old service added the two CORS
 * headers to every response in an after_request hook (browser clients depend on them on errors
 * too); the others are what Hono's `secureHeaders({ crossOriginResourcePolicy: false,
 * crossOriginOpenerPolicy: false })` set, written out (wire-headers.test.ts holds them equal).
 * Names in lower case, as the responses had them when they went through a Headers object.
 *
 * An object literal, because V8 makes it from a boilerplate: ~70 ns on Node 20, where copying a
 * shared record with spread and adding the id measured ~1.8 µs, and with three more names ~6 µs.
 */
const answerHeaders = (id: string): Record<string, string> => ({
  'access-control-allow-headers': ALLOW_HEADERS,
  'access-control-allow-methods': ALLOW_METHODS,
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
  'x-request-id': id,
})

/** A preflight carried neither the id nor the security headers; it still does not. */
const preflightHeaders = (): Record<string, string> => ({
  'access-control-allow-headers': ALLOW_HEADERS,
  'access-control-allow-methods': ALLOW_METHODS,
})

/** Hono's requestId rule for an id the client brings: up to 255 of `[A-Za-z0-9_=-]`. */
const GIVEN_ID = /^[\w\-=]{1,255}$/

export interface WireHeadersOptions {
  /** `*`, or the exact origins allowed. */
  origins: '*' | readonly string[]
  /** The id of a request that brings no valid X-Request-Id. */
  newRequestId: () => string
}

/** Headers on a response the handlers did not build through `respond` (Hono's own, the document). */
const stamp = (res: Response, wire: HeaderRecord) => {
  const h = res.headers
  for (const name in wire) {
    if (name !== 'vary') h.set(name, wire[name] as string)
    else if (!/\borigin\b/i.test(h.get('vary') ?? '')) h.append('vary', 'Origin')
  }
  h.delete('X-Powered-By')
}

/**
 * What requestId, the legacy CORS hook and secureHeaders did, one `Headers.set` at a time after
 * every response (16 headers that @hono/node-server then converted back for writeHead): the
 * request's id, and how its answer's headers are made, for `respond`, which builds every answer
 * with plain-object headers that @hono/node-server writes without a Headers object. An answer that
 * `respond` did not build gets the same headers set after the handler, as before.
 */
export const wireHeaders = ({ origins, newRequestId }: WireHeadersOptions): MiddlewareHandler<AppEnv> => {
  const allowed = origins === '*' ? null : new Set(origins)
  const anyOrigin: WireHeaders = (id) => {
    const h = answerHeaders(id)
    h['access-control-allow-origin'] = '*'
    return h
  }
  const anyOriginPreflight: WireHeaders = () => {
    const h = preflightHeaders()
    h['access-control-allow-origin'] = '*'
    return h
  }
  // With an allow-list the origin varies by request: the answer names it (or not) and says Vary.
  const listed = (origin: string | undefined, preflight: boolean): WireHeaders => {
    const named = origin !== undefined && allowed?.has(origin) === true
    return (id) => {
      const h = preflight ? preflightHeaders() : answerHeaders(id)
      if (named) h['access-control-allow-origin'] = origin
      h.vary = 'Origin'
      return h
    }
  }
  return async (c, next) => {
    const given = c.req.header('X-Request-Id')
    const id = given !== undefined && GIVEN_ID.test(given) ? given : newRequestId()
    c.set('requestId', id)
    const preflight = c.req.method === 'OPTIONS'
    const make =
      allowed === null
        ? preflight
          ? anyOriginPreflight
          : anyOrigin
        : listed(c.req.header('Origin'), preflight)
    if (preflight) {
      c.res = new Response(null, { status: 204, headers: make(id) })
      return
    }
    c.set(WIRE_HEADERS, make)
    await next()
    if (c.get(ANSWERED) !== c.res) stamp(c.res, make(id))
  }
}
