import type { Context } from 'hono'
import type { FailurePace } from '../../../auth/failure-pace.js'
import type { LoginThrottle } from '../../../auth/login-throttle.js'
import { hashPassword, type PasswordVerifier, parseBcrypt } from '../../../auth/password.js'
import {
  issueAccessToken,
  issueBearerToken,
  issueSchedule,
  issueToken,
  type JwtConfig,
} from '../../../auth/token.js'
import type { Clock } from '../../../lib/clock.js'
import type { Logger } from '../../../lib/logger.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import type { Metrics } from '../../metrics.js'
import { flaskJwtError, sendJson } from '../../responses.js'
import { credentialsSchema } from './auth.routes.js'

export interface AuthDeps {
  jwt: JwtConfig
  /** PBKDF2 iterations of the hash a legacy or weaker record is rewritten with. */
  passwordIterations: number
  store: Store
  clock: Clock
  logger: Logger
  passwords: PasswordVerifier
  throttle: LoginThrottle
  /** Holds every failed check to one time, so it tells no kind of record from an unknown user. */
  pace: FailurePace
  clientAddress: (c: Context) => string
  /** Absent: metrics off. */
  metrics?: Metrics
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

/** What a login body was, before any password is looked at. */
type Parsed =
  | { kind: 'credentials'; username: string; password: string }
  /** Not JSON, not an object, or the wrong Content-Type: `why` says which. */
  | { kind: 'malformed'; why: string }
  /** An object, but not exactly two non-empty strings `username` and `password`. */
  | { kind: 'invalid' }

const parseBody = async (c: Context): Promise<Parsed> => {
  if (!JSON_TYPE.test(c.req.header('Content-Type') ?? '')) {
    return { kind: 'malformed', why: 'Content-Type must be application/json' }
  }
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    return { kind: 'malformed', why: 'Request body is not valid JSON' }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'malformed', why: 'Request body must be a JSON object' }
  }
  const credentials = credentialsSchema.safeParse(body)
  if (credentials.success) return { kind: 'credentials', ...credentials.data }
  return { kind: 'invalid' }
}

type Outcome =
  /** `at`: the instant its token is issued at (issueTime). */
  | { kind: 'ok'; username: string; at: number }
  | { kind: 'refused' }
  | { kind: 'throttled' | 'busy'; retryAfter: number }

/**
 * When a login's token is issued: now, or, in the very second its user's password changed (or the
 * user was created), once that second has passed, so that the token is not refused as older than
 * the change (auth/token.ts issueSchedule). `max` also keeps the token past the change when a timer
 * fires a millisecond early, and when a test's clock stands still.
 */
const issueTime = async (clock: Clock, validFrom: number | undefined): Promise<number> => {
  const { waitMs, notBeforeMs } = issueSchedule(validFrom, clock.now())
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
  return Math.max(clock.now(), notBeforeMs)
}

/**
 * The one login both generations share: throttling, the password check, the rewrite of a legacy
 * or weaker hash. The generations differ only in how they read the body and word the answers.
 */
const checkCredentials =
  ({
    passwordIterations,
    store,
    clock,
    logger,
    passwords,
    throttle,
    pace,
    clientAddress,
    metrics,
  }: AuthDeps) =>
  async (c: Context<AppEnv>, username: string, password: string): Promise<Outcome> => {
    const attempt = await throttle.attempt(username, clientAddress(c), async (priority) => {
      const user = await store.findUserByUsername(username)
      const started = clock.now()
      const verdict = await passwords.verify(password, user?.password ?? null, priority)
      const tookMs = clock.now() - started
      if (priority === 'normal')
        pace.observe(user && parseBcrypt(user.password) ? 'bcrypt' : 'pbkdf2', tookMs)
      // A record no password opens (a hash below the floors, or plain text under
      // LEGACY_PLAINTEXT_PASSWORDS=reject): the operator's to mend, so named; never the stored value.
      if (!verdict.ok && verdict.refused && user)
        logger.warn('stored password refused', {
          requestId: c.var.requestId,
          username: user.username,
          reason: verdict.refused,
        })
      // A disabled user (the 2024 service's flag) is refused as a wrong password is, by every generation.
      return user && verdict.ok && !user.disabled
        ? { ok: true, user, rehash: verdict.rehash }
        : { ok: false, tookMs }
    })
    if (attempt.kind !== 'done') {
      metrics?.login(attempt.kind)
      return attempt
    }
    const login = attempt.value
    metrics?.login(login.ok ? 'ok' : 'invalid')
    if (!login.ok) {
      // After the throttle's attempt: the hold takes no hashing slot and no in-flight count.
      await pace.hold(login.tookMs)
      return { kind: 'refused' }
    }
    const { user } = login
    if (login.rehash) {
      const hash = await hashPassword(password, passwordIterations)
      try {
        await store.updatePasswordHash(user.username, user.password, hash)
      } catch (e) {
        // The login itself is sound; the rewrite is retried on the next one.
        logger.warn('password rehash failed', { requestId: c.var.requestId, error: (e as Error).name })
      }
    }
    return { kind: 'ok', username: user.username, at: await issueTime(clock, user.passwordChangedAt) }
  }

