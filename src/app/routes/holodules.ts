import { zValidator } from '@hono/zod-validator'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { type Holodule, isCalendarDate, type Store } from '../../store/store.js'
import { type Clock, systemClock } from '../clock.js'
import type { AppEnv } from '../env.js'
import { JSON_CONTENT_TYPE, notFound, sendJson } from '../responses.js'
import { createTtlCache } from '../ttl-cache.js'

export interface HoloduleRouteDeps {
  store: Store
  jwtRequired: MiddlewareHandler<AppEnv>
  /** Seconds a day's response is reused (and clients may keep it); 0 asks the store every time. */
  cacheTtl?: number
  clock?: Clock
  /** False under workerd: no refresh outlives its request (see ttl-cache.ts). */
  backgroundWork?: boolean
}

const paramsSchema = z.object({ date: z.string().refine(isCalendarDate) })

/**
 * A day's answer, serialised and UTF-8 encoded once: the runtimes write the bytes as they are,
 * where a string body is measured and encoded again on every response.
 */
interface Schedule {
  body: Uint8Array<ArrayBuffer>
  etag: string
}

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

const schedule = async (holodules: Holodule[]): Promise<Schedule> => {
  const body = new TextEncoder().encode(JSON.stringify({ result: holodules.length, holodules }))
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  return { body, etag: `"${toBase64Url(digest.subarray(0, 18))}"` }
}

/** If-None-Match per RFC 9110: `*` or a list, compared weakly (a W/ prefix does not matter). */
const matches = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch?.split(',') ?? []).some((t) => {
    const tag = t.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })

export const holoduleRoutes = ({
  store,
  jwtRequired,
  cacheTtl = 0,
  clock = systemClock,
  backgroundWork = true,
}: HoloduleRouteDeps) => {
  // Empty days are not kept, so a day that gets its first rows shows them at once. A day past
  // its TTL is still served for one more TTL while a refresh runs, so a slow query never holds
  // up the requests of a busy day.
  const schedules = createTtlCache<string, Schedule | null>({
    ttlMs: cacheTtl * 1000,
    staleMs: cacheTtl * 1000,
    clock,
    maxEntries: 2000,
    cacheable: (s) => s !== null,
    background: backgroundWork,
  })
  const cacheControl = `private, max-age=${cacheTtl}`
  return new Hono<AppEnv>().get(
    '/holodules/:date',
    // Authentication first, as Flask-JWT's decorator did: no token, no hint about the input.
    jwtRequired,
    zValidator('param', paramsSchema, (result, c) => {
      if (!result.success) {
        return sendJson(c, { error: 'Bad Request', description: 'date must be YYYYMMDD' }, 400)
      }
    }),
    async (c) => {
      const date = c.req.valid('param').date
      const day = await schedules.get(date, async () => {
        const holodules = await store.findHolodulesByDate(date)
        return holodules.length === 0 ? null : schedule(holodules)
      })
      if (!day) return notFound(c)
      const headers = { ETag: day.etag, 'Cache-Control': cacheControl }
      if (matches(c.req.header('If-None-Match'), day.etag)) return c.body(null, 304, headers)
      return c.body(day.body, 200, { ...headers, 'Content-Type': JSON_CONTENT_TYPE })
    },
  )
}
