/**
 * Login throttling as rate-limiter-flexible documents it for login endpoints: failures counted per
 * (user name, client address) and per address per day, checked before any password hash so a
 * blocked attempt costs nothing and says nothing about the user. Plus what a counter cannot do:
 * at most a few password checks of one address in flight, and a queue for the hashes in two lanes
 * (hash-queue.ts): addresses with no failure counted never wait behind those with failures, which
 * share a bounded part and are the only ones answered busy. Blocks the store answered are
 * remembered for a while (block-memory.ts), so a flood past its limit costs no store query per
 * attempt. Addresses are counted by addressGroup (an IPv6 client by its /64).
 *
 * The account limit, across addresses (rate-limiter-flexible's login example counts failures per
 * user name too, and warns that blocking a user name outright lets anyone lock its owner out):
 * failures of one user name over every address are counted for an hour; past accountLimit, an
 * attempt at it is answered 429 without a hash when it comes from an address that has failures
 * counted and has not logged in as that user before. A clean address is never refused (the
 * contract), and an address the user logged in from in the last two weeks still gets through, so
 * a flood at one user from many addresses gets accountLimit guesses an hour plus one per fresh
 * address, while its owner can still log in from home, or from any address that has not failed.
 */

import { addressGroup } from '../lib/address.js'
import { type Clock, systemClock } from '../lib/clock.js'
import { createBlockMemory } from './block-memory.js'
import { createHashQueue, type HashLane } from './hash-queue.js'
import type { HashPriority } from './password.js'

/** What a counter answers: rate-limiter-flexible's RateLimiterRes, reduced to what we read. */
export interface LimiterState {
  consumedPoints: number
  msBeforeNext: number
}

/**
 * A shared counter with expiry (rate-limiter-flexible's limiters fit it). `consume` may reject with
 * a LimiterState when the key is over its points; any other rejection means the storage failed.
 */
export interface Limiter {
  get(key: string): Promise<LimiterState | null>
  consume(key: string): Promise<LimiterState>
  delete(key: string): Promise<boolean>
  block(key: string, seconds: number): Promise<unknown>
}

export interface LoginLimiters {
  /** Consecutive failures of one (user name, address); points = maxConsecutiveFails. */
  consecutive: Limiter
  /** Failures of one address in a day; points = maxFailsPerAddress, blocks for a day. */
  perAddress: Limiter
  /** How many times a (user name, address) was blocked in a day: each block lasts twice the last. */
  blocks: Limiter
  /** Failures of one user name over every address, in ACCOUNT_WINDOW_S; points = accountLimit. */
  perUser: Limiter
  /** The (user name, address) pairs that logged in: set (blocked) on a success, for two weeks. */
  known: Limiter
}

export interface ThrottlePolicy {
  maxConsecutiveFails: number
  maxFailsPerAddress: number
  maxInflightPerAddress: number
  /** The longest an attempt may wait for a hashing slot before it is answered 503 instead. */
  queueTimeoutMs: number
  /**
   * Password hashes run at once (one address gets all but one of them): on Node and Bun the
   * hashing threads of src/runtime/node/hashing.ts; on Workers WebCrypto's, below its pool's size.
   */
  hashConcurrency: number
  /**
   * How long a throttled attempt waits before its 429 (never longer than its Retry-After), as
   * login(1) and pam_faildelay hold a failed login: a client that sends its next guess when the
   * last is answered gets one a second per connection instead of as many as the server can
   * answer, so a flood past its limit costs the server next to nothing. 0: answered at once.
   */
  throttledDelayMs: number
  /** Failures of one user name over all addresses before the account limit. Absent: accountLimit's default. */
  maxFailsPerUser?: number
}

/** The account limit's window: an hour, so a limited user name is free again within one. */
export const ACCOUNT_WINDOW_S = 3600

/**
 * Failures of one user name over every address before its account limit: twice one address's
 * consecutive failures by default (20), so one address alone is blocked by its own count first.
 */
export const accountLimit = (p: Pick<ThrottlePolicy, 'maxConsecutiveFails' | 'maxFailsPerUser'>) =>
  p.maxFailsPerUser ?? 2 * p.maxConsecutiveFails

/** How long a successful (user name, address) is remembered as the user's own. */
const KNOWN_S = 14 * 86_400

export type Attempt<T> =
  | { kind: 'done'; value: T }
  | { kind: 'throttled'; retryAfter: number }
  | { kind: 'busy'; retryAfter: number }

/** The first block of a (user name, address) lasts a minute; each next one twice as long, a day at most. */
const FIRST_BLOCK_S = 60
const MAX_BLOCK_S = 86_400

