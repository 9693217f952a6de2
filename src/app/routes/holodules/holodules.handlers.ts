import type { Context, TypedResponse } from 'hono'
import type { TtlCache } from '../../../lib/ttl-cache.js'
import type { Holodule, HoloduleRecord } from '../../../store/records.js'
import type { Store } from '../../../store/store.js'
import {
  type AnswerCacheDeps,
  createAnswerCache,
  type Encoded,
  encode,
  sendEncoded,
  VARY,
  type WriteSignals,
} from '../../encoded-answers.js'
import type { AppEnv } from '../../env.js'
import { JSON_CONTENT_TYPE, notFound, respond, sendJson } from '../../responses.js'

export interface HoloduleDeps extends AnswerCacheDeps {
  store: Store
  /** Where the third generation's writes say a stream changed (the 2024 layout's days are its streams). */
  writes?: WriteSignals
}

/** The first generation's 200 body: no `code` in its rows. */
export interface ScheduleBody {
  result: number
  holodules: Holodule[]
}

/** Days kept at most, and their bytes: ~2.2 KB a day of 39 streams (both generations' answers). */
const DAYS_MAX_ENTRIES = 5000
const DAYS_MAX_BYTES = 16 * 1024 * 1024

const firstGeneration = (rows: HoloduleRecord[]): ScheduleBody => ({
  result: rows.length,
  holodules: rows.map(({ code: _code, ...wire }) => wire),
})

/**
 * A day's answers, encoded once when it is loaded (so its bytes are known to the cache's bound):
 * the first generation's object and the second's bare array, `code` included. An empty day holds
 * none: it is answered by the first generation's 404 and the second's `[]`.
 */
export interface Day {
  first: Encoded
  second: Encoded
}

/** Days by their YYYYMMDD; `null` for a day without streams. */
export type Days = TtlCache<string, Day | null>

const loadDay = async (rows: HoloduleRecord[]): Promise<Day | null> => {
  if (rows.length === 0) return null
  const [first, second] = await Promise.all([encode(firstGeneration(rows)), encode(rows)])
  return { first, second }
}

/** The days' answers, kept for HOLODULES_CACHE_TTL and forgotten on a write of this process. */
export const dayCache = ({ writes, ...cacheDeps }: Omit<HoloduleDeps, 'store'>): Days => {
  // Empty days are kept too (as null), so a client cycling distinct empty days asks the store once
  // per day per TTL; a day that gets its first rows shows them within the TTL, as any change does.
  const days = createAnswerCache<string, Day | null>(cacheDeps, {
    name: 'holodules',
    maxEntries: DAYS_MAX_ENTRIES,
    maxBytes: DAYS_MAX_BYTES,
    sizeOf: (day) => (day ? day.first.body.byteLength + day.second.body.byteLength : 0),
  })
  // A stream's write may move it from one day to another: every day is forgotten (writes are rare).
  writes?.on('schedules', () => days.clear())
  return days
}

/** `GET /holodules/{date}` once the token and the date have passed. */
export const getDay = (store: Store, days: Days, cacheTtl: number) => {
  const cacheControl = `private, max-age=${cacheTtl}`
  return async (c: Context<AppEnv, '/holodules/:date', { out: { param: { date: string } } }>) => {
    const date = c.req.valid('param').date
    const day = await days.get(date, async () => loadDay(await store.findHolodulesByDate(date)))
    // c.get, not c.var: c.var copies every variable into a new object on each access.
    const generation = c.get('generation')
    // No stream that day: the first generation's 404, the second's empty array.
    if (!day) {
      if (generation === 1) return notFound(c)
      return respond(c, '[]', 200, {
        'content-type': JSON_CONTENT_TYPE,
        vary: VARY,
      }) as unknown as TypedResponse<HoloduleRecord[], 200, 'json'>
    }
    // The bytes were encoded once from a ScheduleBody (or the second generation's array); the cast
    // gives `hc` the first generation's type, the one its clients call with, and the 304 (no body,
    // which the route's type spells `{}`).
    return sendEncoded(c, generation === 1 ? day.first : day.second, cacheControl) as unknown as
      | TypedResponse<ScheduleBody, 200, 'json'>
      | TypedResponse<Record<never, never>, 304, string>
  }
}

/** The contract's 400 for a date that is not a real `YYYYMMDD`, in the request's generation. */
export const badDate = (c: Context<AppEnv>) =>
  c.get('generation') === 2
    ? sendJson(c, { error: 'Bad request' }, 400)
    : sendJson(c, { error: 'Bad Request', description: 'date must be YYYYMMDD' }, 400)
