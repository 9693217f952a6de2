import {
  type Answer,
  dayError,
  type Holodule,
  isEmptyDay404,
  isExpired,
  loginError,
  readAnswer,
  rowsOf,
  unexpected,
} from './answers.js'
import { BadDateError, InvalidCredentialsError } from './errors.js'

/** The fetch the client calls; the global one by default. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>

export interface ClientOptions {
  /** Where the API is: `https://api.example.com`, or with a path prefix, `https://example.com/api`. */
  baseUrl: string | URL
  /** Default: the global fetch (browsers, Node, Bun, Workers). */
  fetch?: Fetch
  /**
   * Which generation of the old service's clients to speak as: 1 (default), Flask-JWT's
   * `POST /auth` and `Authorization: JWT`; 2, Flask-JWT-Extended's `POST /login` and `Bearer`.
   */
  generation?: 1 | 2
  /** A token saved earlier (`client.token`); with no credentials it is not renewed when it expires. */
  token?: string
  /** Days whose ETag and rows are kept to answer a 304, least recently used dropped first. Default 64. */
  maxCachedDays?: number
}

export interface HoloduleClient {
  readonly generation: 1 | 2
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

/** A typed client of holodule-api: no server code, only fetch, so it runs anywhere fetch does. */
export const createClient = (options: ClientOptions): HoloduleClient => {
  const generation = options.generation ?? 1
  const base = String(options.baseUrl).replace(/\/+$/, '')
  // Called unbound: a browser's fetch stored on an object and called as a method throws.
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init))
  const scheme = generation === 1 ? 'JWT' : 'Bearer'
  const cache = dayCache(options.maxCachedDays ?? 64)
  const session = createSession(base, generation, doFetch, options.token)

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
    logout() {
      session.logout()
      cache.clear()
    },
  }
}

/** The token and the credentials that renew it; one renewal at a time, whoever asks. */
const createSession = (base: string, generation: 1 | 2, doFetch: Fetch, initial: string | undefined) => {
  let token = initial
  let credentials: { username: string; password: string } | undefined
  let renewing: Promise<void> | undefined
  // Bumped by login and logout, so a renewal of an older session never overwrites a newer token.
  let epoch = 0

  const requestToken = async (username: string, password: string): Promise<string> => {
    const res = await doFetch(`${base}/${generation === 1 ? 'auth' : 'login'}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    })
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
