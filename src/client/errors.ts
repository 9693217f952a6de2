/**
 * One error class per failure the contract defines, and per way a request gets no answer (the
 * network, the timeout, an abort), under one base. `kind` discriminates them, so `switch (e.kind)`
 * narrows as well as `instanceof` does. Messages carry the status and the server's words, never a
 * password or a token.
 */

export type HoloduleApiErrorKind =
  | 'invalid-credentials'
  | 'throttled'
  | 'unavailable'
  | 'bad-date'
  | 'bad-request'
  | 'token'
  | 'inactive-user'
  | 'not-found'
  | 'too-large'
  | 'feed-limit'
  | 'unexpected'
  | 'network'
  | 'timeout'
  | 'aborted'

export abstract class HoloduleApiError extends Error {
  abstract readonly kind: HoloduleApiErrorKind
  /** The HTTP status of the answer; 0 when there was none (network, timeout, aborted, not sent). */
  readonly status: number
  /** The parsed JSON body of the answer (its text when it was not JSON, undefined when empty or none). */
  readonly body: unknown

  constructor(message: string, status: number, body: unknown, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
    this.body = body
  }
}

/** 401 on login: unknown user or wrong password (the server does not say which). */
export class InvalidCredentialsError extends HoloduleApiError {
  override readonly kind = 'invalid-credentials'
  override readonly name = 'InvalidCredentialsError'
}

/** 429 on login: too many failures, or too many checks in flight; try again after `retryAfter` s. */
export class ThrottledError extends HoloduleApiError {
  override readonly kind = 'throttled'
  override readonly name = 'ThrottledError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly retryAfter: number,
  ) {
    super(message, status, body)
  }
}

/**
 * 503: the login queue is full (`Login is busy`) or the database is down; `retryAfter` is the
 * server's Retry-After in seconds (undefined when none came, e.g. from an older server).
 */
export class UnavailableError extends HoloduleApiError {
  override readonly kind = 'unavailable'
  override readonly name = 'UnavailableError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly retryAfter: number | undefined,
  ) {
    super(message, status, body)
  }
}

/**
 * The server refused a date: 400 on a day, not a real `YYYYMMDD` (`date` is the one sent); 422 on
 * `listSchedules`, an `sdate` or `edate` that is not a real `YYYY-MM-DD` (`date` is `sdate..edate`
 * as sent, a side left out empty).
 */
export class BadDateError extends HoloduleApiError {
  override readonly kind = 'bad-date'
  override readonly name = 'BadDateError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly date: string,
  ) {
    super(message, status, body)
  }
}

/**
 * 400 on login: the second generation's answer to an empty user name or password; 422 `{}`, the
 * third generation's.
 */
export class BadRequestError extends HoloduleApiError {
  override readonly kind = 'bad-request'
  override readonly name = 'BadRequestError'
}

/**
 * 401 or 422 on a day, 401 on a third-generation read: the token was refused. `error` and
 * `description` are the first generation's words (`Invalid token` / `Signature has expired`); the
 * second generation's `{"msg"}` lands in `description` and its `{"error": "Unauthorized"}` in
 * `error`; the third generation's `{"detail": "Not authenticated"}` (no token) and `{"message":
 * "Could not validate credentials"}` (any refused token) land in `description`.
 */
export class TokenError extends HoloduleApiError {
  override readonly kind = 'token'
  override readonly name = 'TokenError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly error: string | undefined,
    readonly description: string | undefined,
    /**
     * The token had expired, and the client could not log in again (it had no credentials). On a
     * third-generation read, whose 401 does not say why, read from the token's `exp` by this clock.
     */
    readonly expired: boolean,
  ) {
    super(message, status, body)
  }
}

/**
 * 400 on a third-generation read: the user behind the token is disabled (`"disabled": true`).
 * `identifier` is the user's id as the server sent it. Logging in again does not help: a disabled
 * user's login is refused as a wrong password.
 */
export class InactiveUserError extends HoloduleApiError {
  override readonly kind = 'inactive-user'
  override readonly name = 'InactiveUserError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly identifier: string | undefined,
  ) {
    super(message, status, body)
  }
}

/**
 * 404 `{"message": "The entity does not exist"}` on `getSchedule` or `getStreamer`: no such id (also
 * an id that is not an ObjectId). `identifier` is the id; status 0 when the client refused to send
 * it (`''`, `.` or `..` cannot be a path segment).
 */
export class NotFoundError extends HoloduleApiError {
  override readonly kind = 'not-found'
  override readonly name = 'NotFoundError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly identifier: string,
  ) {
    super(message, status, body)
  }
}

/** 413: the request body was over the server's limit (a very long user name or password). */
export class TooLargeError extends HoloduleApiError {
  override readonly kind = 'too-large'
  override readonly name = 'TooLargeError'
}

/** 409 on `createFeed`: the user has as many calendar feeds as the server allows (`limit`); remove one. */
export class FeedLimitError extends HoloduleApiError {
  override readonly kind = 'feed-limit'
  override readonly name = 'FeedLimitError'
  constructor(
    message: string,
    status: number,
    body: unknown,
    readonly limit: number | undefined,
  ) {
    super(message, status, body)
  }
}

/** Any answer the contract does not define here: another status, or a body not of its shape. */
export class UnexpectedResponseError extends HoloduleApiError {
  override readonly kind = 'unexpected'
  override readonly name = 'UnexpectedResponseError'
}

/**
 * No answer: fetch rejected (the server is unreachable, the connection was refused or reset, DNS,
 * TLS, a browser's CORS refusal) or the answer broke off while its body was read. `cause` is what
 * fetch threw (Node's `fetch failed` TypeError, whose own `cause` names the socket's error).
 */
export class NetworkError extends HoloduleApiError {
  override readonly kind = 'network'
  override readonly name = 'NetworkError'
  constructor(message: string, cause: unknown) {
    super(message, 0, undefined, { cause })
  }
}

/**
 * No answer within `timeoutMs` (the client's option, or the call's): the call's request was
 * cancelled. The bound covers the whole call, a re-login and its retry included.
 */
export class TimeoutError extends HoloduleApiError {
  override readonly kind = 'timeout'
  override readonly name = 'TimeoutError'
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message, 0, undefined)
  }
}

/**
 * The caller's `AbortSignal` (the client's or the call's) was aborted: the call's request was
 * cancelled. `cause` is the signal's reason. Its `name` is `AbortError`, as fetch's own, so code that
 * skips aborts by `e.name === 'AbortError'` keeps working.
 */
export class AbortedError extends HoloduleApiError {
  override readonly kind = 'aborted'
  override readonly name = 'AbortError'
  constructor(message: string, cause: unknown) {
    super(message, 0, undefined, { cause })
  }
}

/** Every error the client throws for a server's answer, or for its absence; `switch (e.kind)` narrows it. */
export type AnyHoloduleApiError =
  | InvalidCredentialsError
  | ThrottledError
  | UnavailableError
  | BadDateError
  | BadRequestError
  | TokenError
  | InactiveUserError
  | NotFoundError
  | TooLargeError
  | FeedLimitError
  | UnexpectedResponseError
  | NetworkError
  | TimeoutError
  | AbortedError

export const isHoloduleApiError = (e: unknown): e is AnyHoloduleApiError => e instanceof HoloduleApiError
