import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from '../../../lib/body-limit.js'
import type { Store } from '../../../store/store.js'
import type { WriteSignals } from '../../encoded-answers.js'
import type { AppEnv } from '../../env.js'
import { adminOnly } from '../../middleware/admin-only.js'
import { sendJson } from '../../responses.js'
import { unprocessable } from './schedules.handlers.js'
import { scheduleWriteRoutes, streamerWriteRoutes } from './schedules.write-routes.js'

/** Bytes of one written stream or member: far above any real one, far below a flood. */
const WRITE_BODY_LIMIT = 64 * 1024

const missing = (c: Context, id: string) =>
  sendJson(c, { message: 'The entity does not exist', identifier: id }, 404)

/** The third generation's writes: `POST`, `PUT` (only the fields sent), `DELETE` on /schedules and /streamers. */
export const scheduleWriteRoutesFor = ({
  store,
  bearerRequired,
  writes,
}: {
  store: Store
  bearerRequired: MiddlewareHandler<AppEnv>
  /** Told of every write that changed something, after the store has it: the reads' caches forget it. */
  writes?: WriteSignals
}) => {
  /** The record written (null: none), with the caches told first. */
  const wrote = <T extends { id: string } | null>(
    what: 'schedules' | 'streamers',
    record: T,
    id?: string,
  ): T => {
    if (record) writes?.wrote(what, id ?? record.id)
    return record
  }
  const removed = (what: 'schedules' | 'streamers', gone: boolean, id: string) => {
    if (gone) writes?.wrote(what, id)
    return gone
  }
  const limit = bodyLimit({ maxSize: WRITE_BODY_LIMIT, onError: (c) => sendJson(c, {}, 413) })
  const guard = [bearerRequired, adminOnly, limit]
  const hook = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success) return unprocessable(c)
  }
  const s = scheduleWriteRoutes
  const m = streamerWriteRoutes
  return new OpenAPIHono<AppEnv>()
    .openapi(
      { ...s.create, middleware: guard },
      async (c) => sendJson(c, wrote('schedules', await store.insertSchedule(c.req.valid('json'))), 201),
      hook,
    )
    .openapi(
      { ...s.update, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        const changed = wrote('schedules', await store.updateSchedule(id, c.req.valid('json')), id)
        return changed ? sendJson(c, changed, 200) : missing(c, id)
      },
      hook,
    )
    .openapi(
      { ...s.remove, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        return removed('schedules', await store.deleteSchedule(id), id) ? c.body(null, 204) : missing(c, id)
      },
      hook,
    )
    .openapi(
      { ...m.create, middleware: guard },
      async (c) => sendJson(c, wrote('streamers', await store.insertStreamer(c.req.valid('json'))), 201),
      hook,
    )
    .openapi(
      { ...m.update, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        const changed = wrote('streamers', await store.updateStreamer(id, c.req.valid('json')), id)
        return changed ? sendJson(c, changed, 200) : missing(c, id)
      },
      hook,
    )
    .openapi(
      { ...m.remove, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        return removed('streamers', await store.deleteStreamer(id), id) ? c.body(null, 204) : missing(c, id)
      },
      hook,
    )
}
