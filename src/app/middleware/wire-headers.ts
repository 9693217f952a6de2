import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.js'
import { ANSWERED, type HeaderRecord, WIRE_HEADERS, type WireHeaders } from '../responses.js'

const ALLOW_HEADERS = 'Content-Type,Authorization'
const ALLOW_METHODS = 'GET,PUT,POST,DELETE,OPTIONS'

/**
 * The headers of every answer but a preflight, with its id: shared/contract.md's "Response headers",
 * what an API needs and nothing meant for HTML pages. Who acts on each:
 *
 * - `access-control-allow-origin` (added per origin policy below), `-headers`, `-methods`: the
 *   browser, deciding whether a page on another origin may read the answer. The old service added
 *   them to every response in an after_request hook, errors included, and browser clients depend on
 *   them there too.
 * - `x-content-type-options: nosniff`: the browser, which then never sniffs a JSON body as HTML or
 *   script (a body echoing a request's text cannot turn into a page or a `<script src>`).
 * - `x-frame-options: DENY`: the browser, which then never renders an answer inside a frame (no
 *   clickjacking through a navigated-to error page). With nosniff, the OWASP REST Security set.
 * - `x-request-id`: people and proxies: the id in the app's log line (and nginx's), returned so a
 *   client can quote it.
 *
 * Content-Type, Content-Length, Cache-Control, ETag and Vary are the answer's own (`respond`).
 * Until issue 20 every answer also carried what Hono's `secureHeaders` sets for HTML pages
 * (Origin-Agent-Cluster, Referrer-Policy, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection, X-Frame-Options SAMEORIGIN) and
 * Strict-Transport-Security: no client acts on the first six on a JSON body, the page's own
 * protections are on /docs (routes/docs), and HSTS is the TLS terminator's (deploy/nginx sets it;
 * over plain HTTP a browser ignores it). Every header here is written on every answer: add none
 * without a reason a client or browser acts on.
 * Names in lower case, as the responses had them when they went through a Headers object.
 *
 * An object literal, because V8 makes it from a boilerplate: ~70 ns on Node 20, where copying a
 * shared record with spread and adding the id measured ~1.8 µs, and with three more names ~6 µs.
 */
const answerHeaders = (id: string): Record<string, string> => ({
  'access-control-allow-headers': ALLOW_HEADERS,
  'access-control-allow-methods': ALLOW_METHODS,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-request-id': id,
})

/**
 * A preflight carried neither the id nor the security headers; it still does not: only the browser
 * reads it, for the CORS headers, and never renders it.
 */
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

/** How a request's id and its answers' headers are made: the middleware's and the short way's (app/shortcuts.ts). */
export interface WireHeaderRules {
  /** The client's X-Request-Id when it is a valid one, else a new id. */
  idOf(given: string | undefined): string
  /** How the answers get their headers; `origin` is read only when an allow-list needs it. */
  headersFor(origin: () => string | undefined, preflight: boolean): WireHeaders
}

export const wireHeaderRules = ({ origins, newRequestId }: WireHeadersOptions): WireHeaderRules => {
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
  return {
    idOf: (given) => (given !== undefined && GIVEN_ID.test(given) ? given : newRequestId()),
    headersFor: (origin, preflight) =>
      allowed === null ? (preflight ? anyOriginPreflight : anyOrigin) : listed(origin(), preflight),
  }
}

/**
 * What requestId, the legacy CORS hook and secureHeaders did, one `Headers.set` at a time after
 * every response (16 headers, then, that @hono/node-server converted back for writeHead): the
 * request's id, and how its answer's headers are made, for `respond`, which builds every answer
 * with plain-object headers that @hono/node-server writes without a Headers object. An answer that
 * `respond` did not build gets the same headers set after the handler, as before.
 */
export const wireHeaders = (rules: WireHeaderRules): MiddlewareHandler<AppEnv> => {
  return async (c, next) => {
    const id = rules.idOf(c.req.header('X-Request-Id'))
    c.set('requestId', id)
    const preflight = c.req.method === 'OPTIONS'
    const make = rules.headersFor(() => c.req.header('Origin'), preflight)
    if (preflight) {
      c.res = new Response(null, { status: 204, headers: make(id) })
      return
    }
    c.set(WIRE_HEADERS, make)
    await next()
    if (c.get(ANSWERED) !== c.res) stamp(c.res, make(id))
  }
}
