import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env.js'
import { badDate, getDay, type HoloduleDeps, paramsSchema } from './holodules.handlers.js'

export const holoduleRoutes = ({
  jwtRequired,
  ...deps
}: HoloduleDeps & { jwtRequired: MiddlewareHandler<AppEnv> }) =>
  new Hono<AppEnv>().get(
    '/holodules/:date',
    // Authentication first, as Flask-JWT's decorator did: no token, no hint about the input.
    jwtRequired,
    zValidator('param', paramsSchema, (result, c) => {
      if (!result.success) return badDate(c)
    }),
    getDay(deps),
  )
