import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { createFailurePace, type FailurePace } from '../auth/failure-pace.js'
import { createLoginThrottle, type LoginThrottle, type ThrottlePolicy } from '../auth/login-throttle.js'
import {
  createPasswordVerifier,
  type Hasher,
  type LegacyPlaintext,
  type PasswordVerifier,
} from '../auth/password.js'
import { createTokenVerifier, type JwtConfig, type SignatureCheckFor } from '../auth/token.js'
import { accessLog } from '../lib/access-log.js'
import type { TrustProxy } from '../lib/address.js'
import { isBrokenRequestBody } from '../lib/body-limit.js'
import { type Clock, systemClock } from '../lib/clock.js'
import { type Logger, silentLogger } from '../lib/logger.js'
import { createRequestIds } from '../lib/request-id.js'
import { createTtlCache } from '../lib/ttl-cache.js'
import { StoreUnavailableError } from '../store/errors.js'
import type { FeedStore } from '../store/feeds.js'
import { type LoginLimitersFor, memoryLoginLimiters } from '../store/login-limiters.js'
import { MemoryFeedStore } from '../store/memory/feeds.js'
import type { UserRecord } from '../store/records.js'
import type { Store } from '../store/store.js'
import { clientAddressOf, type PeerAddress, publicOriginOf } from './client-address.js'
import { createWriteSignals } from './encoded-answers.js'
import type { AppEnv } from './env.js'
import { type Metrics, requestMetrics } from './metrics.js'
import { bearerRequired, knownBearer } from './middleware/bearer-required.js'
import {
  type JwtRequiredDeps,
  jwtRequired,
  type KeptUsers,
  knownCaller,
  noTokenAnswer,
} from './middleware/jwt-required.js'
import { type WireHeaderRules, wireHeaderRules, wireHeaders } from './middleware/wire-headers.js'
import { configureOpenApi } from './openapi/configure-open-api.js'
import { internalError, notFound, sendJson, serviceUnavailable } from './responses.js'
import { authRoutes } from './routes/auth/auth.index.js'
import type { DocsAssets } from './routes/docs/docs.handlers.js'
import { docsRoutes } from './routes/docs/docs.index.js'
import { CALENDAR_PATH, type Calendars, calendar, liveFeeds } from './routes/feeds/feeds.handlers.js'
import { feedRoutes } from './routes/feeds/feeds.index.js'
import { healthRoutes } from './routes/health/health.index.js'
import { type Days, dayCache } from './routes/holodules/holodules.handlers.js'
import { holoduleRoutes } from './routes/holodules/holodules.index.js'
import { dayShortcut } from './routes/holodules/holodules.shortcut.js'
import { type MetricsEndpoint, metricsRoutes } from './routes/metrics/metrics.index.js'
import { type ScheduleReads, scheduleReads } from './routes/schedules/schedules.handlers.js'
import { scheduleRoutes } from './routes/schedules/schedules.index.js'
import { scheduleWriteRoutesFor } from './routes/schedules/schedules.write-index.js'
import { userRoutes } from './routes/users/users.index.js'
import { type Shortcut, withShortcuts } from './shortcuts.js'

/** What createApp needs: no ports, hosts or database addresses. */
export interface AppConfig {
  jwt: JwtConfig
  /** `*`, or the exact origins allowed. */
  corsOrigins: '*' | string[]
  /** Bytes accepted in a POST /auth body. */
  authBodyLimit: number
  /** PBKDF2-SHA256 iterations for new hashes. */
  passwordIterations: number
  /** LEGACY_PLAINTEXT_PASSWORDS. Absent: accept (a drop-in start; migrate, then reject). */
  legacyPlaintext?: LegacyPlaintext
  /** Seconds a day's schedule response is reused; 0 disables. Absent: DEFAULT_HOLODULES_CACHE_TTL. */
  holodulesCacheTtl?: number
  /** Seconds the user behind a verified token is reused; 0 disables. Absent: DEFAULT_USER_CACHE_TTL. */
  userCacheTtl?: number
  /**
   * Which generations of the old service's clients are served (AUTH_GENERATIONS): Flask-JWT's
   * `/auth` and `JWT` scheme, Flask-JWT-Extended's `/login` and `Bearer`. Absent: both.
   */
  generations?: Generations
  /** Who may name the client in X-Forwarded-For. Absent: nobody. */
  trustProxy?: TrustProxy
  /** Login throttling. Absent: DEFAULT_THROTTLE_POLICY. */
  login?: ThrottlePolicy
  /** GET /docs (DOCS=on|off), served when the entry also hands in docsAssets. Absent: on. */
  docs?: boolean
}

