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
      // The rest of the body is never read, so the connection cannot carry another request: say so,
      // and the Node entry closes it without a reset (see entry/node-server.ts).
      onError: (c) =>
        flaskJwtError(c, 413, 'Bad Request', `Request body must not exceed ${deps.bodyLimit} bytes`, {
          Connection: 'close',
        }),
    }),
    login(deps),
  )
