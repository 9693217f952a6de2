import type { RequestIdVariables } from 'hono/request-id'
import type { ApiKey } from './keys.js'

/** For the access log only: names, never values. */
export interface Target {
  action?: string
  database?: string
  collection?: string
}

/** What the gateway's middleware hand to its handler through `c.var`. */
export interface GatewayEnv {
  Variables: RequestIdVariables & { apiKey: ApiKey; target: Target }
}
