/**
 * Login throttling as rate-limiter-flexible documents it for login endpoints: failures counted per
 * (user name, client address) and per address per day, checked before any password hash so a
 * blocked attempt costs nothing and says nothing about the user. Plus what a counter cannot do:
 * at most a few password checks of one address in flight, and a bounded queue for the hashes
 * (hash-queue.ts). Blocks the store answered are remembered for a while (block-memory.ts), so a
 * flood past its limit costs no store query per attempt.
 */

import { type Clock, systemClock } from '../lib/clock.js'
import { createBlockMemory } from './block-memory.js'
import { createHashQueue } from './hash-queue.js'
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
}

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
  const remembered = createBlockMemory({ clock })
  // Long names are cut: a key is a lookup, not storage for whatever a client sends.
  const userKey = (username: string, address: string) => `${address}|${username.slice(0, 256)}`

  /** Milliseconds until this attempt may run (0: now), and the failures counted so far. */
  const blockedFor = async (uk: string, address: string) => {
    const [byUser, byAddress] = await Promise.all([
      limiters.consecutive.get(uk),
      limiters.perAddress.get(address),
    ])
    let ms = 0
    if (byUser && byUser.consumedPoints >= policy.maxConsecutiveFails) {
      ms = byUser.msBeforeNext
      remembered.remember(uk, byUser.msBeforeNext)
    }
    if (byAddress && byAddress.consumedPoints >= policy.maxFailsPerAddress) {
      ms = Math.max(ms, byAddress.msBeforeNext)
      remembered.remember(address, byAddress.msBeforeNext)
    }
    const fails = byUser?.consumedPoints ?? 0
    return { ms, fails, suspect: fails > 0 || (byAddress?.consumedPoints ?? 0) > 0 }
  }

  /** Counts a failure; storage errors propagate, an over-limit answer is the expected outcome. */
  const countFailure = async (uk: string, address: string) => {
    const counted = async (consume: Promise<LimiterState>) => {
      try {
        return await consume
      } catch (e) {
        if (isState(e)) return e
        throw e
      }
    }
    const [byUser] = await Promise.all([
      counted(limiters.consecutive.consume(uk)),
      counted(limiters.perAddress.consume(address)),
    ])
    if (byUser.consumedPoints >= policy.maxConsecutiveFails) {
      const blocks = await counted(limiters.blocks.consume(uk))
      const s = Math.min(MAX_BLOCK_S, FIRST_BLOCK_S * 2 ** Math.max(0, blocks.consumedPoints - 1))
      await limiters.consecutive.block(uk, s)
      remembered.remember(uk, s * 1000)
    }
  }

  /**
   * Between half and all of throttledDelayMs, at random: clients that all sent at once (a flood's
   * connections opened together) are answered spread over that time rather than in one burst
   * each period, which would hold every other request behind a whole round of them.
   */
  const hold = async (retryAfter: number) => {
    const ms = Math.min(policy.throttledDelayMs, retryAfter * 1000) * (0.5 + Math.random() / 2)
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms))
  }

  const attempt = async <T extends { ok: boolean }>(
    username: string,
    address: string,
    check: (priority: HashPriority) => Promise<T>,
  ): Promise<Attempt<T>> => {
    // Keys: an address has no `|` (user keys do), so the two kinds never meet in the block memory.
    const known = Math.max(remembered.remaining(address), remembered.remaining(userKey(username, address)))
    if (known > 0) return { kind: 'throttled', retryAfter: seconds(known) }
    const held = inflight.get(address) ?? 0
    if (held >= policy.maxInflightPerAddress) return { kind: 'throttled', retryAfter: 1 }
    inflight.set(address, held + 1)
    try {
      const uk = userKey(username, address)
      const blocked = await blockedFor(uk, address)
      if (blocked.ms > 0) return { kind: 'throttled', retryAfter: seconds(blocked.ms) }
      // Suspect: failures counted, or another check of this address already running (a client
      // logs in once at a time; a flood's first volley is many at once, before any has failed).
      const priority: HashPriority = blocked.suspect || held > 0 ? 'low' : 'normal'
      const outcome = await queue.run(address, () => check(priority))
      if ('waitMs' in outcome) return { kind: 'busy', retryAfter: seconds(outcome.waitMs) }
      // A success resets the consecutive failures; nothing to write when there were none.
      if (!outcome.value.ok) await countFailure(uk, address)
      else if (blocked.fails > 0) await limiters.consecutive.delete(uk)
      return { kind: 'done', value: outcome.value }
    } finally {
      const left = (inflight.get(address) ?? 1) - 1
      if (left === 0) inflight.delete(address)
      else inflight.set(address, left)
    }
  }

  return {
    async attempt(username, address, check) {
      const result = await attempt(username, address, check)
      // Held after the in-flight count is given back: a held answer occupies no password-check slot.
      if (result.kind === 'throttled') await hold(result.retryAfter)
      return result
    },
  }
}
