import type { Context, TypedResponse } from 'hono'
import { toBase64Url } from '../../../lib/base64.js'
import type { Clock } from '../../../lib/clock.js'
import { createTtlCache } from '../../../lib/ttl-cache.js'
import type { Holodule, HoloduleRecord } from '../../../store/records.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv, Dialect } from '../../env.js'
import type { Metrics } from '../../metrics.js'
import { JSON_CONTENT_TYPE, notFound, respond, sendJson } from '../../responses.js'

export interface HoloduleDeps {
  store: Store
  /** Seconds a day's response is reused (and clients may keep it); 0 asks the store every time. */
  cacheTtl: number
  clock: Clock
  /** False under workerd: no refresh outlives its request (see lib/ttl-cache.ts). */
  backgroundWork: boolean
  /** Absent: metrics off. */
  metrics?: Metrics
}

/** The first generation's 200 body: no `code` in its rows. */
export interface ScheduleBody {
  result: number
  holodules: Holodule[]
}

/**
 * An answer serialised and UTF-8 encoded once: the runtimes write the bytes as they are, where a
 * string body is measured and encoded again on every response.
 */
interface Encoded {
  body: Uint8Array<ArrayBuffer>
  etag: string
}

const encode = async (value: unknown): Promise<Encoded> => {
  const body = new TextEncoder().encode(JSON.stringify(value))
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  return { body, etag: `"${toBase64Url(digest.subarray(0, 18))}"` }
}

const firstGeneration = (rows: HoloduleRecord[]): ScheduleBody => ({
  result: rows.length,
  holodules: rows.map(({ code: _code, ...wire }) => wire),
})

/** A day's rows, fetched once, and each generation's answer encoded the first time it is asked. */
class Day {
  private readonly encoded = new Map<Dialect, Promise<Encoded>>()
  constructor(readonly rows: HoloduleRecord[]) {}
  answer(dialect: Dialect): Promise<Encoded> {
    let e = this.encoded.get(dialect)
    if (!e) {
      // The second generation's body is the bare array, `code` included.
      e = encode(dialect === 1 ? firstGeneration(this.rows) : this.rows)
      this.encoded.set(dialect, e)
    }
    return e
  }
}

/**
 * The same URL answers each generation in its own shape (an object, or an array with `code`), so a
 * browser's cache must not hand one token's answer to a request with another (`private` keeps
 * shared caches out; the browser's own cache is one per origin, whatever the token).
 */
const VARY = 'Authorization'

/** If-None-Match per RFC 9110: `*` or a list, compared weakly (a W/ prefix does not matter). */
const matches = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch?.split(',') ?? []).some((t) => {
    const tag = t.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })

/** `GET /holodules/{date}` once the token and the date have passed. */
export const getDay = ({ store, cacheTtl, clock, backgroundWork, metrics }: HoloduleDeps) => {
  // Empty days are not kept, so a day that gets its first rows shows them at once. A day past
  // its TTL is still served for one more TTL while a refresh runs, so a slow query never holds
  // up the requests of a busy day.
  const days = createTtlCache<string, Day | null>({
    ttlMs: cacheTtl * 1000,
    staleMs: cacheTtl * 1000,
    clock,
    maxEntries: 2000,
    cacheable: (s) => s !== null,
    background: backgroundWork,
    onLookup: metrics && ((result) => metrics.cache('holodules', result)),
  })
  const cacheControl = `private, max-age=${cacheTtl}`
  return async (c: Context<AppEnv, '/holodules/:date', { out: { param: { date: string } } }>) => {
    const date = c.req.valid('param').date
    const day = await days.get(date, async () => {
      const rows = await store.findHolodulesByDate(date)
      return rows.length === 0 ? null : new Day(rows)
    })
    // c.get, not c.var: c.var copies every variable into a new object on each access.
    const dialect = c.get('dialect')
    // No stream that day: the first generation's 404, the second's empty array.
    if (!day) {
      if (dialect === 1) return notFound(c)
      return respond(c, '[]', 200, {
        'content-type': JSON_CONTENT_TYPE,
        vary: VARY,
      }) as unknown as TypedResponse<HoloduleRecord[], 200, 'json'>
    }
    const answer = await day.answer(dialect)
    // Object literals, not spreads: see respond() in responses.ts.
    if (matches(c.req.header('If-None-Match'), answer.etag)) {
      // No body: the route documents the 304 without content, which its type spells `{}`.
      return respond(c, null, 304, {
        etag: answer.etag,
        'cache-control': cacheControl,
        vary: VARY,
      }) as unknown as TypedResponse<Record<never, never>, 304, string>
    }
    // The bytes were encoded once from a ScheduleBody (or the second generation's array); the cast
    // gives `hc` the first generation's type, the one its clients call with.
    return respond(c, answer.body, 200, {
      etag: answer.etag,
      'cache-control': cacheControl,
      'content-type': JSON_CONTENT_TYPE,
      vary: VARY,
    }) as unknown as TypedResponse<ScheduleBody, 200, 'json'>
  }
}

/** The contract's 400 for a date that is not a real `YYYYMMDD`, in the request's generation. */
export const badDate = (c: Context<AppEnv>) =>
  c.get('dialect') === 2
    ? sendJson(c, { error: 'Bad request' }, 400)
    : sendJson(c, { error: 'Bad Request', description: 'date must be YYYYMMDD' }, 400)
