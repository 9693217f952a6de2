import { z } from 'zod'
import type { AppConfig } from '../app/index.js'
import { MIN_SECRET_BYTES } from '../auth/token.js'
import { KEY_PATTERN } from '../gateway/keys.js'
import type { LogLevel } from '../lib/logger.js'
import { parseConfig } from './config.js'
import { type Env, issueLines, secretIssue } from './env.js'
import { acrossVariables, dataSource, millis } from './fields.js'

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

/** The Worker's own variables, one line each; the rest are the server's (parseConfig). */
export const workerEnv = z.object({
  DATA_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DATA_API_KEY: z.string().min(1).optional(),
  DATA_API_DATA_SOURCE: dataSource(),
  DATA_API_TIMEOUT_MS: millis(100, 30_000, 5000),
})

/**
 * Unlike a server, an isolate cannot print a demo secret, and every isolate must sign with the same
 * one, so JWT_SECRET_KEY is always required; and the data is behind one backend, never two.
 */
const checkAcross = (env: Env, ctx: z.RefinementCtx): void => {
  const flag = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message })
  if (env.JWT_SECRET_KEY === undefined)
    flag('JWT_SECRET_KEY', 'required (wrangler secret put JWT_SECRET_KEY)')
  else {
    const problem = secretIssue(env.JWT_SECRET_KEY, MIN_SECRET_BYTES)
    if (problem) flag('JWT_SECRET_KEY', problem)
  }
  const hasDataApi = env.DATA_API_URL !== undefined
  const hasMongo = env.MONGODB_URI !== undefined || env.MONGODB_HOST !== undefined
  // Two variables, one line: issueLines writes the path before the colon.
  if (hasDataApi && hasMongo) flag('DATA_API_URL and MONGODB_URI', 'set one, not both')
  else if (!hasDataApi && !hasMongo)
    flag('DATA_API_URL', 'required (or MONGODB_URI for the direct driver mode)')
  if (hasDataApi && env.DATA_API_KEY === undefined)
    flag('DATA_API_KEY', 'required with DATA_API_URL (wrangler secret put DATA_API_KEY)')
  else if (hasDataApi && !KEY_PATTERN.test(env.DATA_API_KEY ?? ''))
    // The gateway accepts no other key; saying so here beats a 401 on every request.
    flag('DATA_API_KEY', 'must be a gateway key: 32-256 characters of A-Z a-z 0-9 _ . ~ -')
}

const workerSchema = z.intersection(workerEnv, acrossVariables(checkAcross))

/**
 * The Worker's config from its bindings: the shared schema (parseConfig) for everything the app
 * uses, whose JWT_SECRET_KEY lines give way to the Worker's stricter ones, plus where the data is.
 */
export const parseWorkerConfig = (bindings: Record<string, unknown>): WorkerConfigResult => {
  // Bindings also hold KV namespaces, services and the like: only strings are configuration.
  const env: Env = Object.fromEntries(
    Object.entries(bindings).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  )
  const shared = parseConfig(env)
  const own = workerSchema.safeParse(env)
  const errors = [
    ...(shared.ok ? [] : shared.errors.filter((e) => !e.startsWith('JWT_SECRET_KEY'))),
    ...(own.success ? [] : issueLines(own.error)),
  ]
  if (!shared.ok || !own.success) return { ok: false, errors }
  const { config } = shared
  const o = own.data
  const hasDataApi = o.DATA_API_URL !== undefined
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
