import type { Context, MiddlewareHandler } from 'hono'
import type { Clock } from '../../lib/clock.js'
import type { Logger } from '../../lib/logger.js'
import type { GatewayEnv } from '../env.js'
import { errorBody } from '../errors.js'
import type { KeyFailureCounter } from '../key-failures.js'
import { type ApiKey, authenticate } from '../keys.js'

/** The client's address as the runtime saw it (entry/gateway.ts); absent in tests without a socket. */
export type GatewayPeerAddress = (c: Context) => string | undefined

export interface RequireKeyDeps {
  keys: readonly ApiKey[]
  failures: KeyFailureCounter
  peerAddress: GatewayPeerAddress
  logger: Logger
  clock: Clock
}

/**
 * 401 unless the request presents a configured API key; the key found goes to `c.var.apiKey`. A
 * wrong key is logged (the address and its count, never the key) and counted per address: past the
 * limit it is answered 429 with Retry-After (key-failures.ts says why a right key still passes).
 */
export const requireKey =
  ({ keys, failures, peerAddress, logger, clock }: RequireKeyDeps): MiddlewareHandler<GatewayEnv> =>
  async (c, next) => {
    // Atlas documented both spellings; header names are case-insensitive, so `apiKey` is `apikey`.
    const presented = c.req.header('api-key') ?? c.req.header('apiKey')
    if (!presented) return errorBody(c, 401, 'InvalidSession', 'no API key: send the api-key header')
    const key = await authenticate(keys, presented)
    if (!key) {
      const address = peerAddress(c) ?? 'unknown'
      const failure = failures.fail(address, clock.now())
      const fields = { requestId: c.var.requestId, address, failures: failure.failures }
      if (failure.retryAfter === undefined) {
        logger.warn('invalid API key', fields)
        return errorBody(c, 401, 'InvalidSession', 'invalid API key')
      }
      // One warning when an address passes the limit; its next wrong keys only at debug (no flood).
      if (failure.firstLimited) logger.warn('invalid API keys limited', fields)
      else logger.debug('invalid API key limited', fields)
      c.header('Retry-After', String(failure.retryAfter))
      return errorBody(
        c,
        429,
        'TooManyRequests',
        `too many invalid API keys from this address: retry after ${failure.retryAfter} s`,
      )
    }
    c.set('apiKey', key)
    await next()
  }
