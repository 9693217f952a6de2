import {
  type Answer,
  dayError,
  type Holodule,
  isEmptyDay404,
  isExpired,
  rowsOf,
  unexpected,
} from './answers.js'
import { bearerReads, idSegment, queryOf } from './bearer-reads.js'
import { BadDateError } from './errors.js'
import { type Feed, type FeedFilter, feedCalls, type NewFeed } from './feeds.js'
import { listOf, type ScheduleItem, type Streamer, toScheduleItem, toStreamer } from './schedule-answers.js'
import { createSession } from './session.js'
import { type Call, type CallOptions, createTransport } from './transport.js'
import type { Fetch, Generation } from './types.js'

export type { Feed, FeedFilter, NewFeed } from './feeds.js'
export type { CallOptions } from './transport.js'
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
  /**
   * The longest one call may take, in milliseconds, from its start to its result (a re-login and
   * its retry included); past it the call's request is cancelled and the call rejects with a
   * TimeoutError (`kind: 'timeout'`). A call's own `timeoutMs` overrides it. Default: no bound but
   * fetch's own (Node's gives up on a silent server after 5 minutes; a browser's may never).
   */
  timeoutMs?: number
  /**
   * Cancels every call of this client, in flight or later (a page or component going away): they
   * reject with an AbortedError (`kind: 'aborted'`). A call's own `signal` cancels that call alone.
   */
  signal?: AbortSignal
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
   *
   * Every method takes `options` last (`{signal, timeoutMs}`, see CallOptions); a call that gets no
   * answer rejects with a NetworkError, TimeoutError or AbortedError.
   */
  login(username: string, password: string, options?: CallOptions): Promise<void>
  /**
   * The streams of one day (`YYYYMMDD`, Japan time), newest first; an empty array for a day with
   * none. The server judges the date (a bad one is a BadDateError).
   */
  getDay(date: string, options?: CallOptions): Promise<Holodule[]>
  /**
   * The third generation's reads (`GET /schedules`, `/schedules/{id}`, `/streamers`,
   * `/streamers/{id}`), with `Authorization: Bearer`: on generation 3, and on generation 2 too
   * (its tokens are accepted there). Generation 1's tokens are not (they carry no `sub`): on
   * generation 1 these reject with a TypeError before any request.
   *
   * The streams of a range of Japan days, newest `streaming_at` first, at most 1000 (the server's
   * cap). The server judges the dates (a bad one is a BadDateError).
   */
  listSchedules(filter?: ScheduleFilter, options?: CallOptions): Promise<ScheduleItem[]>
  /** One stream by its `id`; a NotFoundError when there is none. */
  getSchedule(id: string, options?: CallOptions): Promise<ScheduleItem>
  /** The members, sorted by code; of one group (an exact match) when given. */
  listStreamers(filter?: { group?: string }, options?: CallOptions): Promise<Streamer[]>
  /** One member by its `id`; a NotFoundError when there is none. */
  getStreamer(id: string, options?: CallOptions): Promise<Streamer>
  /**
   * Calendar feeds, on every generation with its own scheme. `createFeed` makes one with
   * `/schedules`' filters and answers its secret `url` (`…/calendar/<secret>.ics`, for a calendar
   * app to subscribe to): shown this once; a FeedLimitError when the user has as many as allowed.
   */
  createFeed(filter?: FeedFilter, options?: CallOptions): Promise<NewFeed>
  /** The user's feeds, oldest first, without their URLs. */
  listFeeds(options?: CallOptions): Promise<Feed[]>
  /** Revokes a feed: its URL answers 404 at once. A NotFoundError when the user has no such feed. */
  removeFeed(id: string, options?: CallOptions): Promise<void>
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
  const transport = createTransport(doFetch, { signal: options.signal, timeoutMs: options.timeoutMs })
  const session = createSession(base, generation, transport, options.token)
  const bearer = bearerReads(base, generation, transport, session)
  const feeds = feedCalls(base, generation, transport, session)

  const requestDay = async (call: Call, date: string, path: string, token: string | undefined) => {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (token !== undefined) headers.Authorization = `${scheme} ${token}`
    const sent = cache.get(date)
    if (sent) headers['If-None-Match'] = sent.etag
    const what = `GET /holodules/${date}`
    const answer = await call.send(what, `${base}/holodules/${path}`, { method: 'GET', headers })
    return { answer, sent }
  }

  return {
    generation,
    get token() {
      return session.token()
    },
    login: (username, password, callOptions) => session.login(username, password, callOptions),
    async getDay(date, callOptions) {
      const path = dateSegment(date)
      return transport.run(callOptions, async (call) => {
        const sentWith = session.token()
        let asked = await requestDay(call, date, path, sentWith)
        // Expired: log in again once (shared with any concurrent call), then ask once more.
        if (isExpired(asked.answer) && session.canRenew()) {
          await call.wait('login', session.renew(sentWith))
          asked = await requestDay(call, date, path, session.token())
        }
        return settleDay(date, asked.answer, asked.sent, cache)
      })
    },
    async listSchedules(filter = {}, callOptions) {
      const query = queryOf(filter, ['sdate', 'edate', 'keyword', 'group', 'code'])
      const what = `GET /schedules${query}`
      const dates = `${filter.sdate ?? ''}..${filter.edate ?? ''}`
      const a = await bearer.get(what, `/schedules${query}`, callOptions, dates)
      const items = listOf(a.body, 'schedules', toScheduleItem)
      if (!items) throw unexpected(what, a, 'not a list of schedules')
      return items
    },
    async getSchedule(id, callOptions) {
      const what = `GET /schedules/${id}`
      const a = await bearer.get(what, `/schedules/${idSegment(what, id)}`, callOptions)
      return toScheduleItem(a.body) ?? throwError(unexpected(what, a, 'not a schedule'))
    },
    async listStreamers(filter = {}, callOptions) {
      const query = queryOf(filter, ['group'])
      const what = `GET /streamers${query}`
      const a = await bearer.get(what, `/streamers${query}`, callOptions)
      const items = listOf(a.body, 'streamers', toStreamer)
      if (!items) throw unexpected(what, a, 'not a list of streamers')
      return items
    },
    async getStreamer(id, callOptions) {
      const what = `GET /streamers/${id}`
      const a = await bearer.get(what, `/streamers/${idSegment(what, id)}`, callOptions)
      return toStreamer(a.body) ?? throwError(unexpected(what, a, 'not a streamer'))
    },
    createFeed: (filter = {}, callOptions) => feeds.create(filter, callOptions),
    listFeeds: (callOptions) => feeds.list(callOptions),
    removeFeed: (id, callOptions) => feeds.remove(id, callOptions),
    logout() {
      session.logout()
      cache.clear()
    },
  }
}
