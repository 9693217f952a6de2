import type { Context, TypedResponse } from 'hono'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import type { JSONParsed, JSONValue } from 'hono/utils/types'

/** The old service's content type, charset included, on every JSON body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8'

export type HeaderRecord = Readonly<Record<string, string>>
/** Makes a new object of the headers every answer carries, X-Request-Id `id` among them. */
export type WireHeaders = (id: string) => Record<string, string>

/** The context variable where middleware/wire-headers.ts leaves how the request's answers get their headers. */
export const WIRE_HEADERS = 'wireHeaders'
/** The context variable naming the answer `respond` built last: the middleware leaves that one alone. */
export const ANSWERED = 'answered'

const NO_HEADERS: HeaderRecord = {}
const JSON_HEADERS: HeaderRecord = { 'content-type': JSON_CONTENT_TYPE }

/** `wire` (a new record of the wire headers) with an answer's own `headers` added. */
export const addHeaders = (wire: Record<string, string>, headers: HeaderRecord): Record<string, string> => {
  for (const name in headers) {
    // Vary adds to the wire's `Origin` (a CORS allow-list) rather than replacing it.
    if (name === 'vary' && wire.vary !== undefined) wire.vary = `${wire.vary}, ${headers.vary}`
    else wire[name] = headers[name] as string
  }
  return wire
}

/**
 * A response with the request's wire headers and `headers` (names in lower case), as one plain
 * object: on Node, @hono/node-server writes such a response without a Headers object, where
 * `c.body` with more than one header, or headers set on `c.res` afterwards, cost a Headers object
 * and its conversion back (the largest share of the 401's CPU on Node 20). `headers` never names
 * a wire header.
 */
export const respond = (
  c: Context,
  body: string | Uint8Array<ArrayBuffer> | null,
  status: StatusCode,
  headers: HeaderRecord = NO_HEADERS,
): Response => {
  const make = c.get(WIRE_HEADERS) as WireHeaders | undefined
  const res = new Response(body, {
    status,
    headers: addHeaders(make ? make(c.get('requestId') as string) : {}, headers),
  })
  // A context variable rather than a WeakSet of answers: WeakSet.add measured ~0.8 µs.
  c.set(ANSWERED, res)
  return res
}

/** The caller's header names in lower case (only the rare answers that have any: 401, 405, 429, 503). */
const lowerCased = (headers: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) out[name.toLowerCase()] = headers[name] as string
  out['content-type'] = JSON_CONTENT_TYPE
  return out
}

/**
 * `c.json` with the old service's content type: the body keeps its type for `hc`, and the bytes are
 * what `JSON.stringify` writes, as Flask's `jsonify` wrote them (no spaces).
 */
export const sendJson = <T extends JSONValue, S extends ContentfulStatusCode>(
  c: Context,
  body: T,
  status: S,
  headers?: Record<string, string>,
) =>
  respond(c, JSON.stringify(body), status, headers ? lowerCased(headers) : JSON_HEADERS) as Response &
    TypedResponse<JSONParsed<T>, S, 'json'>

/** Flask-JWT's error body: `{"status_code", "error", "description"}`, status_code mirroring the status. */
export const flaskJwtError = <S extends 400 | 401 | 413 | 429 | 503>(
  c: Context,
  status: S,
  error: string,
  description: string,
  headers?: Record<string, string>,
) => sendJson(c, { status_code: status as number, error, description }, status, headers)

export const notFound = (c: Context) => sendJson(c, { error: 'Not found' }, 404)
/**
 * Seconds a client is told to wait after the database's 503 (every 503 says when to come back, as
 * nginx's own does). 2: the driver gives up on an unreachable server after 2 s
 * (serverSelectionTimeoutMS) and /readyz asks the database anew at least once a second, so a retry
 * sooner mostly meets the same failed attempt; longer keeps clients away after a blip the driver
 * has already healed. nginx's 5 is for the app itself restarting, which takes longer.
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_S = 2
const RETRY_AFTER: Record<string, string> = { 'Retry-After': String(SERVICE_UNAVAILABLE_RETRY_AFTER_S) }

export const serviceUnavailable = (c: Context) =>
  sendJson(c, { error: 'Service Unavailable' }, 503, RETRY_AFTER)
export const internalError = (c: Context) => sendJson(c, { error: 'Internal Server Error' }, 500)
