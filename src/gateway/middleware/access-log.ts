import { accessLog } from '../../lib/access-log.js'
import type { Clock } from '../../lib/clock.js'
import type { Logger } from '../../lib/logger.js'
import type { GatewayEnv } from '../env.js'

/** The app's access log plus the key's *name* and the action and namespace, never a key or a body. */
export const gatewayAccessLog = (logger: Logger, clock: Clock) =>
  accessLog<GatewayEnv>(logger, clock, (c) => ({
    key: c.var.apiKey?.name,
    action: c.var.target?.action,
    database: c.var.target?.database,
    collection: c.var.target?.collection,
  }))
