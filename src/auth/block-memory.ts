/**
 * Blocks already seen in the shared store, remembered in the process (rate-limiter-flexible's
 * `inMemoryBlockOnConsumed`): a flood past its limit is answered 429 from memory, without two
 * store queries per attempt, which cost Node ~150 µs of event loop each under a login flood. The
 * store is asked again after `recheckMs` at most, so a block lifted there is seen within that.
 */

import { type Clock, systemClock } from '../lib/clock.js'

export interface BlockMemoryOptions {
  /** How long a block is trusted from memory before the store is asked again (10 s unless told). */
  recheckMs?: number
  /** Blocks remembered at most (10,000 unless told); the oldest goes first, so memory stays bounded. */
  maxEntries?: number
  clock?: Clock
}

export interface BlockMemory {
  /**
   * Milliseconds left of the block remembered for `key`, the real remainder the store gave (for
   * Retry-After), not the recheck time; 0 when none is remembered, it ended, or it is due for a
   * recheck (then it is forgotten, and the caller asks the store).
   */
  remaining(key: string): number
  /** Remembers that the store blocks `key` for `ms` from now; a block of 0 or less is no block. */
  remember(key: string, ms: number): void
}

const RECHECK_MS = 10_000
const MAX_ENTRIES = 10_000

export const createBlockMemory = ({
  recheckMs = RECHECK_MS,
  maxEntries = MAX_ENTRIES,
  clock = systemClock,
}: BlockMemoryOptions = {}): BlockMemory => {
  const memo = new Map<string, { until: number; recheck: number }>()
  return {
    remaining(key) {
      const m = memo.get(key)
      if (m === undefined) return 0
      const now = clock.now()
      if (m.recheck > now && m.until > now) return m.until - now
      memo.delete(key)
      return 0
    },
    remember(key, ms) {
      if (ms <= 0) return
      const now = clock.now()
      if (memo.size >= maxEntries) memo.delete(memo.keys().next().value as string)
      memo.set(key, { until: now + ms, recheck: now + Math.min(ms, recheckMs) })
    },
  }
}
