import {
  type Answer,
  bearerError,
  dayError,
  type Holodule,
  hasExpired,
  isEmptyDay404,
  isExpired,
  isRefusedBearer,
  listOf,
  loginError,
  readAnswer,
  rowsOf,
  type ScheduleItem,
  type Streamer,
  toScheduleItem,
  toStreamer,
  unexpected,
} from './answers.js'
import { BadDateError, InvalidCredentialsError, NotFoundError } from './errors.js'

/** The fetch the client calls; the global one by default. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>

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

/** Which generation of clients the client speaks as (see ClientOptions.generation). */
export type Generation = 1 | 2 | 3

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

/** The filters given (undefined and `''` left out) as a query string, in `names`' order. */
const queryOf = <K extends string>(filter: Partial<Record<K, string>>, names: readonly K[]): string => {
  const params = new URLSearchParams()
  for (const name of names) {
    const value = filter[name]
    if (value !== undefined && value !== '') params.set(name, value)
  }
  const query = params.toString()
  return query === '' ? '' : `?${query}`
}

/** An id as one path segment (`''`, `.` and `..` cannot be one: refused, as no entity has them). */
const idSegment = (what: string, id: string): string => {
  if (id === '' || id === '.' || id === '..')
    throw new NotFoundError(`${what}: not sent (not a path segment)`, 0, undefined, id)
  return encodeURIComponent(id)
}

/**
 * The third generation's reads with `Authorization: Bearer`. Its 401 says the same for every
 * refused token, so with credentials the client logs in again once on any of them (an expired
 * token, a rotated secret), then asks once more; a password that no longer works ends the session
 * as in getDay.
 */
const bearerReads = (base: string, generation: Generation, doFetch: Fetch, session: Session) => {
  const ask = async (path: string, token: string | undefined) => {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (token !== undefined) headers.Authorization = `Bearer ${token}`
    return readAnswer(await doFetch(`${base}${path}`, { method: 'GET', headers }))
  }
  return {
    /** The 200 of `path`, or its failure as a typed error. */
    async get(what: string, path: string, dates?: string): Promise<Answer> {
      if (generation === 1)
        throw new TypeError(
          `${what}: the third generation's reads need generation 2 or 3 (a first-generation token has no sub)`,
        )
      let sentWith = session.token()
      let a = await ask(path, sentWith)
      if (isRefusedBearer(a) && session.canRenew()) {
        await session.renew(sentWith)
        sentWith = session.token()
        a = await ask(path, sentWith)
      }
      if (a.status === 200) return a
      throw bearerError(what, a, isRefusedBearer(a) && hasExpired(sentWith), dates)
    },
  }
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

const LOGIN_PATH = { 1: 'auth', 2: 'login', 3: 'token' } as const

/**
 * The login request of each generation: JSON `{username, password}` to /auth or /login, OAuth2's
 * password form to /token.
 */
const loginRequest = (generation: Generation, username: string, password: string): RequestInit =>
  generation === 3
    ? {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      }
    : {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      }

type Session = ReturnType<typeof createSession>

/** The token and the credentials that renew it; one renewal at a time, whoever asks. */
const createSession = (base: string, generation: Generation, doFetch: Fetch, initial: string | undefined) => {
  let token = initial
  let credentials: { username: string; password: string } | undefined
  let renewing: Promise<void> | undefined
  // Bumped by login and logout, so a renewal of an older session never overwrites a newer token.
  let epoch = 0

  const requestToken = async (username: string, password: string): Promise<string> => {
    const res = await doFetch(
      `${base}/${LOGIN_PATH[generation]}`,
      loginRequest(generation, username, password),
    )
    const a = await readAnswer(res)
    if (a.status !== 200) throw loginError(a)
    const t = (a.body as { access_token?: unknown } | undefined)?.access_token
    if (typeof t !== 'string' || t === '') throw unexpected('login', a, 'no access_token')
    return t
  }

  const logout = () => {
    epoch++
    token = undefined
    credentials = undefined
    renewing = undefined
  }

  return {
    token: () => token,
    canRenew: () => credentials !== undefined,
    logout,
    async login(username: string, password: string) {
      logout()
      const mine = epoch
      const t = await requestToken(username, password)
      if (mine !== epoch) return
      token = t
      credentials = { username, password }
    },
    renew(stale: string | undefined): Promise<void> {
      // Another call renewed it while this one's request was out: use that token.
      if (token !== stale) return Promise.resolve()
      if (renewing) return renewing
      const creds = credentials
      if (!creds) return Promise.resolve()
      const mine = epoch
      const p: Promise<void> = requestToken(creds.username, creds.password)
        .then(
          (t) => {
            if (mine === epoch) token = t
          },
          (e: unknown) => {
            // The password changed or the user is gone: stop sending credentials that count as failures.
            if (mine === epoch && e instanceof InvalidCredentialsError) logout()
            throw e
          },
        )
        .finally(() => {
          if (renewing === p) renewing = undefined
        })
      renewing = p
      return p
    },
  }
}
