import type { IRateLimiterOptions, RateLimiterAbstract } from 'rate-limiter-flexible'
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js'
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js'
import {
  ACCOUNT_WINDOW_S,
  accountLimit,
  type Limiter,
  type LoginLimiters,
  type ThrottlePolicy,
} from '../auth/login-throttle.js'
import { StoreUnavailableError } from './errors.js'

/** The collection every process and instance counts failed logins in (a TTL index expires them). */
export const LOGIN_ATTEMPTS = 'login_attempts'

const DAY_S = 86_400

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit; anything else is storage. */
const mapped = <T>(p: Promise<T>): Promise<T> =>
  p.catch((e: unknown) => {
    if (e instanceof RateLimiterRes) throw e
    throw new StoreUnavailableError(`login counters: ${(e as Error)?.message ?? String(e)}`)
  })

/** How a store runs a storage operation (its deadline, reconnect and error mapping); default: as is. */
export type RunOperation = <T>(op: () => Promise<T>) => Promise<T>

export const adapt = (rl: RateLimiterAbstract, run: RunOperation = (op) => op()): Limiter => ({
  get: (key) => mapped(run(() => rl.get(key))),
  consume: (key) => mapped(run(() => rl.consume(key))),
  delete: (key) => mapped(run(() => rl.delete(key))),
  block: (key, seconds) => mapped(run(() => rl.block(key, seconds))),
})

/** What a counter is made of (rate-limiter-flexible's options, as far as the policy uses them). */
export type CounterOptions = Required<Pick<IRateLimiterOptions, 'keyPrefix' | 'points' | 'duration'>> &
  Pick<IRateLimiterOptions, 'blockDuration'>

/** What of a policy the counters are made for. */
export type CounterPolicy = Pick<
  ThrottlePolicy,
  'maxConsecutiveFails' | 'maxFailsPerAddress' | 'maxFailsPerUser'
>

/** The counters of the login policy, built by `make` over one storage. */
export const limiters = (policy: CounterPolicy, make: (opts: CounterOptions) => Limiter): LoginLimiters => ({
  // Consecutive failures are remembered for a week (a success resets them); rate-limiter-flexible's
  // login example keeps 90 days, but its memory store expires keys with setTimeout, which wraps
  // past 24.8 days and forgot them at once. The block itself is set by the policy, growing.
  consecutive: make({ keyPrefix: 'consecutive', points: policy.maxConsecutiveFails, duration: 7 * DAY_S }),
  perAddress: make({
    keyPrefix: 'address',
    points: policy.maxFailsPerAddress,
    duration: DAY_S,
    blockDuration: DAY_S,
  }),
  blocks: make({ keyPrefix: 'blocks', points: 1_000_000, duration: DAY_S }),
  // The account limit (login-throttle.ts): failures of one user name over every address in an hour,
  // and the addresses that logged in as it (two weeks: under the memory store's 24.8-day wrap).
  perUser: make({ keyPrefix: 'user', points: accountLimit(policy), duration: ACCOUNT_WINDOW_S }),
  known: make({ keyPrefix: 'known', points: 1_000_000, duration: 14 * DAY_S }),
})

/** Builds the counters for a policy; createApp calls it with the one it enforces. */
export type LoginLimitersFor = (policy: CounterPolicy) => LoginLimiters

/** In this process only: the embedded default, and a Worker's isolate when nothing shared is at hand. */
export const memoryLoginLimiters: LoginLimitersFor = (policy) =>
  limiters(policy, (opts) => adapt(new RateLimiterMemory(opts)))
