/**
 * The fair queue for password hashes, apart from the counters that decide whether an attempt may
 * hash at all (login-throttle.ts): any login that runs a slow hash per attempt can share it, so
 * one flooding client address never takes all the hashing CPU whichever login it floods, and
 * many flooding addresses never take a clean address's turn (the contract's Login throttling).
 */

import { type Clock, systemClock } from '../lib/clock.js'

export interface HashQueueOptions {
  /** Clean checks run at once, shared by every clean address (LOGIN_HASH_CONCURRENCY). */
  concurrency: number
  /** The longest a suspect check may be predicted to wait for a slot; past it it is refused at once. */
  timeoutMs: number
  /** Times each check, so a wait can be predicted; the system clock unless a test moves time. */
  clock?: Clock
}

/** `value`: what the check returned. `waitMs`: refused, the predicted wait that passed the bound. */
export type HashQueueOutcome<T> = { value: T } | { waitMs: number }

/**
 * `clean`: the address has no failure counted. `trusted`: clean, and it has logged in here before
 * (the clean lane keeps a slot for such addresses once one has come). `suspect`: it has failures
 * counted (or its attempts come several at once): its checks share a bounded part of the capacity,
 * and only they are ever refused.
 */
export type HashLane = 'trusted' | 'clean' | 'suspect'

export interface HashQueue {
  /**
   * Runs `check` for `address` when a slot of its lane is free to it: at once, or after waiting
   * behind the checks already waiting in that lane (never behind the other lane's); or, in the
   * suspect lane only, refuses it without running it when the wait would pass the bound (a 503
   * "Login is busy" to the client). A check that throws gives its slot back.
   */
  run<T>(address: string, lane: HashLane, check: () => Promise<T>): Promise<HashQueueOutcome<T>>
  /** The wait a suspect check arriving now would be refused with, or 0 when it would be taken. */
  suspectRefusal(): number
}

/** PBKDF2 at policy takes ~100 ms: the guess until a check has been timed. */
const FIRST_MEAN_MS = 100

interface LaneOptions {
  slots: number
  /** Slots only a trusted check may take (0: none kept), asked at each start. */
  reserve: () => number
  /** Checks of one address running at once in this lane. */
  share: number
  /** Refuse a check predicted to wait past this; Infinity: never refuse. */
  boundMs: number
  /**
   * Which address a freed slot goes to: the oldest waiter's, or the newest's (its oldest check
   * first) unless a waiter has waited `agingMs` already, which goes first then.
   */
  order: { newest: false } | { newest: true; agingMs: number }
  clock: Clock
}

/**
 * The clean lane's bound on serving the newest first, so none waits much past it however many newer
 * ones keep arriving. Long: on a loaded machine a volley of 32 first attempts took ~30 s to hash, and
 * with a bound of 5 s every login arriving meanwhile went back behind all of them.
 */
const CLEAN_AGING_MS = 60_000

/**
 * One lane: `slots` checks at a time, one address at most `share` of them, waiters started oldest
 * first among the addresses under their share, so an address with nothing running never waits
 * behind a flooding address's waiters; a check predicted to wait past the bound is refused.
 */
