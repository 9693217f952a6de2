import type { MiddlewareHandler } from 'hono'

const ALLOW_HEADERS = 'Content-Type,Authorization'
const ALLOW_METHODS = 'GET,PUT,POST,DELETE,OPTIONS'

/**
 * The old service added these three headers to every response in an after_request hook; clients
 * in browsers depend on them being there on errors too, so this does the same rather than
 * answering only preflights.
 */
export const legacyCors = (origins: '*' | readonly string[]): MiddlewareHandler => {
  const allowed = origins === '*' ? null : new Set(origins)
  return async (c, next) => {
    const origin = c.req.header('Origin')
    const allowOrigin = allowed === null ? '*' : origin && allowed.has(origin) ? origin : null
    if (c.req.method === 'OPTIONS') {
      c.res = new Response(null, { status: 204 })
    } else {
      await next()
    }
    const h = c.res.headers
    if (allowOrigin) h.set('Access-Control-Allow-Origin', allowOrigin)
    if (allowed !== null) h.append('Vary', 'Origin')
    h.set('Access-Control-Allow-Headers', ALLOW_HEADERS)
    h.set('Access-Control-Allow-Methods', ALLOW_METHODS)
  }
}
