import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The old service's content type, charset included, on every JSON body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8'

export const sendJson = (
  c: Context,
  body: unknown,
  status: ContentfulStatusCode,
  headers?: Record<string, string>,
): Response => c.body(JSON.stringify(body), status, { ...headers, 'Content-Type': JSON_CONTENT_TYPE })

/** Flask-JWT's error body: `{"status_code", "error", "description"}`, status_code mirroring the status. */
export const flaskJwtError = (
  c: Context,
  status: 400 | 401 | 413,
  error: string,
  description: string,
  headers?: Record<string, string>,
): Response => sendJson(c, { status_code: status, error, description }, status, headers)

export const notFound = (c: Context): Response => sendJson(c, { error: 'Not found' }, 404)
export const serviceUnavailable = (c: Context): Response => sendJson(c, { error: 'Service Unavailable' }, 503)
export const internalError = (c: Context): Response => sendJson(c, { error: 'Internal Server Error' }, 500)
