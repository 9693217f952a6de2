import { z } from 'zod'
import {
  type AppConfig,
  DEFAULT_HOLODULES_CACHE_TTL,
  DEFAULT_THROTTLE_POLICY,
  DEFAULT_USER_CACHE_TTL,
} from '../app/index.js'
import { DEFAULT_PASSWORD_ITERATIONS } from '../auth/password.js'
import { JWT_ALGORITHMS, MIN_SECRET_BYTES } from '../auth/token.js'
import { parseAddressPattern, type TrustProxy } from '../lib/address.js'
import type { LogLevel } from '../lib/logger.js'
import { DB_NAME_PATTERN } from '../store/store.js'
import { type Env, issueLines, secretProblem, withoutEmpty } from './env.js'
import { DEFAULT_LIMITS, type NodeLimits } from './limits.js'

export interface ServerConfig {
  port: number
  host: string
  /** Node only: Bun.serve has its own fixed 10 s idle timeout. */
  limits: NodeLimits
  logLevel: LogLevel
  /** Absent: the embedded in-memory store with sample data. */
  mongodbUri: string | undefined
  mongodbDb: string
  /** Milliseconds one request may wait on one database operation before answering 503. */
  mongodbRequestTimeoutMs: number
  app: AppConfig
  /** METRICS=on: how GET /metrics is guarded. Absent: metrics off, nothing counted. */
  metrics?: MetricsConfig
}

/** At least one of the two guards; both: the loopback listener also asks for the token. */
export interface MetricsConfig {
  /** METRICS_TOKEN: the scraper's `Authorization: Bearer <token>`. Never logged. */
  token?: string
  /** METRICS_PORT: a second listener on 127.0.0.1 serving only /metrics; then PORT has none. */
  port?: number
}

/** A scrape token is a shared secret like any other: no example-file placeholder, no short string. */
const MIN_METRICS_TOKEN_BYTES = 16

export type ConfigResult =
  | { ok: true; config: ServerConfig; warnings: string[] }
  | { ok: false; errors: string[] }

const seconds = (fallback: number) => z.coerce.number().int().min(0).max(31_536_000).default(fallback)
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v))

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(DEFAULT_LIMITS.headersTimeoutMs),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(DEFAULT_LIMITS.requestTimeoutMs),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(DEFAULT_LIMITS.keepAliveTimeoutMs),
  MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LIMITS.maxConnections),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  MONGODB_URI: optionalText.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  MONGODB_HOST: optionalText,
  MONGODB_USER: optionalText,
  MONGODB_PASSWORD: z.string().optional(),
  MONGODB_DB: z
    .string()
    .trim()
    .regex(DB_NAME_PATTERN, 'must be a database name (letters, digits, _ and -)')
    .default('holoduledb'),
  MONGODB_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5000),
  JWT_SECRET_KEY: z.string().optional(),
  JWT_ALGORITHM: z.enum(JWT_ALGORITHMS).default('HS256'),
  JWT_EXPIRATION_DELTA: seconds(300).refine((v) => v > 0, 'must be at least 1'),
  JWT_NOT_BEFORE_DELTA: seconds(0),
  JWT_LEEWAY: seconds(0),
  JWT_AUTH_HEADER_PREFIX: z.string().trim().regex(/^\S+$/, 'must be one word').default('JWT'),
  // Flask-JWT-Extended's default: 15 minutes.
  JWT_ACCESS_TOKEN_EXPIRES: seconds(900).refine((v) => v > 0, 'must be at least 1'),
  AUTH_GENERATIONS: z
    .string()
    .trim()
    .regex(/^(1|2|1,2|2,1)$/, 'must be 1, 2 or 1,2 (the generations of clients served)')
    .default('1,2'),
  CORS_ORIGINS: z.string().default('*'),
  AUTH_BODY_LIMIT: z.coerce.number().int().min(256).max(1_048_576).default(8192),
  PASSWORD_PBKDF2_ITERATIONS: z.coerce
    .number()
    .int()
    .min(DEFAULT_PASSWORD_ITERATIONS, `must be at least ${DEFAULT_PASSWORD_ITERATIONS} (OWASP minimum)`)
    .max(10_000_000)
    .default(DEFAULT_PASSWORD_ITERATIONS),
  HOLODULES_CACHE_TTL: z.coerce.number().int().min(0).max(3600).default(DEFAULT_HOLODULES_CACHE_TTL),
  USER_CACHE_TTL: z.coerce.number().int().min(0).max(3600).default(DEFAULT_USER_CACHE_TTL),
  LOGIN_MAX_CONSECUTIVE_FAILS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(DEFAULT_THROTTLE_POLICY.maxConsecutiveFails),
  LOGIN_MAX_FAILS_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_THROTTLE_POLICY.maxFailsPerAddress),
  LOGIN_MAX_INFLIGHT_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(DEFAULT_THROTTLE_POLICY.maxInflightPerAddress),
  LOGIN_QUEUE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(DEFAULT_THROTTLE_POLICY.queueTimeoutMs),
  LOGIN_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(DEFAULT_THROTTLE_POLICY.hashConcurrency),
  LOGIN_THROTTLE_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(DEFAULT_THROTTLE_POLICY.throttledDelayMs),
  TRUST_PROXY: optionalText,
  LEGACY_PLAINTEXT_PASSWORDS: z.enum(['accept', 'reject']).default('accept'),
  DOCS: z.enum(['on', 'off']).default('on'),
  METRICS: z.enum(['on', 'off']).default('off'),
  METRICS_TOKEN: z.string().optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
})

