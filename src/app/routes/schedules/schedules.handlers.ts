import type { Context, TypedResponse } from 'hono'
import type { ScheduleQuery, ScheduleRecord, StreamerRecord } from '../../../store/records.js'
import type { Store } from '../../../store/store.js'
import {
  type AnswerCacheDeps,
  createAnswerCache,
  type Encoded,
  encode,
  encodedAnswer,
  sendEncoded,
  type WriteSignals,
} from '../../encoded-answers.js'
import type { AppEnv } from '../../env.js'
import { sendJson } from '../../responses.js'
import { type Shortcut, shortAnswer } from '../../shortcuts.js'

export interface SchedulesDeps extends AnswerCacheDeps {
  store: Store
  /** Where the writes say what they changed: the answers built from it are forgotten at once. */
  writes?: WriteSignals
}

/** At most this many streams per answer, as the 2024 service. */
export const SCHEDULES_LIMIT = 1000

/**
 * The caches' bounds. A range answers up to 1000 streams (~0.5 MB), a week of one group ~70 KB:
 * the bytes bound what a client cycling keywords can make the process hold.
 */
const RANGES = { maxEntries: 1000, maxBytes: 32 * 1024 * 1024 }
const GROUPS = { maxEntries: 500, maxBytes: 4 * 1024 * 1024 }
const BY_ID = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 }

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
 * `$in`). Empty parameters are dropped and the codes sorted, so equal queries are equal objects.
 */
export const resolveQuery = async (
  codesOf: (group: string) => Promise<readonly string[]>,
  p: SchedulesParams,
): Promise<ScheduleQuery> => {
  const codes = new Set<string>()
  if (p.group !== undefined && p.group !== '') for (const code of await codesOf(p.group)) codes.add(code)
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

/**
 * A resolved query's cache key: days as YYYYMMDD, the codes (a group's, sorted), the keyword, in a
 * fixed order whatever the order of the URL's parameters (`?group=a&sdate=…` is `?sdate=…&group=a`).
 */
export const queryKey = (q: ScheduleQuery): string =>
  JSON.stringify([q.from ?? '', q.to ?? '', q.codes ?? [], q.keyword ?? ''])

/** A group's members: the `/streamers` answer, and the codes `/schedules?group=` resolves to. */
interface Group {
  codes: readonly string[]
  answer: Encoded
}

/** The encoded bytes' type for `hc`, and the 304 (no body, which the route's type spells `{}`). */
type Cached<T> = TypedResponse<T, 200, 'json'> | TypedResponse<Record<never, never>, 304, string>
const cached = <T>(c: Context, answer: Encoded, cacheControl: string) =>
  sendEncoded(c, answer, cacheControl) as unknown as Cached<T>

const bytesOf = (e: Encoded | null) => (e ? e.body.byteLength : 0)

/**
 * The third generation's reads, each answer encoded once and kept for HOLODULES_CACHE_TTL (one TTL
 * for every read of the schedule): a range per resolved query, a group's streamers, one record by
 * id (an unknown id too). Empty ranges are kept like any other. ETag, If-None-Match → 304,
 * `Cache-Control: private, max-age=<ttl>` and `Vary: Authorization`, as a day.
 */
export const scheduleReads = ({ store, writes, ...cacheDeps }: SchedulesDeps) => {
  const ranges = createAnswerCache<string, Encoded>(cacheDeps, {
    name: 'schedules',
    ...RANGES,
    sizeOf: bytesOf,
  })
  const groups = createAnswerCache<string, Group>(cacheDeps, {
    name: 'streamers',
    ...GROUPS,
    sizeOf: (g) => g.answer.body.byteLength,
  })
  const schedules = createAnswerCache<string, Encoded | null>(cacheDeps, {
    name: 'schedules-by-id',
    ...BY_ID,
    sizeOf: bytesOf,
  })
  const streamers = createAnswerCache<string, Encoded | null>(cacheDeps, {
    name: 'streamers-by-id',
    ...BY_ID,
    sizeOf: bytesOf,
  })
  writes?.on('schedules', (id) => {
    ranges.clear()
    if (id === undefined) schedules.clear()
    else schedules.delete(id)
  })
  // A member's group or code changes which streams a group's range holds.
  writes?.on('streamers', (id) => {
    groups.clear()
    ranges.clear()
    if (id === undefined) streamers.clear()
    else streamers.delete(id)
  })
  const cacheControl = `private, max-age=${cacheDeps.cacheTtl}`
  // The query strings `listSchedules` answered, with their resolved key, so the short way finds a
  // range by its URL's query without resolving a group again (app/shortcuts.ts). Only a query that
  // passed the validators gets here. A group's change shows as it does on the routes: its range is
  // kept no longer than the TTL, and the route that then answers resolves the group again.
  const keys = new Map<string, string>()
  const remember = (search: string, key: string) => {
    if (keys.get(search) === key) return
    if (keys.size >= RANGES.maxEntries) keys.delete(keys.keys().next().value as string)
    keys.set(search, key)
  }

  /** `undefined` (every member) and `''` (an exact group, none) are different keys. */
  const group = (name: string | undefined) =>
    groups.get(JSON.stringify(name ?? null), async () => {
      const members = await store.findStreamers(name)
      return { codes: members.map((s) => s.code), answer: await encode({ streamers: members }) }
    })
  const one = (found: { id: string } | null) => (found ? encode(found) : null)

  return {
    listSchedules: async (c: Context<AppEnv>, params: SchedulesParams) => {
      const query = await resolveQuery(async (name) => (await group(name)).codes, params)
      const key = queryKey(query)
      const url = c.req.url
      const search = url.indexOf('?')
      remember(search === -1 ? '' : url.slice(search), key)
      const answer = await ranges.get(key, async () =>
        encode({ schedules: await store.findSchedules(query) }),
      )
      return cached<{ schedules: ScheduleRecord[] }>(c, answer, cacheControl)
    },
    /** `GET /schedules` on the short way: a query the route answered, its range kept fresh, a known caller. */
    shortcut:
      (caller: (authorization: string | null) => boolean): Shortcut =>
      (request, path, search) => {
        if (path !== '/schedules') return undefined
        const key = keys.get(search)
        const answer = key === undefined ? undefined : ranges.peek(key)
        if (!answer || !caller(request.headers.get('authorization'))) return undefined
        ranges.hit()
        const ifNoneMatch = request.headers.get('if-none-match') ?? undefined
        return shortAnswer(encodedAnswer(ifNoneMatch, answer, cacheControl), '/schedules')
      },
    getSchedule: async (c: Context<AppEnv>, id: string) => {
      const found = await schedules.get(id, async () => one(await store.findScheduleById(id)))
      return found ? cached<ScheduleRecord>(c, found, cacheControl) : entityMissing(c, id)
    },
    listStreamers: async (c: Context<AppEnv>, name: string | undefined) =>
      cached<{ streamers: StreamerRecord[] }>(c, (await group(name)).answer, cacheControl),
    getStreamer: async (c: Context<AppEnv>, id: string) => {
      const found = await streamers.get(id, async () => one(await store.findStreamerById(id)))
      return found ? cached<StreamerRecord>(c, found, cacheControl) : entityMissing(c, id)
    },
  }
}

export type ScheduleReads = ReturnType<typeof scheduleReads>
