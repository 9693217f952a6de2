import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import type { DocumentedGenerations } from '../../openapi/schemas.js'
import { badDate, type Days, getDay } from './holodules.handlers.js'
import { getDayRoute } from './holodules.routes.js'

export const holoduleRoutes = ({
  jwtRequired,
  generations,
  store,
  days,
  cacheTtl,
}: {
  store: Store
  days: Days
  cacheTtl: number
  jwtRequired: MiddlewareHandler<AppEnv>
  generations: DocumentedGenerations
}) => {
  // Authentication first, as Flask-JWT's decorator did: no token, no hint about the input. Route
  // middleware runs before the route's validators, and the hook answers in the contract's words.
  const validDate = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success) return badDate(c)
  }
  const handler = getDay(store, days, cacheTtl)
  // A trailing slash after the date is accepted, under either scheme (the contract's second section).
  return new OpenAPIHono<AppEnv>()
    .openapi(
      { ...getDayRoute(generations, '/holodules/{date}'), middleware: jwtRequired },
      handler,
      validDate,
    )
    .openapi(
      { ...getDayRoute(generations, '/holodules/{date}/'), middleware: jwtRequired },
      handler,
      validDate,
    )
}