const lane = ({ slots, reserve, share, boundMs, order, clock }: LaneOptions) => {
  let active = 0
  const running = new Map<string, number>()
  const waiting: Array<{ address: string; trusted: boolean; since: number; start: () => void }> = []
  // Mean time of one check, so a wait can be predicted before it starts.
  let meanMs = FIRST_MEAN_MS
  const mayStart = (address: string, trusted: boolean) =>
    active < slots - (trusted ? 0 : reserve()) && (running.get(address) ?? 0) < share
  const mayStartWaiter = (w: { address: string; trusted: boolean } | undefined) =>
    w !== undefined && mayStart(w.address, w.trusted)
  const take = (address: string) => {
    active++
    running.set(address, (running.get(address) ?? 0) + 1)
  }
  const nextWaiter = () => {
    const oldest = waiting.findIndex(mayStartWaiter)
    if (!order.newest || oldest === -1) return oldest
    const now = clock.now()
    if (now - (waiting[oldest]?.since ?? now) >= order.agingMs) return oldest
    let newest = waiting.length - 1
    while (newest > oldest && !mayStartWaiter(waiting[newest])) newest--
    const address = waiting[newest]?.address
    return waiting.findIndex((w) => w.address === address && mayStartWaiter(w))
  }
  // A finished check hands its slot straight to a waiter, so no new arrival can take it in between.
  const release = (address: string) => {
    active--
    const left = (running.get(address) ?? 1) - 1
    if (left === 0) running.delete(address)
    else running.set(address, left)
    const i = nextWaiter()
    if (i === -1) return
    const [next] = waiting.splice(i, 1)
    if (!next) return
    take(next.address)
    next.start()
  }
  const predictedWait = () => Math.ceil((waiting.length + 1) / slots) * meanMs
  return {
    /** The predicted wait past the bound of a check that could not start at once; 0 otherwise. */
    refusal: () => (active < slots || predictedWait() <= boundMs ? 0 : predictedWait()),
    async run<T>(address: string, trusted: boolean, check: () => Promise<T>): Promise<HashQueueOutcome<T>> {
      if (mayStart(address, trusted)) take(address)
      else {
        const waitMs = predictedWait()
        if (waitMs > boundMs) return { waitMs }
        await new Promise<void>((start) => waiting.push({ address, trusted, since: clock.now(), start }))
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

/**
 * Password checks in two lanes. Clean addresses have `concurrency` slots of their own (on Node and
 * Bun the `normal` hashing threads, src/runtime/node/hashing.ts), one address at most
 * `concurrency - 1` of them (1 at the default 2), so a slot is free for another clean client the
 * moment it arrives; a clean check is never refused, and never waits behind a suspect one. Suspect
 * addresses share half the slots (at least one: the one SCHED_IDLE `low` thread on Node and Bun),
 * one check of each address at a time, and past the bound they are answered busy: however many
 * addresses flood, they take at most that part of the hashing, and a clean login starts at once.
 *
 * Clean waiters are served newest address first (for up to CLEAN_AGING_MS): a botnet's first volley
 * is one clean attempt from each of its addresses (none has failed yet), and served oldest first
 * it would hold every clean login arriving after it behind all of them (32 addresses at ~150 ms a
 * hash: seconds); newest first, such a login waits for the next free slot. Suspects, oldest first.
 */
export const createHashQueue = ({
  concurrency,
  timeoutMs,
  clock = systemClock,
}: HashQueueOptions): HashQueue => {
  // Once an address that logged in here before has come back, one clean slot is kept for such
  // addresses: a botnet's first volley (one clean attempt from each fresh address) otherwise holds
  // every clean slot, and on one core a returning user's login waited for a slot and then hashed at
  // half speed (869 ms on Node in the many-addresses flood, 216 ms alone). Before any has come back
  // there is no one to keep it for; with one slot, nothing to keep.
  let trustedSeen = false
  const clean = lane({
    slots: Math.max(1, concurrency),
    reserve: () => (trustedSeen && concurrency >= 2 ? 1 : 0),
    share: Math.max(1, concurrency - 1),
    boundMs: Number.POSITIVE_INFINITY,
    order: { newest: true, agingMs: CLEAN_AGING_MS },
    clock,
  })
  const suspect = lane({
    slots: Math.max(1, Math.floor(concurrency / 2)),
    reserve: () => 0,
    share: 1,
    boundMs: timeoutMs,
    order: { newest: false },
    clock,
  })
  return {
    run: (address, which, check) => {
      if (which === 'suspect') return suspect.run(address, false, check)
      if (which === 'trusted') trustedSeen = true
      return clean.run(address, which === 'trusted', check)
    },
    suspectRefusal: () => suspect.refusal(),
  }
}