/**
 * METRICS=on needs a guard: METRICS_TOKEN or METRICS_PORT. Off by default, and never open by
 * default either, because the counts say how busy the service is and how many logins fail.
 */
const metricsProblems = (env: Env): string[] => {
  const on = env.METRICS?.trim() === 'on'
  const token = env.METRICS_TOKEN
  const problems: string[] = []
  if (token !== undefined) {
    const problem = secretProblem('METRICS_TOKEN', token, MIN_METRICS_TOKEN_BYTES)
    if (problem) problems.push(problem)
  }
  if (on && token === undefined && env.METRICS_PORT === undefined)
    problems.push(
      'METRICS: on needs METRICS_TOKEN (GET /metrics with Authorization: Bearer <token>) or METRICS_PORT (a listener on 127.0.0.1)',
    )
  if (on && env.METRICS_PORT !== undefined && Number(env.METRICS_PORT) === Number(env.PORT ?? 5000))
    problems.push('METRICS_PORT: must differ from PORT')
  return problems
}

/** TRUST_PROXY: a hop count, or a comma-separated list of proxy addresses and IPv4 CIDRs. */
const parseTrustProxy = (text: string | undefined): TrustProxy | string => {
  if (text === undefined || text === '0' || text === 'false') return null
  if (/^\d{1,2}$/.test(text)) return { hops: Number(text) }
  const patterns = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const matchers = patterns.map(parseAddressPattern)
  const bad = patterns.filter((_, i) => matchers[i] === null)
  if (bad.length > 0) return `TRUST_PROXY: not a hop count, an address or an IPv4 CIDR: ${bad.join(', ')}`
  return { trusted: (a) => matchers.some((m) => m?.(a)) }
}

/** The old service configured MongoDB by host, user and password; we still accept that. */
const legacyMongoUri = (host: string, user: string | undefined, password: string | undefined): string => {
  const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@` : ''
  return `mongodb://${auth}${host}/`
}

export const randomSecret = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * Parses the whole environment at once so every bad variable is named in one go.
 * Entrypoints call this; nothing reads the environment at import time.
 */
