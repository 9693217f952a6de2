import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { isCalendarDate, type Store } from '../../store/store.js'
import type { AppEnv } from '../env.js'
import { notFound, sendJson } from '../responses.js'

export interface HoloduleRouteDeps {
  store: Store
  jwtRequired: MiddlewareHandler<AppEnv>
}

const paramsSchema = z.object({ date: z.string().refine(isCalendarDate) })

export const holoduleRoutes = ({ store, jwtRequired }: HoloduleRouteDeps) =>
  new Hono<AppEnv>().get(
    '/holodules/:date',
    // Authentication first, as Flask-JWT's decorator did: no token, no hint about the input.
    jwtRequired,
    zValidator('param', paramsSchema, (result, c) => {
      if (!result.success) {
        return sendJson(c, { error: 'Bad Request', description: 'date must be YYYYMMDD' }, 400)
      }
    }),
    async (c) => {
      const holodules = await store.findHolodulesByDate(c.req.valid('param').date)
      if (holodules.length === 0) return notFound(c)
      return sendJson(c, { result: holodules.length, holodules }, 200)
    },
  )
