import { z } from 'zod'
import {
  type AppConfig,
  DEFAULT_HOLODULES_CACHE_TTL,
  DEFAULT_THROTTLE_POLICY,
  DEFAULT_USER_CACHE_TTL,
} from '../app/index.js'
import { DEFAULT_PASSWORD_ITERATIONS } from '../auth/password.js'
import { JWT_ALGORITHMS, MIN_SECRET_BYTES } from '../auth/token.js'
import type { LogLevel } from '../lib/logger.js'
import { DB_NAME_PATTERN, type LayoutSetting } from '../store/store.js'
import { type Env, issueLines, secretIssue, withoutEmpty } from './env.js'
import {
  acrossVariables,
  int,
  intIn,
  logLevel,
  matching,
  millis,
  oneOf,
  onOff,
  optionalMongoUri,
  optionalSecret,
  optionalText,
  origins,
  port,
  positiveSeconds,
  seconds,
  trustProxy,
  word,
} from './fields.js'
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
  /** SCHEDULE_LAYOUT: which collection the schedule is read from (`auto` decided once the database answers). */
  scheduleLayout: LayoutSetting
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

const login = DEFAULT_THROTTLE_POLICY

/**
 * Every variable of the Node and Bun servers (and, through parseWorkerConfig, of the Worker's app):
 * its shape, bounds and default, one line each. README's table and .env.example list the same
 * names (test/unit/config/variables.test.ts).
 */
export const serverEnv = z.object({
  PORT: port(5000),
  HOST: word('127.0.0.1'),
  HEADERS_TIMEOUT_MS: millis(1000, 300_000, DEFAULT_LIMITS.headersTimeoutMs),
  REQUEST_TIMEOUT_MS: millis(1000, 600_000, DEFAULT_LIMITS.requestTimeoutMs),
  KEEP_ALIVE_TIMEOUT_MS: millis(1000, 600_000, DEFAULT_LIMITS.keepAliveTimeoutMs),
  MAX_CONNECTIONS: intIn(1, 1_000_000, DEFAULT_LIMITS.maxConnections),
  MAX_CONNECTIONS_PER_ADDRESS: intIn(1, 1_000_000, DEFAULT_LIMITS.maxConnectionsPerAddress),
  SHUTDOWN_GRACE_MS: millis(0, 60_000, DEFAULT_LIMITS.shutdownGraceMs),
  LOG_LEVEL: logLevel(),
  MONGODB_URI: optionalMongoUri(),
  MONGODB_HOST: optionalText(),
  MONGODB_USER: optionalText(),
  MONGODB_PASSWORD: z.string().optional(),
  MONGODB_DB: matching(DB_NAME_PATTERN, 'must be a database name (letters, digits, _ and -)', 'holoduledb'),
  MONGODB_REQUEST_TIMEOUT_MS: millis(500, 60_000, 5000),
  // The 2020 `holodules` collection or the 2024 `schedules`; auto: schedules when it holds documents.
  SCHEDULE_LAYOUT: oneOf(['auto', 'holodules', 'schedules'], 'auto'),
  // Checked below with the database variables: required with a database, random without one.
  JWT_SECRET_KEY: z.string().optional(),
  JWT_ALGORITHM: oneOf(JWT_ALGORITHMS, 'HS256'),
  JWT_EXPIRATION_DELTA: positiveSeconds(300),
  JWT_NOT_BEFORE_DELTA: seconds(0),
  JWT_LEEWAY: seconds(0),
  JWT_AUTH_HEADER_PREFIX: matching(/^\S+$/, 'must be one word', 'JWT'),
  // Flask-JWT-Extended's default: 15 minutes.
  JWT_ACCESS_TOKEN_EXPIRES: positiveSeconds(900),
  // The 2024 service's default: 15 minutes.
  JWT_EXP_DELTA_MINUTES: intIn(1, 525_600, 15),
  AUTH_GENERATIONS: matching(
    /^(?!.*([123]).*\1)[123](,[123]){0,2}$/,
    'must name the generations of clients served: 1, 2 and/or 3, comma-separated (e.g. 1,2,3)',
    '1,2,3',
  ),
  CORS_ORIGINS: origins(),
  AUTH_BODY_LIMIT: intIn(256, 1_048_576, 8192),
  PASSWORD_PBKDF2_ITERATIONS: int(
    DEFAULT_PASSWORD_ITERATIONS,
    10_000_000,
    `must be at least ${DEFAULT_PASSWORD_ITERATIONS} (OWASP minimum)`,
  ).default(DEFAULT_PASSWORD_ITERATIONS),
  HOLODULES_CACHE_TTL: seconds(DEFAULT_HOLODULES_CACHE_TTL, 3600),
  USER_CACHE_TTL: seconds(DEFAULT_USER_CACHE_TTL, 3600),
  LOGIN_MAX_CONSECUTIVE_FAILS: intIn(1, 1000, login.maxConsecutiveFails),
  LOGIN_MAX_FAILS_PER_ADDRESS: intIn(1, 1_000_000, login.maxFailsPerAddress),
  LOGIN_MAX_INFLIGHT_PER_ADDRESS: intIn(1, 64, login.maxInflightPerAddress),
  LOGIN_QUEUE_TIMEOUT_MS: millis(0, 60_000, login.queueTimeoutMs),
  LOGIN_HASH_CONCURRENCY: intIn(1, 64, login.hashConcurrency),
  LOGIN_THROTTLE_DELAY_MS: millis(0, 10_000, login.throttledDelayMs),
  TRUST_PROXY: trustProxy(),
  LEGACY_PLAINTEXT_PASSWORDS: oneOf(['accept', 'reject'], 'accept'),
  DOCS: onOff('on'),
  METRICS: onOff('off'),
  METRICS_TOKEN: optionalSecret(MIN_METRICS_TOKEN_BYTES),
  METRICS_PORT: int(1, 65535).optional(),
})

