import type { Context } from 'hono'
import { z } from 'zod'
import type { LoginThrottle } from '../../../auth/login-throttle.js'
import { hashPassword, type PasswordVerifier } from '../../../auth/password.js'
import { issueToken, type JwtConfig } from '../../../auth/token.js'
import type { Clock } from '../../../lib/clock.js'
import type { Logger } from '../../../lib/logger.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { flaskJwtError, sendJson } from '../../responses.js'

export interface AuthDeps {
  jwt: JwtConfig
  /** PBKDF2 iterations of the hash a legacy or weaker record is rewritten with. */
  passwordIterations: number
  store: Store
  clock: Clock
  logger: Logger
  passwords: PasswordVerifier
  throttle: LoginThrottle
  clientAddress: (c: Context) => string
}

/** Exactly two keys, both non-empty strings; anything else is Flask-JWT's "Invalid credentials". */
const credentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
})

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

const invalidCredentials = (c: Context) => flaskJwtError(c, 401, 'Bad Request', 'Invalid credentials')
const badRequest = (c: Context, description: string) => flaskJwtError(c, 400, 'Bad Request', description)

/** Flask-JWT's `POST /auth`: credentials in, `{"access_token"}` out. */
export const login =
  ({ jwt, passwordIterations, store, clock, logger, passwords, throttle, clientAddress }: AuthDeps) =>
  async (c: Context<AppEnv>) => {
    if (!JSON_TYPE.test(c.req.header('Content-Type') ?? '')) {
      return badRequest(c, 'Content-Type must be application/json')
    }
    let body: unknown
    try {
      body = JSON.parse(await c.req.text())
    } catch {
      return badRequest(c, 'Request body is not valid JSON')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return badRequest(c, 'Request body must be a JSON object')
    }
    const credentials = credentialsSchema.safeParse(body)
    if (!credentials.success) return invalidCredentials(c)
    const { username, password } = credentials.data

    const attempt = await throttle.attempt(username, clientAddress(c), async () => {
      const user = await store.findUserByUsername(username)
      const verdict = await passwords.verify(password, user?.password ?? null)
      return user && verdict.ok ? { ok: true, user, rehash: verdict.rehash } : { ok: false }
    })
    if (attempt.kind === 'throttled') {
      return flaskJwtError(c, 429, 'Too Many Requests', 'Too many login attempts', {
        'Retry-After': String(attempt.retryAfter),
      })
    }
    if (attempt.kind === 'busy') {
      return flaskJwtError(c, 503, 'Service Unavailable', 'Login is busy', {
        'Retry-After': String(attempt.retryAfter),
      })
    }
    const login = attempt.value
    if (!login.ok) return invalidCredentials(c)
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
    const accessToken = await issueToken(jwt, user.username, clock.now())
    return sendJson(c, { access_token: accessToken }, 200)
  }
