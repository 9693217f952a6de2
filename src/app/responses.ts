import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { JSONValue } from 'hono/utils/types'

/** The old service's content type, charset included, on every JSON body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8'

/**
 * `c.json` with the old service's content type: the body keeps its type for `hc`, and the bytes are
 * what `JSON.stringify` writes, as Flask's `jsonify` wrote them (no spaces).
 */
export const sendJson = <T extends JSONValue, S extends ContentfulStatusCode>(
  c: Context,
  body: T,
  status: S,
  headers?: Record<string, string>,
) => c.json(body, status, { ...headers, 'Content-Type': JSON_CONTENT_TYPE })

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