const isState = (v: unknown): v is LimiterState =>
  typeof v === 'object' && v !== null && 'msBeforeNext' in v && 'consumedPoints' in v

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

export interface LoginThrottle {
  /**
   * Runs `check` (the password verification; `ok` when the login succeeds) unless the address or
   * the (user name, address) is throttled or the hash queue is full, and counts its outcome.
   * `check` is told `low` when the address has failures counted or another check running: its
   * hash may yield to others.
   */
  attempt<T extends { ok: boolean }>(
    username: string,
    address: string,
    check: (priority: HashPriority) => Promise<T>,
  ): Promise<Attempt<T>>
}

/** Counts a failure's outcome: an over-limit answer is expected, any other rejection is storage. */
const counted = async (consume: Promise<LimiterState>) => {
  try {
    return await consume
  } catch (e) {
    if (isState(e)) return e
    throw e
  }
}

// Long names are cut: a key is a lookup, not storage for whatever a client sends. Exported for
// `holodule login unblock`, which deletes the counters by the same keys: `perUser` by cut(name);
// `consecutive`, `blocks` and `known` by userKey(name, addressGroup(address)); `perAddress` by the group.
export const cut = (username: string) => username.slice(0, 256)
export const userKey = (username: string, group: string) => `${group}|${cut(username)}`

/** The store's counters as the policy reads and writes them, and what is remembered of them. */
const policyCounters = (limiters: LoginLimiters, policy: ThrottlePolicy, clock: Clock) => {
  const remembered = createBlockMemory({ clock })
  // Addresses seen with failures counted, and user names seen past the account limit: a flood of
  // them is answered from memory while the suspects' lane is full, without a store query each.
  const suspects = createBlockMemory({ clock })
  const accounts = createBlockMemory({ clock })
  // Addresses that logged in here (this process, for KNOWN_S): the clean lane keeps a slot for them
  // (hash-queue.ts). Memory only, bounded like the others: a store query per attempt would cost more
  // than the slot is worth, and each process learns its own.
  const trusted = createBlockMemory({ clock, recheckMs: KNOWN_S * 1000 })
  const perUserLimit = accountLimit(policy)

  /** Milliseconds until this attempt may run (0: now), and the failures counted so far. */
  const blockedFor = async (uk: string, group: string) => {
    const [byUser, byAddress] = await Promise.all([
      limiters.consecutive.get(uk),
      limiters.perAddress.get(group),
    ])
    let ms = 0
    if (byUser && byUser.consumedPoints >= policy.maxConsecutiveFails) {
      ms = byUser.msBeforeNext
      remembered.remember(uk, byUser.msBeforeNext)
    }
    if (byAddress && byAddress.consumedPoints >= policy.maxFailsPerAddress) {
      ms = Math.max(ms, byAddress.msBeforeNext)
      remembered.remember(group, byAddress.msBeforeNext)
    }
    if (byAddress && byAddress.consumedPoints > 0) suspects.remember(group, byAddress.msBeforeNext)
    const fails = byUser?.consumedPoints ?? 0
    return { ms, fails, suspect: fails > 0 || (byAddress?.consumedPoints ?? 0) > 0 }
  }

  /**
   * For an address with failures counted: milliseconds the account limit holds this user name
   * from it (0: none), unless the address has logged in as that user before.
   */
  const accountBlock = async (username: string, uk: string) => {
    let ms = accounts.remaining(cut(username))
    if (ms === 0) {
      const byName = await limiters.perUser.get(cut(username))
      if (byName && byName.consumedPoints >= perUserLimit) {
        ms = byName.msBeforeNext
        accounts.remember(cut(username), ms)
      }
    }
    return ms > 0 && (await limiters.known.get(uk)) === null ? ms : 0
  }

  /** Counts a failure; storage errors propagate, an over-limit answer is the expected outcome. */
  const countFailure = async (uk: string, group: string, username: string) => {
    const [byUser, byAddress] = await Promise.all([
      counted(limiters.consecutive.consume(uk)),
      counted(limiters.perAddress.consume(group)),
      counted(limiters.perUser.consume(cut(username))),
    ])
    suspects.remember(group, byAddress.msBeforeNext)
    if (byUser.consumedPoints >= policy.maxConsecutiveFails) {
      const blocks = await counted(limiters.blocks.consume(uk))
      const s = Math.min(MAX_BLOCK_S, FIRST_BLOCK_S * 2 ** Math.max(0, blocks.consumedPoints - 1))
      await limiters.consecutive.block(uk, s)
      remembered.remember(uk, s * 1000)
    }
  }

  /** A success resets the consecutive failures (nothing to write when there were none), and makes
   * this address the user's own for the account limit. */
  const countSuccess = (uk: string, group: string, fails: number) => {
    trusted.remember(group, KNOWN_S * 1000)
    return Promise.all([fails > 0 && limiters.consecutive.delete(uk), limiters.known.block(uk, KNOWN_S)])
  }

  return { remembered, suspects, trusted, blockedFor, accountBlock, countFailure, countSuccess }
}

