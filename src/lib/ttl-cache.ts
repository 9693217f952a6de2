import type { Clock } from './clock.js'

export interface TtlCacheOptions<V> {
  /** How long a loaded value is fresh, in milliseconds; 0 turns the cache into a pass-through. */
  ttlMs: number
  clock: Clock
  /**
   * How long past its TTL a value may still be served while a refresh runs in the background
   * (stale-while-revalidate). 0: never served past the TTL.
   */
  staleMs?: number
  /** Entries kept at most; the oldest is dropped first. */
  maxEntries?: number
  /**
   * Bytes kept at most, as `sizeOf` counts them; the oldest entries are dropped until a new one
   * fits, and a value larger than the whole bound is not kept (its flight is still shared).
   */
  maxBytes?: number
  /** A value's size for `maxBytes` (e.g. its encoded answer's bytes). Absent: every value counts 0. */
  sizeOf?: (value: V) => number
  /**
   * Whether a hit may start a refresh that no request awaits. Off under workerd, which cancels
   * work a request leaves running once it has answered: the refresh would never settle and every
   * later request for the key would wait on it. Off: no refresh-ahead and no stale window.
   */
  background?: boolean
  /** Which values may be kept (e.g. not "not found", so a new record shows up at once). */
  cacheable?: (value: V) => boolean
  /**
   * Told of each get: `hit` when a kept value answered, `miss` when the caller waited on a load
   * (its own or one in flight). Absent (metrics off): nothing is called.
   */
  onLookup?: (result: 'hit' | 'miss') => void
}

export interface TtlCache<K, V> {
  /** The cached value, or the one `load` yields; concurrent misses for one key share one load. */
  get(key: K, load: () => Promise<V>): Promise<V>
  /**
   * The value kept for `key` while it is fresh and not yet due a refresh, with no load and no
   * promise; `undefined` for anything else, which `get` then handles (a miss, a load in flight, a
   * refresh to start, a stale value). For the app's short way (app/shortcuts.ts): a value here is
   * the one `get` would have answered. Not counted: the caller counts it once it is used (`hit`),
   * so a short way that gives up and leaves the request to `get` counts nothing twice.
   */
  peek(key: K): V | undefined
  /** Counts a hit (`onLookup`): a value from `peek` was used. */
  hit(): void
  /** Forgets the key, and a load of it in flight will not be kept (it may predate a write). */
  delete(key: K): void
  /**
   * Forgets every key whose kept value `matches`, and no load in flight will be kept (its value is
   * not known yet and may predate the write that calls this). One pass over the entries: for writes.
   */
  deleteWhere(matches: (value: V, key: K) => boolean): void
  /** Forgets every key, and no load in flight will be kept. */
  clear(): void
  /** Entries kept. */
  readonly size: number
  /** Bytes kept, as `sizeOf` counts them. */
  readonly bytes: number
}

interface Entry<V> {
  value: V
  loadedAt: number
  bytes: number
}

/**
 * A small per-process cache with a time-to-live and single-flight: while a key is being loaded,
 * every other request for it waits on the same promise instead of asking the database again.
 * A hit on a key near its end (from 3/4 of the TTL, or at the TTL when a stale window is allowed)
 * also starts one background refresh, so a busy key is renewed without requests queueing behind
 * the database. Failures are never cached:
 * once a value is past its TTL (and stale window) the next request asks the store and sees the
 * outage (503).
 */
export const createTtlCache = <K, V>({
  ttlMs,
  clock,
  staleMs: staleWindow = 0,
  maxEntries = 10_000,
  maxBytes = Number.POSITIVE_INFINITY,
  sizeOf = () => 0,
  cacheable = () => true,
  background = true,
  onLookup,
}: TtlCacheOptions<V>): TtlCache<K, V> => {
  const staleMs = background ? staleWindow : 0
  const entries = new Map<K, Entry<V>>()
  const inflight = new Map<K, Promise<V>>()
  // With a stale window a refresh can wait for the TTL itself; without one it starts early enough
  // that requests rarely find the key expired and wait.
  const refreshAt = staleMs > 0 ? ttlMs : ttlMs * 0.75

  let bytes = 0

  const drop = (key: K) => {
    const e = entries.get(key)
    if (!e) return
    bytes -= e.bytes
    entries.delete(key)
  }

  /** Room for one more entry of `size` bytes: the expired go first, then the oldest. */
  const makeRoom = (size: number) => {
    const full = () => entries.size >= maxEntries || bytes + size > maxBytes
    if (!full()) return
    const expired = clock.now() - ttlMs - staleMs
    for (const [k, e] of entries) if (e.loadedAt <= expired) drop(k)
    for (const k of entries.keys()) {
      if (!full()) return
      drop(k)
    }
  }

  const keep = (key: K, value: V, loadedAt: number) => {
    drop(key)
    if (!cacheable(value)) return
    const size = sizeOf(value)
    if (size > maxBytes) return
    makeRoom(size)
    entries.set(key, { value, loadedAt, bytes: size })
    bytes += size
  }

  const fetchOnce = (key: K, load: () => Promise<V>): Promise<V> => {
    const pending = inflight.get(key)
    if (pending) return pending
    // The value is as old as the moment it was asked for, not when it arrived.
    const startedAt = clock.now()
    const p: Promise<V> = load().then(
      (value) => {
        // Not when delete or clear forgot this flight meanwhile: its value may predate a write.
        if (inflight.get(key) === p) {
          inflight.delete(key)
          keep(key, value, startedAt)
        }
        return value
      },
      (error: unknown) => {
        if (inflight.get(key) === p) inflight.delete(key)
        throw error
      },
    )
    inflight.set(key, p)
    return p
  }

  return {
    get(key, load) {
      if (ttlMs <= 0) {
        onLookup?.('miss')
        return load()
      }
      const hit = entries.get(key)
      if (hit) {
        const age = clock.now() - hit.loadedAt
        if (age < ttlMs + staleMs) {
          if (background && age >= refreshAt && !inflight.has(key)) {
            // Renew in the background; a failure here only means the next miss asks again.
            fetchOnce(key, load).catch(() => {})
          }
          if (age < ttlMs || staleMs > 0) {
            onLookup?.('hit')
            return Promise.resolve(hit.value)
          }
        }
        if (age >= ttlMs + staleMs) drop(key)
      }
      onLookup?.('miss')
      return fetchOnce(key, load)
    },
    peek(key) {
      const hit = entries.get(key)
      if (hit === undefined || clock.now() - hit.loadedAt >= refreshAt) return undefined
      return hit.value
    },
    hit() {
      onLookup?.('hit')
    },
    delete(key) {
      drop(key)
      inflight.delete(key)
    },
    deleteWhere(matches) {
      for (const [k, e] of entries) if (matches(e.value, k)) drop(k)
      inflight.clear()
    },
    clear() {
      entries.clear()
      inflight.clear()
      bytes = 0
    },
    get size() {
      return entries.size
    },
    get bytes() {
      return bytes
    },
  }
}
