import {
  type Answer,
  dayError,
  type Holodule,
  isEmptyDay404,
  isExpired,
  readAnswer,
  rowsOf,
  unexpected,
} from './answers.js'
import { bearerReads, idSegment, queryOf } from './bearer-reads.js'
import { BadDateError } from './errors.js'
import { listOf, type ScheduleItem, type Streamer, toScheduleItem, toStreamer } from './schedule-answers.js'
import { createSession } from './session.js'
import type { Fetch, Generation } from './types.js'

export type { Fetch, Generation } from './types.js'

export interface ClientOptions {
  /** Where the API is: `https://api.example.com`, or with a path prefix, `https://example.com/api`. */
  baseUrl: string | URL
  /** Default: the global fetch (browsers, Node, Bun, Workers). */
  fetch?: Fetch
  /**
   * Which generation of the old service's clients to speak as: 1 (default), Flask-JWT's
   * `POST /auth` and `Authorization: JWT`; 2, Flask-JWT-Extended's `POST /login` and `Bearer`;
   * 3, the 2024 service's `POST /token` (an OAuth2 password form) and `Bearer`.
   */
  generation?: Generation
  /** A token saved earlier (`client.token`); with no credentials it is not renewed when it expires. */
  token?: string
  /** Days whose ETag and rows are kept to answer a 304, least recently used dropped first. Default 64. */
  maxCachedDays?: number
}

/** `listSchedules`' filters, all optional; undefined or `''` leaves one out. */
export interface ScheduleFilter {
  /** First Japan day, `YYYY-MM-DD`, inclusive. */
  sdate?: string
  /** Last Japan day, `YYYY-MM-DD`, inclusive. */
  edate?: string
  /** The codes of this group's streamers (`hololive`, `hololive_en`, …); with `code`, their union. */
  group?: string
  /** One streamer's code. */
  code?: string
  /** Text in the title, name or description, any case (matched as text, not a pattern). */
  keyword?: string
}

export interface HoloduleClient {
  readonly generation: Generation
  /** The current token, to save and pass back as `token` later; undefined before a login. */
  readonly token: string | undefined
  /**
   * Logs in and keeps the credentials in memory, to log in again by itself when the token
   * expires. A failed login leaves the client logged out.
   */
  login(username: string, password: string): Promise<void>
  /**
   * The streams of one day (`YYYYMMDD`, Japan time), newest first; an empty array for a day with
   * none. The server judges the date (a bad one is a BadDateError).
   */
  getDay(date: string): Promise<Holodule[]>
  /**
   * The third generation's reads (`GET /schedules`, `/schedules/{id}`, `/streamers`,
   * `/streamers/{id}`), with `Authorization: Bearer`: on generation 3, and on generation 2 too
   * (its tokens are accepted there). Generation 1's tokens are not (they carry no `sub`): on
   * generation 1 these reject with a TypeError before any request.
   *
   * The streams of a range of Japan days, newest `streaming_at` first, at most 1000 (the server's
   * cap). The server judges the dates (a bad one is a BadDateError).
   */
  listSchedules(filter?: ScheduleFilter): Promise<ScheduleItem[]>
  /** One stream by its `id`; a NotFoundError when there is none. */
  getSchedule(id: string): Promise<ScheduleItem>
  /** The members, sorted by code; of one group (an exact match) when given. */
  listStreamers(filter?: { group?: string }): Promise<Streamer[]>
  /** One member by its `id`; a NotFoundError when there is none. */
  getStreamer(id: string): Promise<Streamer>
  /** Forgets the token and the credentials (the kept days too). */
  logout(): void
}

interface Kept {
  etag: string
  rows: Holodule[]
}

/** The last ETag and rows of each day, least recently used first (a Map keeps insertion order). */
const dayCache = (max: number) => {
  const days = new Map<string, Kept>()
  return {
    get(date: string): Kept | undefined {
      const kept = days.get(date)
      if (kept) {
        days.delete(date)
        days.set(date, kept)
      }
      return kept
    },
    set(date: string, kept: Kept): void {
      days.delete(date)
      days.set(date, kept)
      for (const oldest of days.keys()) {
        if (days.size <= max) break
        days.delete(oldest)
      }
    },
    delete: (date: string) => days.delete(date),
    clear: () => days.clear(),
  }
}

