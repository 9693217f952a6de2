/**
 * Login throttling as rate-limiter-flexible documents it for login endpoints: failures counted per
 * (user name, client address) and per address per day, checked before any password hash so a
 * blocked attempt costs nothing and says nothing about the user. Plus what a counter cannot do:
 * at most a few password checks of one address in flight, and a bounded queue for the hashes.
 */

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

/** How long a block seen in the shared store is trusted from memory before the store is asked again. */
const MEMO_MS = 10_000
/** Blocks remembered per process at most (the oldest goes first). */
const MEMO_MAX = 10_000

/**
 * Password checks, `concurrency` at a time, shared between client addresses: one address runs at
 * most `concurrency - 1` of them at once (1 at the default 2), so however many attempts a flooding
 * address keeps in flight, a slot is free for another client the moment it arrives, and the flood
 * takes at most half of the hashing CPU. Waiters start oldest first among the addresses under their
 * share; an attempt that would wait past the bound is refused at once.
 */
const createHashQueue = (concurrency: number, timeoutMs: number) => {
  const share = Math.max(1, concurrency - 1)
  let active = 0
  const running = new Map<string, number>()
  const waiting: Array<{ address: string; start: () => void }> = []
  // Mean time of one check, so a wait can be predicted before it starts; PBKDF2 at policy is ~100 ms.
  let meanMs = 100
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
    /** Resolves with `check`'s result, or with the predicted wait when it would pass the bound. */
    async run<T>(address: string, check: () => Promise<T>): Promise<{ value: T } | { waitMs: number }> {
      if (mayStart(address)) take(address)
      else {
        const waitMs = Math.ceil((waiting.length + 1) / concurrency) * meanMs
        if (waitMs > timeoutMs) return { waitMs }
        await new Promise<void>((start) => waiting.push({ address, start }))
      }
      const start = Date.now()
      try {
        return { value: await check() }
      } finally {
        meanMs = meanMs * 0.8 + (Date.now() - start) * 0.2
        release(address)
      }
    },
  }
}

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

export const createLoginThrottle = (limiters: LoginLimiters, policy: ThrottlePolicy): LoginThrottle => {
  const inflight = new Map<string, number>()
  const queue = createHashQueue(policy.hashConcurrency, policy.queueTimeoutMs)
  // Long names are cut: a key is a lookup, not storage for whatever a client sends.
  const userKey = (username: string, address: string) => `${address}|${username.slice(0, 256)}`

  /**
   * Blocks already seen in the shared store, remembered here (rate-limiter-flexible's
   * `inMemoryBlockOnConsumed`): a flood past its limit is answered 429 from memory, without two
   * store queries per attempt, which cost Node ~150 µs of event loop each under a login flood. The
   * store is asked again after MEMO_MS at most, so a block lifted there is seen within that.
   */
  const memo = new Map<string, { until: number; recheck: number }>()
  const knownBlock = (key: string, now: number) => {
    const m = memo.get(key)
    if (m === undefined) return 0
    if (m.recheck > now && m.until > now) return m.until - now
    memo.delete(key)
    return 0
  }
  const rememberBlock = (key: string, ms: number, now: number) => {
    if (ms <= 0) return
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string)
    memo.set(key, { until: now + ms, recheck: now + Math.min(ms, MEMO_MS) })
  }

  /** Milliseconds until this attempt may run (0: now), and the failures counted so far. */
  const blockedFor = async (uk: string, address: string) => {
    const [byUser, byAddress] = await Promise.all([
      limiters.consecutive.get(uk),
      limiters.perAddress.get(address),
    ])
    const now = Date.now()
    let ms = 0
    if (byUser && byUser.consumedPoints >= policy.maxConsecutiveFails) {
      ms = byUser.msBeforeNext
      rememberBlock(uk, byUser.msBeforeNext, now)
    }
    if (byAddress && byAddress.consumedPoints >= policy.maxFailsPerAddress) {
      ms = Math.max(ms, byAddress.msBeforeNext)
      rememberBlock(address, byAddress.msBeforeNext, now)
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
      rememberBlock(uk, s * 1000, Date.now())
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
    // Keys: an address has no `|` (user keys do), so the two kinds never meet in the memo.
    const now = Date.now()
    const known = Math.max(knownBlock(address, now), knownBlock(userKey(username, address), now))
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
