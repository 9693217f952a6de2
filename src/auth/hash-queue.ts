/**
 * The fair queue for password hashes, apart from the counters that decide whether an attempt may
 * hash at all (login-throttle.ts): any login that runs a slow hash per attempt can share it, so
 * one flooding client address never takes all the hashing CPU whichever login it floods.
 */

import { type Clock, systemClock } from '../lib/clock.js'

export interface HashQueueOptions {
  /** Checks run at once, shared by every address (LOGIN_HASH_CONCURRENCY). */
  concurrency: number
  /** The longest a check may be predicted to wait for a slot; past it the check is refused at once. */
  timeoutMs: number
  /** Times each check, so a wait can be predicted; the system clock unless a test moves time. */
  clock?: Clock
}

/** `value`: what the check returned. `waitMs`: refused, the predicted wait that passed the bound. */
export type HashQueueOutcome<T> = { value: T } | { waitMs: number }

export interface HashQueue {
  /**
   * Runs `check` for `address` when a slot is free to it: at once, or after waiting behind the
   * checks already waiting; or refuses it without running it when the wait would pass the bound
   * (a 503 "Login is busy" to the client). A check that throws gives its slot back.
   */
  run<T>(address: string, check: () => Promise<T>): Promise<HashQueueOutcome<T>>
}

/** PBKDF2 at policy takes ~100 ms: the guess until a check has been timed. */
const FIRST_MEAN_MS = 100

/**
 * Password checks, `concurrency` at a time, shared between client addresses: one address runs at
 * most `concurrency - 1` of them at once (1 at the default 2), so however many attempts a flooding
 * address keeps in flight, a slot is free for another client the moment it arrives, and the flood
 * takes at most half of the hashing CPU. Waiters start oldest first among the addresses under their
 * share, so an address with nothing running never waits behind a flood's waiters; an attempt that
 * would wait past the bound is refused at once.
 */
export const createHashQueue = ({
  concurrency,
  timeoutMs,
  clock = systemClock,
}: HashQueueOptions): HashQueue => {
  const share = Math.max(1, concurrency - 1)
  let active = 0
  const running = new Map<string, number>()
  const waiting: Array<{ address: string; start: () => void }> = []
  // Mean time of one check, so a wait can be predicted before it starts.
  let meanMs = FIRST_MEAN_MS
  const mayStart = (address: string) => active < concurrency && (running.get(address) ?? 0) < share
  const take = (address: string) => {
    active++
    running.set(address, (running.get(address) ?? 0) + 1)
  }
  // A finished check hands its slot straight to a waiter, so no new arrival can take it in between.
  const release = (address: string) => {
    active--
    const left = (running.get(address) ?? 1) - 1
    if (left === 0) running.delete(address)
    else running.set(address, left)
    const i = waiting.findIndex((w) => mayStart(w.address))
    if (i === -1) return
    const [next] = waiting.splice(i, 1)
    if (!next) return
    take(next.address)
    next.start()
  }
  return {
    async run<T>(address: string, check: () => Promise<T>): Promise<HashQueueOutcome<T>> {
      if (mayStart(address)) take(address)
      else {
        const waitMs = Math.ceil((waiting.length + 1) / concurrency) * meanMs
        if (waitMs > timeoutMs) return { waitMs }
        await new Promise<void>((start) => waiting.push({ address, start }))
      }
      const start = clock.now()
      try {
        return { value: await check() }
      } finally {
        meanMs = meanMs * 0.8 + (clock.now() - start) * 0.2
        release(address)
      }
    },
  }
}
