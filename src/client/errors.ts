/**
 * One error class per failure the contract defines, under one base. `kind` discriminates them, so
 * `switch (e.kind)` narrows as well as `instanceof` does. Messages carry the status and the
 * server's words, never a password or a token.
 */

export type HoloduleApiErrorKind =
  | 'invalid-credentials'
  | 'throttled'
  | 'unavailable'
  | 'bad-date'
  | 'bad-request'
  | 'token'
  | 'too-large'
  | 'unexpected'

export abstract class HoloduleApiError extends Error {
  abstract readonly kind: HoloduleApiErrorKind
  /** The HTTP status of the answer. */
  readonly status: number
  /** The parsed JSON body of the answer (its text when it was not JSON, undefined when empty). */
  readonly body: unknown

  constructor(message: string, status: number, body: unknown) {
    super(message)
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
 * 503: the login queue is full (`Login is busy`, with `retryAfter`) or the database is down
 * (no Retry-After: `retryAfter` is undefined).
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

/** 400 on a day: the date is not a real `YYYYMMDD`. */
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

/** 400 on login: the second generation's answer to an empty user name or password. */
export class BadRequestError extends HoloduleApiError {
  override readonly kind = 'bad-request'
  override readonly name = 'BadRequestError'
}

/**
 * 401 or 422 on a day: the token was refused. `error` and `description` are the first generation's
 * words (`Invalid token` / `Signature has expired`); the second generation's `{"msg"}` lands in
 * `description` and its `{"error": "Unauthorized"}` in `error`.
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
    /** The token had expired, and the client could not log in again (it had no credentials). */
    readonly expired: boolean,
  ) {
    super(message, status, body)
  }
}

/** 413: the request body was over the server's limit (a very long user name or password). */
export class TooLargeError extends HoloduleApiError {
  override readonly kind = 'too-large'
  override readonly name = 'TooLargeError'
}

/** Any answer the contract does not define here: another status, or a body not of its shape. */
export class UnexpectedResponseError extends HoloduleApiError {
  override readonly kind = 'unexpected'
  override readonly name = 'UnexpectedResponseError'
}

/** Every error the client throws for a server's answer; `switch (e.kind)` narrows it. */
export type AnyHoloduleApiError =
  | InvalidCredentialsError
  | ThrottledError
  | UnavailableError
  | BadDateError
  | BadRequestError
  | TokenError
  | TooLargeError
  | UnexpectedResponseError

export const isHoloduleApiError = (e: unknown): e is AnyHoloduleApiError => e instanceof HoloduleApiError