type ServerEnv = z.output<typeof serverEnv>

/**
 * The checks that span variables. They read the text as given, beside the per-variable schema
 * (acrossVariables), so they run whatever one variable's shape says and one run names every problem.
 */
const checkAcross = (env: Env, ctx: z.RefinementCtx): void => {
  const flag = (name: keyof ServerEnv, message: string) =>
    ctx.addIssue({ code: 'custom', path: [name], message })
  const secret = env.JWT_SECRET_KEY
  const problem = secret === undefined ? null : secretIssue(secret, MIN_SECRET_BYTES)
  // A placeholder is refused even without a database; a short or missing secret only with one.
  if (problem?.includes('placeholder')) flag('JWT_SECRET_KEY', problem)
  else if (env.MONGODB_URI?.trim() || env.MONGODB_HOST?.trim()) {
    if (secret === undefined) flag('JWT_SECRET_KEY', 'required when a database is configured')
    else if (problem) flag('JWT_SECRET_KEY', problem)
  }

  // METRICS=on needs a guard: off by default, and never open by default either, because the counts
  // say how busy the service is and how many logins fail.
  const on = env.METRICS?.trim() === 'on'
  if (on && env.METRICS_TOKEN === undefined && env.METRICS_PORT === undefined)
    flag(
      'METRICS',
      'on needs METRICS_TOKEN (GET /metrics with Authorization: Bearer <token>) or METRICS_PORT (a listener on 127.0.0.1)',
    )
  if (on && env.METRICS_PORT !== undefined && Number(env.METRICS_PORT) === Number(env.PORT ?? 5000))
    flag('METRICS_PORT', 'must differ from PORT')
}

/** The old service configured MongoDB by host, user and password; we still accept that. */
const legacyMongoUri = (host: string, user: string | undefined, password: string | undefined): string => {
  const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@` : ''
  return `mongodb://${auth}${host}/`
}

const mongodbUri = (
  e: Pick<ServerEnv, 'MONGODB_URI' | 'MONGODB_HOST' | 'MONGODB_USER' | 'MONGODB_PASSWORD'>,
) =>
  e.MONGODB_URI ??
  (e.MONGODB_HOST ? legacyMongoUri(e.MONGODB_HOST, e.MONGODB_USER, e.MONGODB_PASSWORD) : undefined)

