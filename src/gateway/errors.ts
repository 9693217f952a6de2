import type { Context } from 'hono'

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503 | 504

/** A 4xx the gateway answers in the Data API's shape `{error, error_code}`. */
export class DataApiHttpError extends Error {
  override name = 'DataApiHttpError'
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export const invalid = (message: string) => new DataApiHttpError(400, 'InvalidParameter', message)

export const forbidden = (message: string) => new DataApiHttpError(403, 'Forbidden', message)

export const errorBody = (c: Context, status: ErrorStatus, code: string, message: string) =>
  c.json({ error: message, error_code: code }, status)