const retryAfter = (seconds: number) => ({ 'Retry-After': String(seconds) })

/** Flask-JWT's `POST /auth`: credentials in, `{"access_token"}` out, its bodies word for word. */
export const login = (deps: AuthDeps) => {
  const check = checkCredentials(deps)
  return async (c: Context<AppEnv>) => {
    const parsed = await parseBody(c)
    if (parsed.kind === 'malformed') return flaskJwtError(c, 400, 'Bad Request', parsed.why)
    if (parsed.kind === 'invalid') return flaskJwtError(c, 401, 'Bad Request', 'Invalid credentials')
    const outcome = await check(c, parsed.username, parsed.password)
    switch (outcome.kind) {
      case 'throttled':
        return flaskJwtError(
          c,
          429,
          'Too Many Requests',
          'Too many login attempts',
          retryAfter(outcome.retryAfter),
        )
      case 'busy':
        return flaskJwtError(c, 503, 'Service Unavailable', 'Login is busy', retryAfter(outcome.retryAfter))
      case 'refused':
        return flaskJwtError(c, 401, 'Bad Request', 'Invalid credentials')
    }
    const accessToken = await issueToken(deps.jwt, outcome.username, outcome.at)
    return sendJson(c, { access_token: accessToken }, 200)
  }
}

/**
 * Flask-JWT-Extended's `POST /login` (the 2023 generation): its bodies, and 400 where the old
 * service answered 500 (a key missing or empty, or not a string).
 */
export const loginV2 = (deps: AuthDeps) => {
  const check = checkCredentials(deps)
  return async (c: Context<AppEnv>) => {
    const parsed = await parseBody(c)
    if (parsed.kind !== 'credentials') return sendJson(c, { error: 'Bad request' }, 400)
    const outcome = await check(c, parsed.username, parsed.password)
    switch (outcome.kind) {
      case 'throttled':
        return sendJson(c, { error: 'Too Many Requests' }, 429, retryAfter(outcome.retryAfter))
      case 'busy':
        return sendJson(c, { error: 'Service Unavailable' }, 503, retryAfter(outcome.retryAfter))
      case 'refused':
        return sendJson(c, { error: 'Unauthorized' }, 401)
    }
    const accessToken = await issueAccessToken(deps.jwt, outcome.username, outcome.at)
    return sendJson(c, { access_token: accessToken }, 200)
  }
}

const FORM_TYPE = /^(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i

/** OAuth2's password form: `username` and `password` (grant_type, scope, client_* ignored). */
const parseForm = async (c: Context): Promise<{ username: string; password: string } | null> => {
  if (!FORM_TYPE.test(c.req.header('Content-Type') ?? '')) return null
  let form: Record<string, unknown>
  try {
    form = await c.req.parseBody()
  } catch {
    return null
  }
  const { username, password } = form
  // FastAPI reads an empty form field as a missing one.
  if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '')
    return null
  return { username, password }
}

const bearerChallenge = { 'WWW-Authenticate': 'Bearer' }

/**
 * The 2024 service's `POST /token` (FastAPI's OAuth2PasswordRequestForm): a form in,
 * `{"access_token", "token_type": "bearer"}` out, its bodies word for word; throttled like the others.
 */
export const loginV3 = (deps: AuthDeps) => {
  const check = checkCredentials(deps)
  return async (c: Context<AppEnv>) => {
    const form = await parseForm(c)
    if (!form) return sendJson(c, {}, 422)
    const outcome = await check(c, form.username, form.password)
    switch (outcome.kind) {
      case 'throttled':
        return sendJson(c, { message: 'Too many login attempts' }, 429, retryAfter(outcome.retryAfter))
      case 'busy':
        return sendJson(c, { message: 'Login is busy' }, 503, retryAfter(outcome.retryAfter))
      case 'refused':
        return sendJson(c, { message: 'Incorrect username or password' }, 401, bearerChallenge)
    }
    const accessToken = await issueBearerToken(deps.jwt, outcome.username, outcome.at)
    return sendJson(c, { access_token: accessToken, token_type: 'bearer' }, 200)
  }
}
