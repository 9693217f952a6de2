import {
  type AnyHoloduleApiError,
  BadDateError,
  BadRequestError,
  InactiveUserError,
  InvalidCredentialsError,
  NotFoundError,
  ThrottledError,
  TokenError,
  TooLargeError,
  UnavailableError,
  UnexpectedResponseError,
} from './errors.js'

/**
 * One stream of the schedule, as both generations send it. The first generation's rows have no
 * `code` (it is in `key`); the second's do.
 */
export interface Holodule {
  readonly key: string
  readonly code?: string
  readonly video_id: string
  /** `YYYYMMDD HHMMSS`, Japan time. */
  readonly datetime: string
  readonly name: string
  readonly title: string
  readonly url: string
  readonly description: string
}

/** An answer read once: its status, headers and JSON body (text when not JSON, undefined when empty). */
export interface Answer {
  status: number
  headers: Headers
  body: unknown
}

export const readAnswer = async (res: Response): Promise<Answer> => {
  const text = await res.text()
  let body: unknown
  if (text !== '') {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  return { status: res.status, headers: res.headers, body }
}

export const field = (body: unknown, name: string): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * The server's words for a failure, whichever generation's shape: description, msg or error (the
 * first two), message or detail (the third).
 */
const wordsOf = (body: unknown): string | undefined =>
  field(body, 'description') ??
  field(body, 'msg') ??
  field(body, 'error') ??
  field(body, 'message') ??
  field(body, 'detail')

/**
 * Retry-After as seconds: delta-seconds, or an HTTP-date turned into seconds from now
 * (RFC 9110 allows both; this server sends seconds).
 */
export const retryAfterOf = (headers: Headers): number | undefined => {
  const value = headers.get('Retry-After')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** `what: status words`, the message of every error of an answer. */
export const describe = (what: string, a: Answer) => {
  const words = wordsOf(a.body)
  return `${what}: ${a.status}${words ? ` ${words}` : ''}`
}

export const unexpected = (what: string, a: Answer, why?: string): UnexpectedResponseError =>
  new UnexpectedResponseError(`${describe(what, a)}${why ? ` (${why})` : ''}`, a.status, a.body)

/** The errors any route may answer: throttled, busy or down, too large. */
export const commonError = (
  what: string,
  a: Answer,
): ThrottledError | UnavailableError | TooLargeError | undefined => {
  switch (a.status) {
    // The contract always sends Retry-After with a 429; 1 s is the shortest wait when a proxy dropped it.
    case 429:
      return new ThrottledError(describe(what, a), a.status, a.body, retryAfterOf(a.headers) ?? 1)
    case 503:
      return new UnavailableError(describe(what, a), a.status, a.body, retryAfterOf(a.headers))
    case 413:
      return new TooLargeError(describe(what, a), a.status, a.body)
    default:
      return undefined
  }
}

/**
 * A failed POST /auth, /login or /token as a typed error. /token answers 422 `{}` where /login
 * answers 400: a field missing or empty.
 */
export const loginError = (a: Answer): AnyHoloduleApiError => {
  const what = 'login failed'
  if (a.status === 401) return new InvalidCredentialsError(describe(what, a), a.status, a.body)
  if (a.status === 400 || a.status === 422) return new BadRequestError(describe(what, a), a.status, a.body)
  return commonError(what, a) ?? unexpected(what, a)
}

/** The first generation's `Signature has expired`, or the second's `{"msg": "Token has expired"}`. */
export const isExpired = (a: Answer): boolean =>
  a.status === 401 &&
  (field(a.body, 'description') === 'Signature has expired' || field(a.body, 'msg') === 'Token has expired')

/** A failed GET /holodules/{date} as a typed error. */
export const dayError = (date: string, a: Answer): AnyHoloduleApiError => {
  const what = `GET /holodules/${date} failed`
  if (a.status === 400) return new BadDateError(describe(what, a), a.status, a.body, date)
  if (a.status === 401 || a.status === 422) {
    const error = field(a.body, 'error')
    const description = field(a.body, 'description') ?? field(a.body, 'msg')
    return new TokenError(describe(what, a), a.status, a.body, error, description, isExpired(a))
  }
  return commonError(what, a) ?? unexpected(what, a)
}

export const text = (row: Record<string, unknown>, name: string): string => {
  const value = row[name]
  // Rows are served as the old service stored them: a missing or null text is shown as empty
  // rather than failing the whole day; key and datetime, which identify a row, are required.
  return typeof value === 'string' ? value : ''
}

const toHolodule = (row: unknown): Holodule | undefined => {
  if (typeof row !== 'object' || row === null) return undefined
  const r = row as Record<string, unknown>
  if (typeof r.key !== 'string' || typeof r.datetime !== 'string') return undefined
  // The wire's key order: key, code (when sent), then the rest.
  return Object.freeze({
    key: r.key,
    ...(typeof r.code === 'string' ? { code: r.code } : {}),
    video_id: text(r, 'video_id'),
    datetime: r.datetime,
    name: text(r, 'name'),
    title: text(r, 'title'),
    url: text(r, 'url'),
    description: text(r, 'description'),
  })
}

/**
 * The rows of a 200, from either generation's body (`{"result", "holodules"}` or a bare array);
 * undefined when the body is neither.
 */
export const rowsOf = (body: unknown): Holodule[] | undefined => {
  const list = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null && Array.isArray((body as { holodules?: unknown }).holodules)
      ? (body as { holodules: unknown[] }).holodules
      : undefined
  if (!list) return undefined
  const rows: Holodule[] = []
  for (const item of list) {
    const row = toHolodule(item)
    if (!row) return undefined
    rows.push(row)
  }
  return rows
}

/** The first generation's "no stream that day": 404 `{"error": "Not found"}` (not any 404, say a proxy's). */
export const isEmptyDay404 = (a: Answer): boolean =>
  a.status === 404 && field(a.body, 'error') === 'Not found'

/**
 * A failed third-generation read (`GET /schedules`, `/streamers`, their `/{id}`) as a typed error.
 * `expired`: whether the token sent had expired (read from the token itself). `dates`: for
 * `/schedules`, the range sent (`sdate..edate`), which is all its 422 can be about.
 */
export const bearerError = (
  what: string,
  a: Answer,
  expired: boolean,
  dates?: string,
): AnyHoloduleApiError => {
  const failed = `${what} failed`
  const message = field(a.body, 'message')
  const identifier = field(a.body, 'identifier')
  if (a.status === 401) {
    const description = field(a.body, 'detail') ?? message
    return new TokenError(describe(failed, a), a.status, a.body, undefined, description, expired)
  }
  if (a.status === 400 && message === 'Inactive user')
    return new InactiveUserError(describe(failed, a), a.status, a.body, identifier)
  if (a.status === 404 && message === 'The entity does not exist' && identifier !== undefined)
    return new NotFoundError(describe(failed, a), a.status, a.body, identifier)
  if (a.status === 422 && dates !== undefined)
    return new BadDateError(describe(failed, a), a.status, a.body, dates)
  return commonError(failed, a) ?? unexpected(failed, a)
}