export const randomSecret = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('')

/** The valid environment as the config the entries use, and what they should warn about. */
const toConfig = (e: ServerEnv): { config: ServerConfig; warnings: string[] } => {
  const warnings: string[] = []
  let secret = e.JWT_SECRET_KEY
  if (secret === undefined || secretIssue(secret, MIN_SECRET_BYTES)) {
    secret = randomSecret()
    warnings.push(
      'JWT_SECRET_KEY is unset or short: using a random secret for this process (tokens die with it)',
    )
  }
  if (e.METRICS === 'off' && (e.METRICS_TOKEN !== undefined || e.METRICS_PORT !== undefined))
    warnings.push('METRICS_TOKEN or METRICS_PORT is set but METRICS is off: no metrics are served')
  return {
    warnings,
    config: {
      port: e.PORT,
      host: e.HOST,
      limits: {
        headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.MAX_CONNECTIONS,
        maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
        shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      },
      logLevel: e.LOG_LEVEL,
      mongodbUri: mongodbUri(e),
      mongodbDb: e.MONGODB_DB,
      mongodbRequestTimeoutMs: e.MONGODB_REQUEST_TIMEOUT_MS,
      scheduleLayout: e.SCHEDULE_LAYOUT,
      ...(e.METRICS === 'on' && { metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT } }),
      app: {
        jwt: {
          secret,
          algorithm: e.JWT_ALGORITHM,
          expirationDelta: e.JWT_EXPIRATION_DELTA,
          notBeforeDelta: e.JWT_NOT_BEFORE_DELTA,
          leeway: e.JWT_LEEWAY,
          authHeaderPrefix: e.JWT_AUTH_HEADER_PREFIX,
          accessTokenExpires: e.JWT_ACCESS_TOKEN_EXPIRES,
          expDeltaMinutes: e.JWT_EXP_DELTA_MINUTES,
        },
        corsOrigins: e.CORS_ORIGINS,
        authBodyLimit: e.AUTH_BODY_LIMIT,
        passwordIterations: e.PASSWORD_PBKDF2_ITERATIONS,
        holodulesCacheTtl: e.HOLODULES_CACHE_TTL,
        userCacheTtl: e.USER_CACHE_TTL,
        generations: {
          first: e.AUTH_GENERATIONS.includes('1'),
          second: e.AUTH_GENERATIONS.includes('2'),
          third: e.AUTH_GENERATIONS.includes('3'),
        },
        trustProxy: e.TRUST_PROXY,
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

const serverSchema = z.intersection(serverEnv, acrossVariables(checkAcross)).transform(toConfig)

/**
 * Parses the whole environment at once so every bad variable is named in one go.
 * Entrypoints call this; nothing reads the environment at import time.
 */
export const parseConfig = (env: Env): ConfigResult => {
  const parsed = serverSchema.safeParse(withoutEmpty(env))
  return parsed.success ? { ok: true, ...parsed.data } : { ok: false, errors: issueLines(parsed.error) }
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

/** The variables the CLI's database commands read (its ENV_VARIABLES name them). */
export const mongoEnv = serverEnv.pick({
  MONGODB_URI: true,
  MONGODB_HOST: true,
  MONGODB_USER: true,
  MONGODB_PASSWORD: true,
  MONGODB_DB: true,
  SCHEDULE_LAYOUT: true,
  PASSWORD_PBKDF2_ITERATIONS: true,
})

export const parseMongoConfig = (env: Env): MongoConfigResult => {
  const parsed = mongoEnv.safeParse(withoutEmpty(env))
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error) }
  const e = parsed.data
  const common = { db: e.MONGODB_DB, passwordIterations: e.PASSWORD_PBKDF2_ITERATIONS }
  const uri = mongodbUri(e)
  if (uri)
    return { ok: true, config: { uri, source: e.MONGODB_URI ? 'MONGODB_URI' : 'MONGODB_HOST', ...common } }
  return {
    ok: false,
    errors: ['MONGODB_URI: not set (mongodb://host:27017/, or the old MONGODB_HOST/USER/PASSWORD)'],
  }
}
