import { z } from 'zod'
import type { AppConfig } from '../app/index.js'
import { MIN_SECRET_BYTES } from '../auth/token.js'
import { KEY_PATTERN } from '../gateway/keys.js'
import type { LogLevel } from '../lib/logger.js'
import { parseConfig } from './config.js'
import { type Env, issueLines, secretProblem } from './env.js'

export interface DataApiSettings {
  url: string
  apiKey: string
  dataSource: string
  timeoutMs: number
}

export interface WorkerConfig {
  logLevel: LogLevel
  app: AppConfig
  database: string
  /** Where the data is: the Data API over HTTPS, or (direct mode) MongoDB over TCP sockets. */
  backend: { kind: 'data-api'; dataApi: DataApiSettings } | { kind: 'mongodb'; uri: string }
}

export type WorkerConfigResult = { ok: true; config: WorkerConfig } | { ok: false; errors: string[] }

const workerSchema = z.object({
  DATA_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DATA_API_KEY: z.string().min(1).optional(),
  DATA_API_DATA_SOURCE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a name (letters, digits, _ and -)')
    .default('mongodb-atlas'),
  DATA_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
})

/**
 * The Worker's config from its bindings: the shared schema (parseConfig) for everything the app
 * uses, plus where the data is. Unlike a server, an isolate cannot print a demo secret, and every
 * isolate must sign with the same one, so JWT_SECRET_KEY is always required.
 */
export const parseWorkerConfig = (bindings: Record<string, unknown>): WorkerConfigResult => {
  // Bindings also hold KV namespaces, services and the like: only strings are configuration.
  const env: Env = Object.fromEntries(
    Object.entries(bindings).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  )
  const errors: string[] = []
  if (env.JWT_SECRET_KEY === undefined)
    errors.push('JWT_SECRET_KEY: required (wrangler secret put JWT_SECRET_KEY)')
  else {
    const problem = secretProblem('JWT_SECRET_KEY', env.JWT_SECRET_KEY, MIN_SECRET_BYTES)
    if (problem) errors.push(problem)
  }

  const shared = parseConfig(env)
  if (!shared.ok) errors.push(...shared.errors.filter((e) => !e.startsWith('JWT_SECRET_KEY')))
  const own = workerSchema.safeParse(env)
  if (!own.success) errors.push(...issueLines(own.error))

  const hasDataApi = env.DATA_API_URL !== undefined
  const hasMongo = env.MONGODB_URI !== undefined || env.MONGODB_HOST !== undefined
  if (hasDataApi && hasMongo) errors.push('DATA_API_URL and MONGODB_URI: set one, not both')
  else if (!hasDataApi && !hasMongo)
    errors.push('DATA_API_URL: required (or MONGODB_URI for the direct driver mode)')
  if (hasDataApi && env.DATA_API_KEY === undefined)
    errors.push('DATA_API_KEY: required with DATA_API_URL (wrangler secret put DATA_API_KEY)')
  else if (hasDataApi && !KEY_PATTERN.test(env.DATA_API_KEY ?? ''))
    // The gateway accepts no other key; saying so here beats a 401 on every request.
    errors.push('DATA_API_KEY: must be a gateway key: 32-256 characters of A-Z a-z 0-9 _ . ~ -')

  if (errors.length > 0 || !shared.ok || !own.success) return { ok: false, errors }
  const { config } = shared
  const o = own.data
  return {
    ok: true,
    config: {
      logLevel: config.logLevel,
      app: config.app,
      database: config.mongodbDb,
      backend: hasDataApi
        ? {
            kind: 'data-api',
            dataApi: {
              url: o.DATA_API_URL as string,
              apiKey: o.DATA_API_KEY as string,
              dataSource: o.DATA_API_DATA_SOURCE,
              timeoutMs: o.DATA_API_TIMEOUT_MS,
            },
          }
        : { kind: 'mongodb', uri: config.mongodbUri as string },
    },
  }
}