/** The old service's three generations of clients: Flask-JWT (2020), Flask-JWT-Extended (2023), FastAPI (2024). */
export interface Generations {
  first: boolean
  second: boolean
  third: boolean
}

/** The contract's defaults (LOGIN_* variables). */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  maxConsecutiveFails: 10,
  maxFailsPerAddress: 100,
  maxInflightPerAddress: 2,
  queueTimeoutMs: 1000,
  hashConcurrency: 2,
  throttledDelayMs: 1000,
}

/** Short enough that a new row shows within seconds; long enough to absorb a burst of clients. */
export const DEFAULT_HOLODULES_CACHE_TTL = 5
/** A deleted user's tokens stop working within this many seconds. */
export const DEFAULT_USER_CACHE_TTL = 2

export interface AppDeps {
  config: AppConfig
  store: Store
  clock?: Clock
  logger?: Logger
  /** Shared across apps in one process so the dummy hash is computed once. */
  passwords?: PasswordVerifier
  /** May caches refresh after the response is sent? Not under workerd (see ttl-cache.ts). */
  backgroundWork?: boolean
  /** The runtime's peer address of a request. Absent: unknown (every client counts as one). */
  peerAddress?: PeerAddress
  /** Makes the id of a request that brings none. Absent: a random prefix and a counter (lib/request-id.ts). */
  newRequestId?: () => string
  /** Where failed logins are counted, for the policy in config. Absent: in this process's memory. */
  loginLimiters?: LoginLimitersFor
  /** One throttle for apps built per request (the direct Worker's), so its in-flight counts and queue hold. */
  loginThrottle?: LoginThrottle
  /** How long failed logins are held (auth/failure-pace.ts). Absent: a new one, on timers. */
  failurePace?: FailurePace
  /**
   * How a password's PBKDF2 or bcrypt runs. Absent: WebCrypto's and bcryptjs inline (Node and Bun
   * pass threads below the event loop's priority, the lowest for suspect addresses:
   * src/runtime/node/hashing.ts).
   */
  hasher?: Hasher
  /** How a token's HMAC is checked. Absent: WebCrypto's (Node and Bun pass node:crypto's). */
  signatures?: SignatureCheckFor
  /** Swagger UI's files for GET /docs, read by the entry. Absent: no /docs (e.g. on Workers). */
  docsAssets?: DocsAssets
  /** Where requests, logins, cache lookups and store failures are counted. Absent: nowhere, at no cost. */
  metrics?: Metrics
  /** Serve `GET /metrics` on this app (METRICS_TOKEN). Absent: no such route (off, or METRICS_PORT). */
  metricsEndpoint?: MetricsEndpoint
  /** Where calendar feeds are kept (the entry's backend). Absent: in this process's memory. */
  feeds?: FeedStore
}

/** Feeds one user may have: enough for a calendar per group, few enough to bound a flood of them. */
export const MAX_FEEDS_PER_USER = 20

/** Every failure a handler throws, answered in the contract's shape: 503, a 4xx, or 500 logged. */
const answerError = (logger: Logger, metrics: Metrics | undefined) => (err: Error, c: Context<AppEnv>) => {
  if (err instanceof StoreUnavailableError) {
    // One line, no stack: what happened and, for a refused key, what to mend.
    if (err.misconfigured)
      logger.error('database refused our credentials', { requestId: c.var.requestId, error: err.message })
    else logger.warn('database unavailable', { requestId: c.var.requestId, error: err.message })
    metrics?.storeUnavailable()
    return serviceUnavailable(c)
  }
  if (err instanceof HTTPException && err.status < 500) {
    return sendJson(c, { error: err.message || 'Bad Request' }, err.status)
  }
  // A client that left mid-body or broke its chunked framing: its error, so no stack, no 500 and no
  // internal-error count (which anyone could raise at will); 400 for the log and any reader left.
  if (isBrokenRequestBody(err, c.req.raw)) {
    logger.info('request body broken off by the client', { requestId: c.var.requestId, error: err.message })
    return sendJson(c, { error: 'Bad Request' }, 400)
  }
  logger.error('unhandled error', {
    requestId: c.var.requestId,
    error: err.name,
    message: err.message,
    stack: err.stack,
  })
  metrics?.internalError()
  return internalError(c)
}

