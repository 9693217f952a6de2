import { zValidator } from '@hono/zod-validator'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env.js'
import { badDate, getDay, type HoloduleDeps, paramsSchema } from './holodules.handlers.js'

export const holoduleRoutes = ({
  jwtRequired,
  ...deps
}: HoloduleDeps & { jwtRequired: MiddlewareHandler<AppEnv> }) => {
  // Authentication first, as Flask-JWT's decorator did: no token, no hint about the input.
  const validDate = zValidator('param', paramsSchema, (result, c) => {
    if (!result.success) return badDate(c as Context<AppEnv>)
  })
  const handler = getDay(deps)
  // A trailing slash after the date is accepted, under either scheme (the contract's second section).
  return new Hono<AppEnv>()
    .get('/holodules/:date', jwtRequired, validDate, handler)
    .get('/holodules/:date/', jwtRequired, validDate, handler)
}
