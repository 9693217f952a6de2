import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { BEARER_CLAIMS, InvalidTokenError, issuedBefore, type TokenVerifier } from '../../auth/token.js'
import type { Clock } from '../../lib/clock.js'
import type { Store } from '../../store/store.js'
import type { AppEnv } from '../env.js'
import { sendJson } from '../responses.js'
import type { KeptUsers } from './jwt-required.js'

export interface BearerRequiredDeps {
  verifier: TokenVerifier
  store: Pick<Store, 'findUserByUsername'>
  clock: Clock
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' }

/** FastAPI's OAuth2PasswordBearer: no header, or another scheme. */
export const notAuthenticated = (c: Context) => sendJson(c, { detail: 'Not authenticated' }, 401, CHALLENGE)
/** The 2024 service's one answer for every refused token. */
const couldNotValidate = (c: Context) =>
  sendJson(c, { message: 'Could not validate credentials' }, 401, CHALLENGE)

/** Starlette's get_authorization_scheme_param: the scheme, then everything after one space. */
const schemeAndToken = (authorization: string | null | undefined): [string, string] => {
  const header = (authorization ?? '').trim()
  const space = header.indexOf(' ')
  return space === -1 ? [header, ''] : [header.slice(0, space), header.slice(space + 1).trim()]
}

/**
 * The guard's yes, with nothing to wait for, for the short way (app/shortcuts.ts): the user of an
 * Authorization header whose token was verified before and still passes, and whose user is kept
 * (`kept`) and active; the user's hit is counted then. `false` for anything else, which the guard
 * then answers.
 */
export const knownBearer =
  ({ verifier, clock }: Omit<BearerRequiredDeps, 'store'>, kept: KeptUsers) =>
  (authorization: string | null): boolean => {
    const [scheme, token] = schemeAndToken(authorization)
    if (scheme.toLowerCase() !== 'bearer') return false
    const payload = verifier.known(token, clock.now(), BEARER_CLAIMS)
    const user = typeof payload?.sub === 'string' ? kept.peek(payload.sub) : undefined
    if (!user || user.disabled || issuedBefore(payload as Record<string, unknown>, user.passwordChangedAt))
      return false
    kept.hit()
    return true
  }

/**
 * The third generation's guard (`/schedules`, `/streamers`), as the 2024 service's
 * `get_current_active_user`: any HS256 token with a string `sub` and a valid `exp` (so the second
 * generation's tokens pass too), the user looked up, a disabled one answered 400. Improved: a
 * token issued before the user's password changed is refused like any other.
 */
export const bearerRequired = ({ verifier, store, clock }: BearerRequiredDeps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const [scheme, token] = schemeAndToken(c.req.header('Authorization'))
    if (scheme.toLowerCase() !== 'bearer') return notAuthenticated(c)
    let payload: Record<string, unknown>
    try {
      payload = await verifier.verify(token, clock.now(), BEARER_CLAIMS)
    } catch (e) {
      if (e instanceof InvalidTokenError) return couldNotValidate(c)
      throw e
    }
    if (typeof payload.sub !== 'string') return couldNotValidate(c)
    const user = await store.findUserByUsername(payload.sub)
    if (!user) return couldNotValidate(c)
    // An `iat`-less token (the 2024 service's own) too, once a change is recorded: auth/token.ts.
    if (issuedBefore(payload, user.passwordChangedAt)) return couldNotValidate(c)
    if (user.disabled)
      return sendJson(c, { message: 'Inactive user', identifier: user.documentId ?? user.id }, 400)
    c.set('user', user)
    await next()
  })