/**
 * The date as one path segment. `''`, `.` and `..` cannot be one (URL parsers drop or climb them,
 * `%2E%2E` included), so they are refused here; everything else goes to the server as it is.
 */
const dateSegment = (date: string): string => {
  if (date === '' || date === '.' || date === '..')
    throw new BadDateError(`GET /holodules/${date}: not sent (not a path segment)`, 0, undefined, date)
  return encodeURIComponent(date)
}

/**
 * The rows of a day's answer, kept or forgotten for the next If-None-Match. A 304 is answered from
 * `sent`, the entry whose ETag the request carried (a concurrent read or logout may have dropped it since).
 */
const settleDay = (
  date: string,
  a: Answer,
  sent: Kept | undefined,
  cache: ReturnType<typeof dayCache>,
): Holodule[] => {
  if (a.status === 304) {
    if (!sent) throw unexpected(`GET /holodules/${date}`, a, 'a 304 for a day not kept')
    return sent.rows.slice()
  }
  if (a.status === 200) {
    const rows = rowsOf(a.body)
    if (!rows) throw unexpected(`GET /holodules/${date}`, a, 'not a schedule')
    const etag = a.headers.get('ETag')
    if (etag && rows.length > 0) cache.set(date, { etag, rows })
    else cache.delete(date)
    return rows.slice()
  }
  if (isEmptyDay404(a)) {
    cache.delete(date)
    return []
  }
  throw dayError(date, a)
}

const throwError = (e: Error): never => {
  throw e
}

/** A typed client of holodule-api: no server code, only fetch, so it runs anywhere fetch does. */
export const createClient = (options: ClientOptions): HoloduleClient => {
  const generation = options.generation ?? 1
  const base = String(options.baseUrl).replace(/\/+$/, '')
  // Called unbound: a browser's fetch stored on an object and called as a method throws.
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init))
  const scheme = generation === 1 ? 'JWT' : 'Bearer'
  const cache = dayCache(options.maxCachedDays ?? 64)
  const session = createSession(base, generation, doFetch, options.token)
  const bearer = bearerReads(base, generation, doFetch, session)

  const requestDay = async (date: string, path: string, token: string | undefined) => {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (token !== undefined) headers.Authorization = `${scheme} ${token}`
    const sent = cache.get(date)
    if (sent) headers['If-None-Match'] = sent.etag
    const answer = await readAnswer(await doFetch(`${base}/holodules/${path}`, { method: 'GET', headers }))
    return { answer, sent }
  }

  return {
    generation,
    get token() {
      return session.token()
    },
    login: (username, password) => session.login(username, password),
    async getDay(date) {
      const path = dateSegment(date)
      const sentWith = session.token()
      let asked = await requestDay(date, path, sentWith)
      // Expired: log in again once (shared with any concurrent call), then ask once more.
      if (isExpired(asked.answer) && session.canRenew()) {
        await session.renew(sentWith)
        asked = await requestDay(date, path, session.token())
      }
      return settleDay(date, asked.answer, asked.sent, cache)
    },
    async listSchedules(filter = {}) {
      const query = queryOf(filter, ['sdate', 'edate', 'keyword', 'group', 'code'])
      const what = `GET /schedules${query}`
      const a = await bearer.get(what, `/schedules${query}`, `${filter.sdate ?? ''}..${filter.edate ?? ''}`)
      const items = listOf(a.body, 'schedules', toScheduleItem)
      if (!items) throw unexpected(what, a, 'not a list of schedules')
      return items
    },
    async getSchedule(id) {
      const what = `GET /schedules/${id}`
      const a = await bearer.get(what, `/schedules/${idSegment(what, id)}`)
      return toScheduleItem(a.body) ?? throwError(unexpected(what, a, 'not a schedule'))
    },
    async listStreamers(filter = {}) {
      const query = queryOf(filter, ['group'])
      const what = `GET /streamers${query}`
      const a = await bearer.get(what, `/streamers${query}`)
      const items = listOf(a.body, 'streamers', toStreamer)
      if (!items) throw unexpected(what, a, 'not a list of streamers')
      return items
    },
    async getStreamer(id) {
      const what = `GET /streamers/${id}`
      const a = await bearer.get(what, `/streamers/${idSegment(what, id)}`)
      return toStreamer(a.body) ?? throwError(unexpected(what, a, 'not a streamer'))
    },
    logout() {
      session.logout()
      cache.clear()
    },
  }
}
