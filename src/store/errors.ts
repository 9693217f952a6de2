// What every store adapter throws, so the app answers 503 or 409 without knowing the backend.

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
  /**
   * True when the database (or the gateway before it) refused our credentials: not an outage that
   * passes but a deployment mistake an operator must mend, logged as an error rather than a warning.
   */
  readonly misconfigured: boolean = false
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError'
  constructor(username: string) {
    super(`user ${JSON.stringify(username)} already exists`)
  }
}
