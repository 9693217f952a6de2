import { createMiddleware } from 'hono/factory'
import { InvalidTokenError, type JwtConfig, type TokenVerifier } from '../../auth/token.js'
import type { Clock } from '../../lib/clock.js'
import type { Store } from '../../store/store.js'
import type { AppEnv } from '../env.js'
import { flaskJwtError } from '../responses.js'

export interface JwtRequiredDeps {
  jwt: JwtConfig
  verifier: TokenVerifier
  store: Pick<Store, 'findUserByUsername'>
  clock: Clock
}

/**
 * Flask-JWT's `@jwt_required()`: the `JWT <token>` scheme, its error bodies word for word, and
 * the user named by `identity` loaded for the handler.
 */
export const jwtRequired = ({ jwt, verifier, store, clock }: JwtRequiredDeps) => {
  const prefix = jwt.authHeaderPrefix.toLowerCase()
  // Flask-JWT writes the word JWT here whatever the configured prefix.
  const realm = 'JWT realm="Login Required"'
  return createMiddleware<AppEnv>(async (c, next) => {
    const parts = (c.req.header('Authorization') ?? '').trim().split(/\s+/).filter(Boolean)
    if (parts.length === 0) {
      return flaskJwtError(c, 401, 'Authorization Required', 'Request does not contain an access token', {
        'WWW-Authenticate': realm,
      })
    }
    if ((parts[0] as string).toLowerCase() !== prefix) {
      return flaskJwtError(c, 401, 'Invalid JWT header', 'Unsupported authorization type')
    }
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
    if (!user) return flaskJwtError(c, 401, 'Invalid JWT', 'User does not exist')
    // The payload stays Flask-JWT's; the stored change time is what retires older tokens.
    if (user.passwordChangedAt !== undefined && (payload.iat as number) < user.passwordChangedAt) {
      return flaskJwtError(c, 401, 'Invalid token', 'Token was issued before the password changed')
    }
    c.set('user', user)
    await next()
  })
}
