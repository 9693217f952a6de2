import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../../env.js'
import { flaskJwtError, sendJson } from '../../responses.js'
import { type AuthDeps, login, loginV2 } from './auth.handlers.js'

export const authRoutes = (deps: AuthDeps & { bodyLimit: number }) => {
  // The connection a 413 arrived on is closed by the Node and Bun entries (entry/connection.ts).
  const tooLarge = `Request body must not exceed ${deps.bodyLimit} bytes`
  return new Hono<AppEnv>()
    .post(
      '/auth',
      bodyLimit({
        maxSize: deps.bodyLimit,
        onError: (c) => flaskJwtError(c, 413, 'Bad Request', tooLarge),
      }),
      login(deps),
    )
    .post(
      '/login',
      bodyLimit({ maxSize: deps.bodyLimit, onError: (c) => sendJson(c, { error: 'Bad request' }, 413) }),
      loginV2(deps),
    )
}
