import type { Clock } from './clock.js'

export interface TtlCacheOptions<V> {
  /** How long a loaded value is served, in milliseconds; 0 turns the cache into a pass-through. */
  ttlMs: number
  clock: Clock
  /** Entries kept at most; the oldest is dropped first. */
  maxEntries?: number
  /** Which values may be kept (e.g. not "not found", so a new record shows up at once). */
  cacheable?: (value: V) => boolean
}

export interface TtlCache<K, V> {
  /** The cached value, or the one `load` yields; concurrent misses for one key share one load. */
  get(key: K, load: () => Promise<V>): Promise<V>
  delete(key: K): void
  readonly size: number
}

/**
 * A small per-process cache with a time-to-live and single-flight: while a key is being loaded,
 * every other request for it waits on the same promise instead of asking the database again.
 * Failures are never cached, so a database outage is seen (503) and recovery is immediate.
 */
export const createTtlCache = <K, V>({
  ttlMs,
  clock,
  maxEntries = 10_000,
  cacheable = () => true,
}: TtlCacheOptions<V>): TtlCache<K, V> => {
  const entries = new Map<K, { value: V; expiresAt: number }>()
  const inflight = new Map<K, Promise<V>>()

  const store = (key: K, value: V) => {
    if (!cacheable(value)) return
    entries.delete(key)
    if (entries.size >= maxEntries) {
      const now = clock.now()
      for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k)
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as K)
    }
    entries.set(key, { value, expiresAt: clock.now() + ttlMs })
  }

  return {
    get(key, load) {
      if (ttlMs <= 0) return load()
      const hit = entries.get(key)
      if (hit) {
        if (hit.expiresAt > clock.now()) return Promise.resolve(hit.value)
        entries.delete(key)
      }
      const pending = inflight.get(key)
      if (pending) return pending
      const p = load().then(
        (value) => {
          inflight.delete(key)
          store(key, value)
          return value
        },
        (error: unknown) => {
          inflight.delete(key)
          throw error
        },
      )
      inflight.set(key, p)
      return p
    },
    delete(key) {
      entries.delete(key)
    },
    get size() {
      return entries.size
    },
  }
}
