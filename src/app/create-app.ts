import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { jwtRequired } from '../auth/jwt-required.js'
import { createPasswordVerifier, type PasswordVerifier } from '../auth/password.js'
import { createTokenVerifier } from '../auth/token.js'
import { type AppConfig, DEFAULT_HOLODULES_CACHE_TTL, DEFAULT_USER_CACHE_TTL } from '../config/config.js'
import { type Logger, silentLogger } from '../log/logger.js'
import { type Store, StoreUnavailableError, type UserRecord } from '../store/store.js'
import { accessLog } from './access-log.js'
import { type Clock, systemClock } from './clock.js'
import { legacyCors } from './cors.js'
import type { AppEnv } from './env.js'
import { internalError, notFound, sendJson, serviceUnavailable } from './responses.js'
import { authRoutes } from './routes/auth.js'
import { healthRoutes } from './routes/health.js'
import { holoduleRoutes } from './routes/holodules.js'
import { createTtlCache } from './ttl-cache.js'

export interface AppDeps {
  config: AppConfig
  store: Store
  clock?: Clock
  logger?: Logger
  /** Shared across apps in one process so the dummy hash is computed once. */
  passwords?: PasswordVerifier
  /** May caches refresh after the response is sent? Not under workerd (see ttl-cache.ts). */
  backgroundWork?: boolean
}

/** The whole API as one Web-standard app; entrypoints only adapt `app.fetch` to a runtime. */
export const createApp = ({
  config,
  store,
  clock = systemClock,
  logger = silentLogger,
  passwords,
  backgroundWork = true,
}: AppDeps) => {
  const app = new Hono<AppEnv>()
  const verifier = createTokenVerifier(config.jwt)
  // Only found users are kept: a deleted one stops working within USER_CACHE_TTL, a new one at once.
  const users = createTtlCache<string, UserRecord | null>({
    ttlMs: (config.userCacheTtl ?? DEFAULT_USER_CACHE_TTL) * 1000,
    clock,
    cacheable: (u) => u !== null,
    background: backgroundWork,
  })
  const requireJwt = jwtRequired({
    jwt: config.jwt,
    verifier,
    store: { findUserByUsername: (name) => users.get(name, () => store.findUserByUsername(name)) },
    clock,
  })

  app.use(requestId())
  app.use(accessLog(logger, clock))
  app.use(legacyCors(config.corsOrigins))
  app.use(secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }))
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        sendJson(c, { error: 'Method Not Allowed' }, 405, { Allow: methods.join(', ') }),
    }),
  )

  app.route(
    '/',
    authRoutes({
      config,
      store,
      clock,
      logger,
      passwords: passwords ?? createPasswordVerifier(config.passwordIterations),
    }),
  )
  app.route(
    '/',
    holoduleRoutes({
      store,
      jwtRequired: requireJwt,
      cacheTtl: config.holodulesCacheTtl ?? DEFAULT_HOLODULES_CACHE_TTL,
      clock,
      backgroundWork,
    }),
  )
  app.route('/', healthRoutes(store))

  app.notFound(notFound)
  app.onError((err, c) => {
    if (err instanceof StoreUnavailableError) {
      logger.warn('database unavailable', { requestId: c.var.requestId, error: err.message })
      return serviceUnavailable(c)
    }
    if (err instanceof HTTPException && err.status < 500) {
      return sendJson(c, { error: err.message || 'Bad Request' }, err.status)
    }
    logger.error('unhandled error', {
      requestId: c.var.requestId,
      error: err.name,
      message: err.message,
      stack: err.stack,
    })
    return internalError(c)
  })
  return app
}

export type App = ReturnType<typeof createApp>
