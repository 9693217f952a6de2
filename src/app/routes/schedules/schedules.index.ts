import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../env.js'
import { type ScheduleReads, unprocessable } from './schedules.handlers.js'
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
  reads,
}: {
  bearerRequired: MiddlewareHandler<AppEnv>
  reads: ScheduleReads
}) => {
  const hook = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success) return unprocessable(c)
  }
  return new OpenAPIHono<AppEnv>()
    .openapi(
      { ...listSchedulesRoute, middleware: bearerRequired },
      (c) => reads.listSchedules(c, c.req.valid('query')),
      hook,
    )
    .openapi(
      { ...getScheduleRoute, middleware: bearerRequired },
      (c) => reads.getSchedule(c, c.req.valid('param').id),
      hook,
    )
    .openapi(
      { ...listStreamersRoute, middleware: bearerRequired },
      (c) => reads.listStreamers(c, c.req.valid('query').group),
      hook,
    )
    .openapi(
      { ...getStreamerRoute, middleware: bearerRequired },
      (c) => reads.getStreamer(c, c.req.valid('param').id),
      hook,
    )
}
