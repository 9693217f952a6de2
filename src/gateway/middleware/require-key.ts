import type { MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../env.js'
import { errorBody } from '../errors.js'
import { type ApiKey, authenticate } from '../keys.js'

/** 401 unless the request presents a configured API key; the key found goes to `c.var.apiKey`. */
export const requireKey =
  (keys: readonly ApiKey[]): MiddlewareHandler<GatewayEnv> =>
  async (c, next) => {
    // Atlas documented both spellings; header names are case-insensitive, so `apiKey` is `apikey`.
    const presented = c.req.header('api-key') ?? c.req.header('apiKey')
    if (!presented) return errorBody(c, 401, 'InvalidSession', 'no API key: send the api-key header')
    const key = await authenticate(keys, presented)
    if (!key) return errorBody(c, 401, 'InvalidSession', 'invalid API key')
    c.set('apiKey', key)
    await next()
  }
