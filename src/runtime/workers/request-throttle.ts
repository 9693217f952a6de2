import { AsyncLocalStorage } from 'node:async_hooks'
import {
  createLoginThrottle,
  type Limiter,
  type LoginLimiters,
  type LoginThrottle,
  type ThrottlePolicy,
} from '../../auth/login-throttle.js'

export interface IsolateThrottle {
  /** The isolate's one throttle: its checks in flight per address and its hash queue hold across requests. */
  throttle: LoginThrottle
  /** Runs `handle` with `limiters` (made at their first use) as the counters of this request. */
  run<T>(limiters: () => LoginLimiters, handle: () => T): T
}

/**
 * The direct Worker's login throttle. Under workerd a socket belongs to the request that opened
 * it, so each request has its own driver client and its own counters over it; an app built per
 * request with a throttle of its own counted only its own check in flight, and 8 concurrent checks
 * from one address were all hashed (issue 19). Here one throttle serves the isolate, and each
 * counter call goes to the counters of the request it runs in (an AsyncLocalStorage, nodejs_compat).
 */
export const isolateThrottle = (policy: ThrottlePolicy): IsolateThrottle => {
  const requests = new AsyncLocalStorage<() => LoginLimiters>()
  const current = (): LoginLimiters => {
    const limiters = requests.getStore()
    if (!limiters) throw new Error('login counters used outside a request')
    return limiters()
  }
  const scoped = (pick: (l: LoginLimiters) => Limiter): Limiter => ({
    get: (key) => pick(current()).get(key),
    consume: (key) => pick(current()).consume(key),
    delete: (key) => pick(current()).delete(key),
    block: (key, seconds) => pick(current()).block(key, seconds),
  })
  const limiters: LoginLimiters = {
    consecutive: scoped((l) => l.consecutive),
    perAddress: scoped((l) => l.perAddress),
    blocks: scoped((l) => l.blocks),
    perUser: scoped((l) => l.perUser),
    known: scoped((l) => l.known),
  }
  return {
    throttle: createLoginThrottle(limiters, policy),
    run(make, handle) {
      let made: LoginLimiters | undefined
      return requests.run(() => {
        made ??= make()
        return made
      }, handle)
    },
  }
}
