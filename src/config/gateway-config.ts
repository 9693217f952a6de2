import { z } from 'zod'
import type { GatewayAppConfig } from '../gateway/create-gateway-app.js'
import { parseApiKeys } from '../gateway/keys.js'
import type { LogLevel } from '../lib/logger.js'
import { type Env, issueLines, withoutEmpty } from './env.js'

/** What the gateway app needs, and where the server listens and connects. */
export interface GatewayConfig extends GatewayAppConfig {
  port: number
  host: string
  logLevel: LogLevel
  mongodbUri: string
}

const schema = z.object({
  DATA_API_PORT: z.coerce.number().int().min(0).max(65535).default(8780),
  DATA_API_HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  MONGODB_URI: z
    .string({ error: 'required: the database the gateway serves' })
    .trim()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
  DATA_API_DATA_SOURCE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a name (letters, digits, _ and -)')
    .default('mongodb-atlas'),
  DATA_API_KEYS: z.string({ error: 'required: the API keys and what each may do' }).min(1),
  DATA_API_BODY_LIMIT: z.coerce.number().int().min(1024).max(16_777_216).default(1_048_576),
  DATA_API_MAX_DOCUMENTS: z.coerce.number().int().min(1).max(50_000).default(50_000),
  DATA_API_MAX_TIME_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
  DATA_API_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).max(268_435_456).default(16_777_216),
})

export type GatewayConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] }

/** The gateway's own settings; every bad variable is named at once, keys never echoed. */
export const parseGatewayConfig = async (env: Env): Promise<GatewayConfigResult> => {
  const cleaned = withoutEmpty(env)
  const parsed = schema.safeParse(cleaned)
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
