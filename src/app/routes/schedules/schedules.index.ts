import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env.js'
import {
  getSchedule,
  getStreamer,
  listSchedules,
  listStreamers,
  type SchedulesDeps,
  unprocessable,
} from './schedules.handlers.js'
import {
  getScheduleRoute,
  getStreamerRoute,
  listSchedulesRoute,
  listStreamersRoute,
} from './schedules.routes.js'

/**
 * The third generation's reads (the 2024 FastAPI service's `/schedules` and `/streamers`), from
 * whichever layout the store uses. The guard runs before the validators, as FastAPI resolves the
 * token dependency before it reports a bad parameter... and answers the contract's `{}` for one.
 */
export const scheduleRoutes = ({
  bearerRequired,
  ...deps
}: SchedulesDeps & { bearerRequired: MiddlewareHandler<AppEnv> }) => {
  const hook = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success) return unprocessable(c)
  }
  const schedules = listSchedules(deps)
  const schedule = getSchedule(deps)
  const streamers = listStreamers(deps)
  const streamer = getStreamer(deps)
  return new OpenAPIHono<AppEnv>()
    .openapi(
      { ...listSchedulesRoute, middleware: bearerRequired },
      (c) => schedules(c, c.req.valid('query')),
      hook,
    )
    .openapi(
      { ...getScheduleRoute, middleware: bearerRequired },
      (c) => schedule(c, c.req.valid('param').id),
      hook,
    )
    .openapi(
      { ...listStreamersRoute, middleware: bearerRequired },
      (c) => streamers(c, c.req.valid('query').group),
      hook,
    )
    .openapi(
      { ...getStreamerRoute, middleware: bearerRequired },
      (c) => streamer(c, c.req.valid('param').id),
      hook,
    )
}
