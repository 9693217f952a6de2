import type { Context, TypedResponse } from 'hono'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import type { JSONParsed, JSONValue } from 'hono/utils/types'

/** The old service's content type, charset included, on every JSON body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8'

export type HeaderRecord = Readonly<Record<string, string>>

/**
 * The context variable where middleware/wire-headers.ts leaves the headers of every answer (but
 * X-Request-Id, which `respond` takes from `requestId`).
 */
export const WIRE_HEADERS = 'wireHeaders'
/** Responses built by `respond`, which carry those headers already: the middleware skips them. */
export const COMPLETE = new WeakSet<Response>()

const NO_HEADERS: HeaderRecord = {}
const JSON_HEADERS: HeaderRecord = { 'content-type': JSON_CONTENT_TYPE }

/**
 * A response with the request's wire headers and `headers`, as one plain object: on Node,
 * @hono/node-server writes such a response without a Headers object; `c.body` with more than one
 * header, or setting headers on `c.res` afterwards, costs a Headers object and its conversion back
 * (about 20 µs of the 80 µs a hot request cost on Node 20). Names are lower-cased, as a Headers object
 * gave them before; `headers` never names a wire header.
 */
export const respond = (
  c: Context,
  body: string | Uint8Array<ArrayBuffer> | null,
  status: StatusCode,
  headers: HeaderRecord = NO_HEADERS,
): Response => {
  const wire = c.get(WIRE_HEADERS) as HeaderRecord | undefined
  const all: Record<string, string> = wire ? { ...wire, 'x-request-id': c.get('requestId') as string } : {}
  for (const name in headers) all[name.toLowerCase()] = headers[name] as string
  const res = new Response(body, { status, headers: all })
  COMPLETE.add(res)
  return res
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
  respond(
    c,
    JSON.stringify(body),
    status,
    headers ? { ...headers, 'content-type': JSON_CONTENT_TYPE } : JSON_HEADERS,
  ) as Response & TypedResponse<JSONParsed<T>, S, 'json'>

/** Flask-JWT's error body: `{"status_code", "error", "description"}`, status_code mirroring the status. */
export const flaskJwtError = <S extends 400 | 401 | 413 | 429 | 503>(
  c: Context,
  status: S,
  error: string,
  description: string,
  headers?: Record<string, string>,
) => sendJson(c, { status_code: status as number, error, description }, status, headers)

export const notFound = (c: Context) => sendJson(c, { error: 'Not found' }, 404)
export const serviceUnavailable = (c: Context) => sendJson(c, { error: 'Service Unavailable' }, 503)
export const internalError = (c: Context) => sendJson(c, { error: 'Internal Server Error' }, 500)
