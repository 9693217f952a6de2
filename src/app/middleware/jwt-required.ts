import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import {
  BEARER_CLAIMS,
  FLASK_JWT_CLAIMS,
  InvalidTokenError,
  issuedBefore,
  type JwtConfig,
  type TokenVerifier,
} from '../../auth/token.js'
import type { Clock } from '../../lib/clock.js'
import type { TtlCache } from '../../lib/ttl-cache.js'
import type { UserRecord } from '../../store/records.js'
import type { Store } from '../../store/store.js'
import type { Answer } from '../encoded-answers.js'
import type { AppEnv, Generation } from '../env.js'
import { flaskJwtError, JSON_CONTENT_TYPE, sendJson } from '../responses.js'

export interface JwtRequiredDeps {
  jwt: JwtConfig
  verifier: TokenVerifier
  store: Pick<Store, 'findUserByUsername'>
  clock: Clock
  generations: { first: boolean; second: boolean; third: boolean }
}

/** Flask-JWT-Extended's bodies: `{"msg"}` for token faults, `{"error"}` where the old service added its own. */
const secondMsg = (c: Context, status: 401 | 422, msg: string) => sendJson(c, { msg }, status)
const secondUnauthorized = (c: Context) => sendJson(c, { error: 'Unauthorized' }, 401)
const BAD_HEADER = "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"

/** The token predates its user's last password change or creation. The payload stays as issued. */
const predates = (user: UserRecord, payload: Record<string, unknown>) =>
  issuedBefore(payload, user.passwordChangedAt)

/**
 * Flask-JWT's answer to a request without an Authorization header. It writes the word JWT in the
 * realm whatever the configured prefix.
 */
const NO_TOKEN = {
  error: 'Authorization Required',
  description: 'Request does not contain an access token',
  realm: 'JWT realm="Login Required"',
}

/** That answer encoded once, as `flaskJwtError` writes it, for the short way. */
export const noTokenAnswer: Answer = {
  status: 401,
  body: new TextEncoder().encode(
    JSON.stringify({ status_code: 401, error: NO_TOKEN.error, description: NO_TOKEN.description }),
  ),
  headers: { 'www-authenticate': NO_TOKEN.realm, 'content-type': JSON_CONTENT_TYPE },
}

/** A header of exactly two words and one space between them, the form every client sends. */
const TWO_WORDS = /^\S+ \S+$/

/**
 * The words of an Authorization header, as both generations' parsers split it (trimmed, split at
 * runs of whitespace); the usual two words without the regular expression's split and its arrays.
 */
const wordsOf = (header: string | undefined): string[] => {
  if (header === undefined) return []
  if (TWO_WORDS.test(header)) {
    const space = header.indexOf(' ')
    return [header.slice(0, space), header.slice(space + 1)]
  }
  return header.trim().split(/\s+/).filter(Boolean)
}

/** The verified users' cache, as the short way reads it: a kept user, and its hit counted once used. */
export type KeptUsers = Pick<TtlCache<string, UserRecord | null>, 'peek' | 'hit'>

/**
 * The guard's yes, with nothing to wait for, for the short way (app/shortcuts.ts): the generation of an
 * Authorization header whose token was verified before and still passes, and whose user is kept
 * (`kept`) and may read; the user's hit is counted then. `undefined` for anything else, which the
 * guard then answers in its generation's words.
 */
export const knownCaller = (
  { jwt, verifier, clock, generations }: Omit<JwtRequiredDeps, 'store'>,
  kept: KeptUsers,
) => {
  const prefix = jwt.authHeaderPrefix.toLowerCase()
  return (header: string | null): 1 | 2 | undefined => {
    const parts = wordsOf(header ?? undefined)
    if (parts.length !== 2) return undefined
    const word = (parts[0] as string).toLowerCase()
    // The guard's order: the configured prefix first (it may be `Bearer` itself).
    const generation =
      generations.first && word === prefix ? 1 : generations.second && word === 'bearer' ? 2 : 0
    if (generation === 0) return undefined
    const payload = verifier.known(
      parts[1] as string,
      clock.now(),
      generation === 1 ? FLASK_JWT_CLAIMS : BEARER_CLAIMS,
    )
    if (!payload) return undefined
    if (generation === 2 && payload.type !== undefined && payload.type !== 'access') return undefined
    const name = generation === 1 ? payload.identity : payload.sub
    const user = typeof name === 'string' ? kept.peek(name) : undefined
    if (!user || user.disabled || predates(user, payload)) return undefined
    kept.hit()
    return generation
  }
}