export const parseConfig = (env: Env): ConfigResult => {
  const cleaned = withoutEmpty(env)
  const parsed = envSchema.safeParse(cleaned)
  const errors = parsed.success ? [] : issueLines(parsed.error)
  const warnings: string[] = []

  // Checks that span variables run on the raw values too, so one run names every problem.
  const dbConfigured = Boolean(cleaned.MONGODB_URI?.trim() || cleaned.MONGODB_HOST?.trim())
  let secret = cleaned.JWT_SECRET_KEY
  const problem = secret === undefined ? null : secretProblem('JWT_SECRET_KEY', secret, MIN_SECRET_BYTES)
  if (problem?.includes('placeholder')) errors.push(problem)
  else if (dbConfigured) {
    if (secret === undefined) errors.push('JWT_SECRET_KEY: required when a database is configured')
    else if (problem) errors.push(problem)
  } else if (secret === undefined || problem) {
    secret = randomSecret()
    warnings.push(
      'JWT_SECRET_KEY is unset or short: using a random secret for this process (tokens die with it)',
    )
  }

  let corsOrigins: '*' | string[] = '*'
  const rawOrigins = cleaned.CORS_ORIGINS?.trim() ?? '*'
  if (rawOrigins !== '*') {
    corsOrigins = rawOrigins
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)
    const bad = corsOrigins.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o))
    if (bad.length > 0) errors.push(`CORS_ORIGINS: not an origin (scheme://host[:port]): ${bad.join(', ')}`)
  }

  const trustProxy = parseTrustProxy(cleaned.TRUST_PROXY?.trim())
  if (typeof trustProxy === 'string') errors.push(trustProxy)
  errors.push(...metricsProblems(cleaned))

  if (!parsed.success || errors.length > 0 || typeof trustProxy === 'string') return { ok: false, errors }
  const e = parsed.data
  if (e.METRICS === 'off' && (e.METRICS_TOKEN !== undefined || e.METRICS_PORT !== undefined))
    warnings.push('METRICS_TOKEN or METRICS_PORT is set but METRICS is off: no metrics are served')
  const mongodbUri =
    e.MONGODB_URI ??
    (e.MONGODB_HOST ? legacyMongoUri(e.MONGODB_HOST, e.MONGODB_USER, e.MONGODB_PASSWORD) : undefined)

  return {
    ok: true,
    warnings,
    config: {
      port: e.PORT,
      host: e.HOST,
      limits: {
        headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.MAX_CONNECTIONS,
      },
      logLevel: e.LOG_LEVEL,
      mongodbUri,
      mongodbDb: e.MONGODB_DB,
      mongodbRequestTimeoutMs: e.MONGODB_REQUEST_TIMEOUT_MS,
      ...(e.METRICS === 'on' && { metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT } }),
      app: {
        jwt: {
          secret: secret as string,
          algorithm: e.JWT_ALGORITHM,
          expirationDelta: e.JWT_EXPIRATION_DELTA,
          notBeforeDelta: e.JWT_NOT_BEFORE_DELTA,
          leeway: e.JWT_LEEWAY,
          authHeaderPrefix: e.JWT_AUTH_HEADER_PREFIX,
          accessTokenExpires: e.JWT_ACCESS_TOKEN_EXPIRES,
        },
        corsOrigins,
        authBodyLimit: e.AUTH_BODY_LIMIT,
        passwordIterations: e.PASSWORD_PBKDF2_ITERATIONS,
        holodulesCacheTtl: e.HOLODULES_CACHE_TTL,
        userCacheTtl: e.USER_CACHE_TTL,
        generations: {
          first: e.AUTH_GENERATIONS.includes('1'),
          second: e.AUTH_GENERATIONS.includes('2'),
        },
        trustProxy,
        legacyPlaintext: e.LEGACY_PLAINTEXT_PASSWORDS,
        docs: e.DOCS === 'on',
        login: {
          maxConsecutiveFails: e.LOGIN_MAX_CONSECUTIVE_FAILS,
          maxFailsPerAddress: e.LOGIN_MAX_FAILS_PER_ADDRESS,
          maxInflightPerAddress: e.LOGIN_MAX_INFLIGHT_PER_ADDRESS,
          queueTimeoutMs: e.LOGIN_QUEUE_TIMEOUT_MS,
          hashConcurrency: e.LOGIN_HASH_CONCURRENCY,
          throttledDelayMs: e.LOGIN_THROTTLE_DELAY_MS,
        },
      },
    },
  }
}

/** The database part of the environment alone, for tools (the CLI) that need no JWT secret. */
export interface MongoConfig {
  uri: string
  /** The variable the address came from, named in error messages. */
  source: 'MONGODB_URI' | 'MONGODB_HOST'
  db: string
  passwordIterations: number
}

export type MongoConfigResult = { ok: true; config: MongoConfig } | { ok: false; errors: string[] }

export const parseMongoConfig = (env: Env): MongoConfigResult => {
  const parsed = envSchema
    .pick({
      MONGODB_URI: true,
      MONGODB_HOST: true,
      MONGODB_USER: true,
      MONGODB_PASSWORD: true,
      MONGODB_DB: true,
      PASSWORD_PBKDF2_ITERATIONS: true,
    })
    .safeParse(withoutEmpty(env))
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error) }
  const e = parsed.data
  const common = { db: e.MONGODB_DB, passwordIterations: e.PASSWORD_PBKDF2_ITERATIONS }
  if (e.MONGODB_URI) return { ok: true, config: { uri: e.MONGODB_URI, source: 'MONGODB_URI', ...common } }
  if (e.MONGODB_HOST) {
    const uri = legacyMongoUri(e.MONGODB_HOST, e.MONGODB_USER, e.MONGODB_PASSWORD)
    return { ok: true, config: { uri, source: 'MONGODB_HOST', ...common } }
  }
  return {
    ok: false,
    errors: ['MONGODB_URI: not set (mongodb://host:27017/, or the old MONGODB_HOST/USER/PASSWORD)'],
  }
}