/** The whole API as one Web-standard app; entrypoints only adapt `app.fetch` to a runtime. */
export const createApp = ({
  config,
  store,
  clock = systemClock,
  logger = silentLogger,
  passwords,
  backgroundWork = true,
  peerAddress = () => undefined,
  loginLimiters = memoryLoginLimiters,
  loginThrottle,
  failurePace,
  newRequestId = createRequestIds(),
  signatures,
  hasher,
  docsAssets,
  metrics,
  metricsEndpoint,
  feeds = new MemoryFeedStore(),
}: AppDeps) => {
  const app = new OpenAPIHono<AppEnv>()
  const generations = config.generations ?? { first: true, second: true, third: true }
  const policy = config.login ?? DEFAULT_THROTTLE_POLICY
  const throttle = loginThrottle ?? createLoginThrottle(loginLimiters(policy), policy)
  const verifier = createTokenVerifier(config.jwt, signatures)
  const userCacheTtl = config.userCacheTtl ?? DEFAULT_USER_CACHE_TTL
  const users = verifiedUsers(store, { ttlMs: userCacheTtl * 1000, clock, backgroundWork, metrics })
  const guardDeps = { jwt: config.jwt, verifier, clock, generations }
  const requireJwt = jwtRequired({ ...guardDeps, store: users.store })
  const guard = bearerRequired({ verifier, store: users.store, clock })

  // The answer caches' shared settings, and how the writes reach them in this process.
  const answerCaches = {
    cacheTtl: config.holodulesCacheTtl ?? DEFAULT_HOLODULES_CACHE_TTL,
    clock,
    backgroundWork,
    metrics,
  }
  const writes = createWriteSignals()
  writes.on('users', (name) => users.cache.delete(name ?? ''))
  const days = dayCache({ ...answerCaches, writes })
  const reads = scheduleReads({ store, ...answerCaches, writes })
  const feedDeps = {
    ...answerCaches,
    store,
    feeds,
    publicOrigin: publicOriginOf(peerAddress, config.trustProxy ?? null),
    maxFeeds: MAX_FEEDS_PER_USER,
    userCacheTtl,
    writes,
  }
  const live = liveFeeds(feedDeps)
  const calendars = calendar(feedDeps, live)

  const requestAddress = clientAddressOf(peerAddress, config.trustProxy ?? null)
  const addressOf = (c: Context<AppEnv>) => requestAddress(c.req.raw, c.env)
  // The request id, the legacy CORS headers and the security headers, as one record per app.
  const wire = wireHeaderRules({ origins: config.corsOrigins, newRequestId })
  useMiddleware(app, { logger, clock, metrics, wire, addressOf })

  const routes = app
    .route(
      '/',
      authRoutes({
        jwt: config.jwt,
        bodyLimit: config.authBodyLimit,
        passwordIterations: config.passwordIterations,
        store,
        clock,
        logger,
        passwords:
          passwords ?? createPasswordVerifier(config.passwordIterations, config.legacyPlaintext, hasher),
        throttle,
        pace: failurePace ?? createFailurePace(),
        clientAddress: addressOf,
        generations,
        metrics,
      }),
    )
    .route(
      '/',
      holoduleRoutes({ store, days, cacheTtl: answerCaches.cacheTtl, jwtRequired: requireJwt, generations }),
    )
    .route('/', healthRoutes({ store, clock, backgroundWork }))
  // The third generation (the 2024 service's reads). Outside the typed chain for now: with it in,
  // tsc widened hc<AppType>'s paths to string (the typed client gets these routes of its own).
  if (generations.third) {
    app.route('/', scheduleRoutes({ bearerRequired: guard, reads }))
    app.route('/', scheduleWriteRoutesFor({ store, bearerRequired: guard, writes }))
    const forgetUser = (name: string) => writes.wrote('users', name)
    const { passwordIterations } = config
    app.route('/', userRoutes({ store, clock, passwordIterations, bearerRequired: guard, forgetUser }))
  }
  // Calendar feeds: made with any enabled generation's token, read without one.
  const feedGuard = generations.first || generations.second ? requireJwt : guard
  app.route('/', feedRoutes({ ...feedDeps, guard: feedGuard, generations, live, calendars }))
  // GET /openapi.json: the routes above describe themselves; this adds the schemes of `generations`.
  configureOpenApi(app, generations)
  // Only where the entry can hand in Swagger UI's files (Node, Bun): the Worker has no /docs.
  if (docsAssets && config.docs !== false) app.route('/', docsRoutes({ assets: docsAssets }))
  // Not part of the typed routes: `hc` clients have no business scraping.
  if (metricsEndpoint) app.route('/', metricsRoutes(metricsEndpoint))

  app.notFound(notFound)
  app.onError(answerError(logger, metrics))

  // The hot reads, answered before Hono's dispatch when all they need is kept (app/shortcuts.ts).
  const shortcuts = hotReads({
    guardDeps,
    users: users.cache,
    days,
    cacheTtl: answerCaches.cacheTtl,
    reads,
    calendars,
  })
  app.fetch = withShortcuts(app.fetch, { shortcuts, wire, logger, address: requestAddress, metrics })
  return routes
}

