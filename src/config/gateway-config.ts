import { z } from 'zod'
import type { GatewayAppConfig } from '../gateway/create-gateway-app.js'
import { parseApiKeys } from '../gateway/keys.js'
import type { LogLevel } from '../lib/logger.js'
import { type Env, issueLines, withoutEmpty } from './env.js'
import { dataSource, intIn, logLevel, millis, port, requiredMongoUri, word } from './fields.js'

/** What the gateway app needs, and where the server listens and connects. */
export interface GatewayConfig extends GatewayAppConfig {
  port: number
  host: string
  logLevel: LogLevel
  mongodbUri: string
}

/** Every variable of the Data API gateway (`holodule data-api`), one line each. */
export const gatewayEnv = z.object({
  DATA_API_PORT: port(8780),
  DATA_API_HOST: word('127.0.0.1'),
  LOG_LEVEL: logLevel(),
  MONGODB_URI: requiredMongoUri('required: the database the gateway serves'),
  DATA_API_DATA_SOURCE: dataSource(),
  DATA_API_KEYS: z.string({ error: 'required: the API keys and what each may do' }).min(1),
  DATA_API_BODY_LIMIT: intIn(1024, 16_777_216, 1_048_576),
  DATA_API_MAX_DOCUMENTS: intIn(1, 50_000, 50_000),
  DATA_API_MAX_TIME_MS: millis(1, 600_000, 5000),
  DATA_API_MAX_RESPONSE_BYTES: intIn(1024, 268_435_456, 16_777_216),
})

export type GatewayConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] }

/** The gateway's own settings; every bad variable is named at once, keys never echoed. */
export const parseGatewayConfig = async (env: Env): Promise<GatewayConfigResult> => {
  const cleaned = withoutEmpty(env)
  const parsed = gatewayEnv.safeParse(cleaned)
  const errors = parsed.success ? [] : issueLines(parsed.error)
  const keys = cleaned.DATA_API_KEYS ? await parseApiKeys(cleaned.DATA_API_KEYS) : null
  if (keys && !keys.ok) errors.push(...keys.errors)
  if (!parsed.success || errors.length > 0 || !keys?.ok) return { ok: false, errors }
  const e = parsed.data
  return {
    ok: true,
    config: {
      port: e.DATA_API_PORT,
      host: e.DATA_API_HOST,
      logLevel: e.LOG_LEVEL,
      mongodbUri: e.MONGODB_URI,
      dataSource: e.DATA_API_DATA_SOURCE,
      keys: keys.keys,
      bodyLimit: e.DATA_API_BODY_LIMIT,
      maxDocuments: e.DATA_API_MAX_DOCUMENTS,
      maxTimeMS: e.DATA_API_MAX_TIME_MS,
      maxResponseBytes: e.DATA_API_MAX_RESPONSE_BYTES,
    },
  }
}
