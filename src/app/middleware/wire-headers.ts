import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.js'
import { COMPLETE, type HeaderRecord, WIRE_HEADERS } from '../responses.js'

/**
 * What Hono's `secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false })`
 * sets, written out once (test/unit/app/middleware/wire-headers.test.ts holds them equal). Names in
 * lower case, as the responses had them when they went through a Headers object.
 */
export const SECURITY_HEADERS: HeaderRecord = {
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
}

/**
 * The old service added these to every response in an after_request hook; clients in browsers
 * depend on them being there on errors too, so they go on every answer, not only on preflights.
 */
const CORS_HEADERS: HeaderRecord = {
  'access-control-allow-headers': 'Content-Type,Authorization',
  'access-control-allow-methods': 'GET,PUT,POST,DELETE,OPTIONS',
}

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
 * The headers every answer carries, what requestId, the legacy CORS hook and secureHeaders added
 * one `Headers.set` at a time after each response (17 headers converted again by
 * @hono/node-server for every response), as one record made once per app: `respond` builds each
 * answer with its plain-object headers, which @hono/node-server writes without a Headers object.
 * A CORS preflight answers 204 with the CORS headers only, as before.
 */
export const wireHeaders = ({ origins, newRequestId }: WireHeadersOptions): MiddlewareHandler<AppEnv> => {
  const allowed = origins === '*' ? null : new Set(origins)
  const cors: HeaderRecord =
    allowed === null ? { ...CORS_HEADERS, 'access-control-allow-origin': '*' } : CORS_HEADERS
  const every: HeaderRecord = { ...cors, ...SECURITY_HEADERS }
  // With an allow-list the origin varies by request: the answer names it (or not) and says Vary.
  const forOrigin = (c: Context, base: HeaderRecord): HeaderRecord => {
    if (allowed === null) return base
    const origin = c.req.header('Origin')
    return origin && allowed.has(origin)
      ? { ...base, 'access-control-allow-origin': origin, vary: 'Origin' }
      : { ...base, vary: 'Origin' }
  }
  return async (c, next) => {
    const given = c.req.header('X-Request-Id')
    const id = given !== undefined && GIVEN_ID.test(given) ? given : newRequestId()
    c.set('requestId', id)
    // A preflight carried neither the id nor the security headers; it still does not.
    if (c.req.method === 'OPTIONS') {
      c.res = new Response(null, { status: 204, headers: forOrigin(c, cors) })
      return
    }
    // Without the id: respond() adds it as it copies the record, one copy per answer.
    const wire = forOrigin(c, every)
    c.set(WIRE_HEADERS, wire)
    await next()
    if (!COMPLETE.has(c.res)) stamp(c.res, { ...wire, 'x-request-id': id })
  }
}