/** `clock` times the hashes and the remembered blocks; the system clock unless a test moves time. */
export const createLoginThrottle = (
  limiters: LoginLimiters,
  policy: ThrottlePolicy,
  clock: Clock = systemClock,
): LoginThrottle => {
  const inflight = new Map<string, number>()
  const queue = createHashQueue({
    concurrency: policy.hashConcurrency,
    timeoutMs: policy.queueTimeoutMs,
    clock,
  })
  const { remembered, suspects, trusted, blockedFor, accountBlock, countFailure, countSuccess } =
    policyCounters(limiters, policy, clock)

  /**
   * Between half and all of throttledDelayMs, at random: clients that all sent at once (a flood's
   * connections opened together) are answered spread over that time rather than in one burst
   * each period, which would hold every other request behind a whole round of them.
   */
  const hold = async (retryAfter: number) => {
    const ms = Math.min(policy.throttledDelayMs, retryAfter * 1000) * (0.5 + Math.random() / 2)
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
  }

  /** Past the address's own limits: its lane, and whether the account limit holds it. */
  const admit = async (username: string, uk: string, group: string, held: number) => {
    const blocked = await blockedFor(uk, group)
    if (blocked.ms > 0) return { ms: blocked.ms }
    if (blocked.suspect) {
      const ms = await accountBlock(username, uk)
      if (ms > 0) return { ms }
    }
    // Suspect: failures counted, or another check of this address already running (a client logs
    // in once at a time; a flood's first volley is many at once, before any has failed). The hash's
    // priority is the lane's: a clean slot never waits on the low thread, which on a busy machine
    // gets no CPU at all (SCHED_IDLE), behind the suspects' hashes.
    const lane: HashLane =
      blocked.suspect || held > 0 ? 'suspect' : trusted.remaining(group) > 0 ? 'trusted' : 'clean'
    const priority: HashPriority = lane === 'suspect' ? 'low' : 'normal'
    return { ms: 0, lane, priority, fails: blocked.fails }
  }

  const attempt = async <T extends { ok: boolean }>(
    username: string,
    address: string,
    check: (priority: HashPriority) => Promise<T>,
  ): Promise<Attempt<T>> => {
    const group = addressGroup(address)
    const uk = userKey(username, group)
    // Keys: an address has no `|` (user keys do), so the two kinds never meet in the block memory.
    const known = Math.max(remembered.remaining(group), remembered.remaining(uk))
    if (known > 0) return { kind: 'throttled', retryAfter: seconds(known) }
    const held = inflight.get(group) ?? 0
    if (held >= policy.maxInflightPerAddress) return { kind: 'throttled', retryAfter: 1 }
    // A known suspect while the suspects' part is full: busy at once, no store query.
    const full = suspects.remaining(group) > 0 ? queue.suspectRefusal() : 0
    if (full > 0) return { kind: 'busy', retryAfter: seconds(full) }
    inflight.set(group, held + 1)
    try {
      const admitted = await admit(username, uk, group, held)
      if (admitted.ms > 0 || !admitted.lane) return { kind: 'throttled', retryAfter: seconds(admitted.ms) }
      const { lane, priority } = admitted
      const outcome = await queue.run(group, lane, () => check(priority))
      if ('waitMs' in outcome) return { kind: 'busy', retryAfter: seconds(outcome.waitMs) }
      if (!outcome.value.ok) await countFailure(uk, group, username)
      else await countSuccess(uk, group, admitted.fails)
      return { kind: 'done', value: outcome.value }
    } finally {
      const left = (inflight.get(group) ?? 1) - 1
      if (left === 0) inflight.delete(group)
      else inflight.set(group, left)
    }
  }

  return {
    async attempt(username, address, check) {
      const result = await attempt(username, address, check)
      // Held after the in-flight count is given back: a held answer occupies no password-check slot.
      // A busy answer too: only suspect addresses get one, and answered at once a flood of them
      // would come straight back, thousands a second of store queries and event-loop time.
      if (result.kind !== 'done') await hold(result.retryAfter)
      return result
    },
  }
}