/** The short way's shortcuts, by the first segment of their paths, for the generations served. */
const hotReads = ({
  guardDeps,
  users,
  days,
  cacheTtl,
  reads,
  calendars,
}: {
  guardDeps: Omit<JwtRequiredDeps, 'store'>
  users: KeptUsers
  days: Days
  cacheTtl: number
  reads: ScheduleReads
  calendars: Calendars
}): Map<string, Shortcut> => {
  const { generations, verifier, clock } = guardDeps
  const shortcuts = new Map<string, Shortcut>([[CALENDAR_PATH, calendars.shortcut]])
  if (generations.first || generations.second) {
    const noToken = generations.first ? noTokenAnswer : undefined
    const caller = knownCaller(guardDeps, users)
    shortcuts.set('/holodules/', dayShortcut(days, caller, cacheTtl, noToken))
  }
  if (generations.third) shortcuts.set('/schedules', reads.shortcut(knownBearer({ verifier, clock }, users)))
  return shortcuts
}

/** What every request passes through, outermost first. */
const useMiddleware = (
  app: OpenAPIHono<AppEnv>,
  {
    logger,
    clock,
    metrics,
    wire,
    addressOf,
  }: {
    logger: Logger
    clock: Clock
    metrics: Metrics | undefined
    wire: WireHeaderRules
    addressOf: (c: Context<AppEnv>) => string
  },
) => {
  // Outermost, so that preflights, which wireHeaders answers itself, are logged too. At
  // LOG_LEVEL=warn and above not even a pass-through layer is paid per request.
  if (logger.enabled('info')) app.use(accessLog<AppEnv>(logger, clock, (c) => ({ address: addressOf(c) })))
  app.use(wireHeaders(wire))
  // Before the rest, so the time and status cover every later middleware; not registered when off.
  if (metrics) app.use(requestMetrics<AppEnv>(metrics))
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        sendJson(c, { error: 'Method Not Allowed' }, 405, { Allow: methods.join(', ') }),
    }),
  )
}

/**
 * The users behind verified tokens, kept for USER_CACHE_TTL. Only found users are kept: a deleted
 * one stops working within the TTL, a new one at once.
 */
const verifiedUsers = (
  store: Store,
  {
    ttlMs,
    clock,
    backgroundWork,
    metrics,
  }: { ttlMs: number; clock: Clock; backgroundWork: boolean; metrics?: Metrics },
) => {
  const cache = createTtlCache<string, UserRecord | null>({
    ttlMs,
    clock,
    cacheable: (u) => u !== null,
    background: backgroundWork,
    onLookup: metrics && ((result) => metrics.cache('users', result)),
  })
  return {
    cache,
    store: { findUserByUsername: (name: string) => cache.get(name, () => store.findUserByUsername(name)) },
  }
}

export type App = ReturnType<typeof createApp>
/** The routes, paths, parameters and JSON bodies `hc<AppType>` knows. */
export type AppType = App
