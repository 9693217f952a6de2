import type { Context } from 'hono'
import type { ScheduleQuery } from '../../../store/records.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { sendJson } from '../../responses.js'

export interface SchedulesDeps {
  store: Store
}

/** At most this many streams per answer, as the 2024 service. */
export const SCHEDULES_LIMIT = 1000

/** The 2024 service's 422, without its detail (the contract's `{}`). */
export const unprocessable = (c: Context) => sendJson(c, {}, 422)

const entityMissing = (c: Context, id: string) =>
  sendJson(c, { message: 'The entity does not exist', identifier: id }, 404)

const day = (iso: string | undefined) => (iso === undefined ? undefined : iso.replaceAll('-', ''))

export interface SchedulesParams {
  sdate?: string
  edate?: string
  keyword?: string
  group?: string
  code?: string
}

/**
 * The store's query for the 2024 service's parameters: a group's codes and a code are unioned; a
 * group with no streamer and no code filters nothing (as that service, which skipped an empty
 * `$in`).
 */
export const resolveQuery = async (store: Store, p: SchedulesParams): Promise<ScheduleQuery> => {
  const codes = new Set<string>()
  if (p.group !== undefined && p.group !== '')
    for (const s of await store.findStreamers(p.group)) codes.add(s.code)
  if (p.code !== undefined && p.code !== '') codes.add(p.code)
  const query: ScheduleQuery = { limit: SCHEDULES_LIMIT }
  const from = day(p.sdate)
  const to = day(p.edate)
  if (from) query.from = from
  if (to) query.to = to
  if (codes.size > 0) query.codes = [...codes].sort()
  if (p.keyword !== undefined && p.keyword !== '') query.keyword = p.keyword
  return query
}

export const listSchedules =
  ({ store }: SchedulesDeps) =>
  async (c: Context<AppEnv>, params: SchedulesParams) =>
    sendJson(c, { schedules: await store.findSchedules(await resolveQuery(store, params)) }, 200)

export const getSchedule =
  ({ store }: SchedulesDeps) =>
  async (c: Context<AppEnv>, id: string) => {
    const found = await store.findScheduleById(id)
    return found ? sendJson(c, found, 200) : entityMissing(c, id)
  }

export const listStreamers =
  ({ store }: SchedulesDeps) =>
  async (c: Context<AppEnv>, group: string | undefined) =>
    sendJson(c, { streamers: await store.findStreamers(group) }, 200)

export const getStreamer =
  ({ store }: SchedulesDeps) =>
  async (c: Context<AppEnv>, id: string) => {
    const found = await store.findStreamerById(id)
    return found ? sendJson(c, found, 200) : entityMissing(c, id)
  }
