import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../../env.js'
import { flaskJwtError } from '../../responses.js'
import { type AuthDeps, login } from './auth.handlers.js'

export const authRoutes = (deps: AuthDeps & { bodyLimit: number }) =>
  new Hono<AppEnv>().post(
    '/auth',
    bodyLimit({
      maxSize: deps.bodyLimit,
      // The connection it arrived on is closed by the Node and Bun entries (entry/connection.ts).
      onError: (c) =>
        flaskJwtError(c, 413, 'Bad Request', `Request body must not exceed ${deps.bodyLimit} bytes`),
    }),
    login(deps),
  )