/**
 * The protected routes' guard for both generations of the old service's clients, told apart by
 * the scheme word: `JWT` is Flask-JWT's `@jwt_required()` (its error bodies word for word, the user
 * named by `identity`), `Bearer` is Flask-JWT-Extended's (`{"msg"}` bodies, 422 for a bad token,
 * the user named by `sub`). Everything below the words is shared: one verifier, one user lookup.
 */
export const jwtRequired = ({ jwt, verifier, store, clock, generations }: JwtRequiredDeps) => {
  const prefix = jwt.authHeaderPrefix.toLowerCase()

  const first = async (c: Context<AppEnv>, parts: string[]) => {
    if (parts.length === 1) return flaskJwtError(c, 401, 'Invalid JWT header', 'Token missing')
    if (parts.length > 2) return flaskJwtError(c, 401, 'Invalid JWT header', 'Token contains spaces')
    let payload: Record<string, unknown>
    try {
      payload = await verifier.verify(parts[1] as string, clock.now())
    } catch (e) {
      if (e instanceof InvalidTokenError) return flaskJwtError(c, 401, 'Invalid token', e.message)
      throw e
    }
    const user =
      typeof payload.identity === 'string' ? await store.findUserByUsername(payload.identity) : null
    // A disabled user (the 2024 service's flag) is, to this generation, one that no longer exists.
    if (!user || user.disabled) return flaskJwtError(c, 401, 'Invalid JWT', 'User does not exist')
    if (predates(user, payload)) {
      return flaskJwtError(c, 401, 'Invalid token', 'Token was issued before the password changed')
    }
    return user
  }

  const second = async (c: Context<AppEnv>, parts: string[]) => {
    if (parts.length !== 2) return secondMsg(c, 422, BAD_HEADER)
    let payload: Record<string, unknown>
    try {
      // Only `exp` is required: Flask-JWT-Extended accepts the third generation's `{sub, exp}` too.
      payload = await verifier.verify(parts[1] as string, clock.now(), BEARER_CLAIMS)
    } catch (e) {
      if (!(e instanceof InvalidTokenError)) throw e
      // Flask-JWT-Extended: 401 for an expired token, 422 with PyJWT's words for anything else.
      return e.message === 'Signature has expired'
        ? secondMsg(c, 401, 'Token has expired')
        : secondMsg(c, 422, e.message)
    }
    if (typeof payload.sub !== 'string') return secondMsg(c, 422, 'Missing claim: sub')
    // Flask-JWT-Extended reads a token without `type` as an access token.
    if (payload.type !== undefined && payload.type !== 'access')
      return secondMsg(c, 422, 'Only non-refresh tokens are allowed')
    // The old service never looked the user up (improved): a removed user's token stops working.
    const user = await store.findUserByUsername(payload.sub)
    if (!user || user.disabled || predates(user, payload)) return secondUnauthorized(c)
    return user
  }

  return createMiddleware<AppEnv>(async (c, next) => {
    const parts = wordsOf(c.req.header('Authorization'))
    const word = parts[0]?.toLowerCase()
    let generation: Generation
    if (generations.first && (word === undefined || word === prefix)) generation = 1
    else if (generations.second && word === 'bearer') generation = 2
    else if (generations.first) generation = 1
    else {
      // Only the second generation is served: its answers for a missing or other header.
      c.set('generation', 2)
      return word === undefined
        ? secondMsg(c, 401, 'Missing Authorization Header')
        : secondMsg(
            c,
            401,
            "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
          )
    }
    c.set('generation', generation)
    if (generation === 1 && parts.length === 0) {
      return flaskJwtError(c, 401, NO_TOKEN.error, NO_TOKEN.description, {
        'WWW-Authenticate': NO_TOKEN.realm,
      })
    }
    if (generation === 1 && word !== prefix) {
      return flaskJwtError(c, 401, 'Invalid JWT header', 'Unsupported authorization type')
    }
    const user = generation === 1 ? await first(c, parts) : await second(c, parts)
    if (user instanceof Response) return user
    c.set('user', user)
    await next()
  })
}
