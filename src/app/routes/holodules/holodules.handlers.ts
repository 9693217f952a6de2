import type { Context, TypedResponse } from 'hono'
import { z } from 'zod'
import { toBase64Url } from '../../../lib/base64.js'
import type { Clock } from '../../../lib/clock.js'
import { createTtlCache } from '../../../lib/ttl-cache.js'
import { type Holodule, isCalendarDate, type Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { JSON_CONTENT_TYPE, notFound, sendJson } from '../../responses.js'

export interface HoloduleDeps {
  store: Store
  /** Seconds a day's response is reused (and clients may keep it); 0 asks the store every time. */
  cacheTtl: number
  clock: Clock
  /** False under workerd: no refresh outlives its request (see lib/ttl-cache.ts). */
  backgroundWork: boolean
}

export const paramsSchema = z.object({ date: z.string().refine(isCalendarDate) })

/** The first generation's 200 body. */
export interface ScheduleBody {
  result: number
  holodules: Holodule[]
}

/**
 * A day's answer, serialised and UTF-8 encoded once: the runtimes write the bytes as they are,
 * where a string body is measured and encoded again on every response.
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

/** If-None-Match per RFC 9110: `*` or a list, compared weakly (a W/ prefix does not matter). */
const matches = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch?.split(',') ?? []).some((t) => {
    const tag = t.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })

/** `GET /holodules/{date}` once the token and the date have passed. */
export const getDay = ({ store, cacheTtl, clock, backgroundWork }: HoloduleDeps) => {
  // Empty days are not kept, so a day that gets its first rows shows them at once. A day past
  // its TTL is still served for one more TTL while a refresh runs, so a slow query never holds
  // up the requests of a busy day.
  const days = createTtlCache<string, Encoded | null>({
    ttlMs: cacheTtl * 1000,
    staleMs: cacheTtl * 1000,
    clock,
    maxEntries: 2000,
    cacheable: (s) => s !== null,
    background: backgroundWork,
  })
  const cacheControl = `private, max-age=${cacheTtl}`
  return async (c: Context<AppEnv, '/holodules/:date', { out: { param: { date: string } } }>) => {
    const date = c.req.valid('param').date
    const day = await days.get(date, async () => {
      const holodules = await store.findHolodulesByDate(date)
      return holodules.length === 0 ? null : encode({ result: holodules.length, holodules })
    })
    if (!day) return notFound(c)
    const headers = { ETag: day.etag, 'Cache-Control': cacheControl }
    if (matches(c.req.header('If-None-Match'), day.etag)) return c.body(null, 304, headers)
    // The bytes were encoded once from a ScheduleBody; the cast gives `hc` the type they carry.
    return c.body(day.body, 200, {
      ...headers,
      'Content-Type': JSON_CONTENT_TYPE,
    }) as unknown as TypedResponse<ScheduleBody, 200, 'json'>
  }
}

/** The contract's 400 for a date that is not a real `YYYYMMDD`. */
export const badDate = (c: Context) =>
  sendJson(c, { error: 'Bad Request', description: 'date must be YYYYMMDD' }, 400)
