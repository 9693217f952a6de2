import type { Limiter, LimiterState } from '../../auth/login-throttle.js'
import { type CounterOptions, LOGIN_ATTEMPTS, type LoginLimitersFor, limiters } from '../login-limiters.js'
import type { DataApiClient } from './client.js'

type Doc = { points?: unknown; expire?: unknown }

const ejsonDate = (ms: number) => ({ $date: { $numberLong: String(ms) } })

/**
 * rate-limiter-flexible's Mongo counters (`{key, points, expire}` in `login_attempts`), spoken
 * through the Data API, so a Worker counts with the servers on the same database. The Data API has
 * no findOneAndUpdate: a failure is an $inc on a live count, or a fresh count when there is none
 * (two first failures at once may count as one). Only failures write; `get` is one findOne.
 */
const dataApiLimiter = (client: DataApiClient, o: CounterOptions): Limiter => {
  const key = (k: string) => `${o.keyPrefix}:${k}`
  const state = (doc: Doc | null, now: number): LimiterState | null => {
    // The gateway answers plain JSON: a date comes back as an ISO string (or a Date from EJSON).
    const raw = doc?.expire
    const expire =
      raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : Number.NaN
    if (!doc || !(expire > now) || typeof doc.points !== 'number') return null
    return { consumedPoints: doc.points, msBeforeNext: expire - now }
  }
  const set = (k: string, points: number, expireMs: number) =>
    client.action('updateOne', LOGIN_ATTEMPTS, {
      filter: { key: key(k) },
      update: { $set: { points, expire: ejsonDate(expireMs) } },
      upsert: true,
    })
  const get = async (k: string) =>
    state(await client.findOne(LOGIN_ATTEMPTS, { key: key(k) }, { _id: 0, points: 1, expire: 1 }), Date.now())
  return {
    get,
    async consume(k) {
      const now = Date.now()
      const live = await client.action<{ matchedCount?: unknown }>('updateOne', LOGIN_ATTEMPTS, {
        filter: { key: key(k), expire: { $gt: ejsonDate(now) } },
        update: { $inc: { points: 1 } },
      })
      const fresh = { consumedPoints: 1, msBeforeNext: o.duration * 1000 }
      let current: LimiterState | null = fresh
      if (live.matchedCount === 1) current = (await get(k)) ?? fresh
      else await set(k, 1, now + o.duration * 1000)
      if (current.consumedPoints <= o.points) return current
      if (o.blockDuration) {
        await set(k, current.consumedPoints, now + o.blockDuration * 1000)
        current = { ...current, msBeforeNext: o.blockDuration * 1000 }
      }
      throw current
    },
    async delete(k) {
      const r = await client.action<{ deletedCount?: unknown }>('deleteOne', LOGIN_ATTEMPTS, {
        filter: { key: key(k) },
      })
      return r.deletedCount === 1
    },
    block: (k, seconds) => set(k, o.points + 1, Date.now() + seconds * 1000),
  }
}

/** The login counters of a Worker in Data API mode: the servers' collection, through the gateway. */
export const dataApiLoginLimiters =
  (client: DataApiClient): LoginLimitersFor =>
  (policy) =>
    limiters(policy, (opts) => dataApiLimiter(client, opts))
