import type { MetricsEndpoint, PeerAddress } from '../../app/index.js'
import { createApp, DEFAULT_THROTTLE_POLICY } from '../../app/index.js'
import type { SignatureCheckFor } from '../../auth/token.js'
import { parseConfig, type ServerConfig } from '../../config/config.js'
import type { Env } from '../../config/env.js'
import { systemClock } from '../../lib/clock.js'
import { createJsonLogger, type Logger } from '../../lib/logger.js'
import type { FeedStore } from '../../store/feeds.js'
import type { LoginLimitersFor } from '../../store/login-limiters.js'
import { MongoStore } from '../../store/mongo/mongo-store.js'
import type { Store } from '../../store/store.js'
import { demoBanner, demoStore } from './demo.js'
import { nodeDocsAssets } from './docs-assets.js'
import { prioritizedHasher } from './hashing.js'
import { createPrometheusMetrics } from './prometheus.js'
import { surviveClosedStdio } from './stdio.js'

export interface Server {
  config: ServerConfig
  logger: Logger
  store: Store
  app: ReturnType<typeof createApp>
  /** METRICS_PORT: the entry serves this on a loopback listener (not in a cluster member: the supervisor does). */
  metricsListener?: { port: number; endpoint: MetricsEndpoint }
  /** Call once listening: logs the address and, in embedded mode, the demo login. */
  announce(port: number): void
}

/** Config errors name every bad variable, then the process exits 1. */
export const exitOnConfigErrors = (errors: string[], what = 'holodule-api'): never => {
  for (const e of errors) console.error(`config error: ${e}`)
  console.error(`${what}: not started; see .env.example`)
  process.exit(1)
}

const INDEX_RETRY_MS = 2000

/**
 * Creates the indexes before serving when the database answers; when it does not, the service
 * starts anyway (503 until the database is reachable) and tries again every INDEX_RETRY_MS until
 * it can, so a server that booted before its database needs no restart.
 */
const ensureIndexesOnceUp = async (store: MongoStore, logger: Logger) => {
  try {
    await store.ensureIndexes()
    return
  } catch (e) {
    logger.error('could not create indexes at start-up; retrying in the background', {
      error: (e as Error).message,
    })
  }
  const retry = () =>
    setTimeout(() => {
      store.ensureIndexes().then(
        () => logger.info('indexes created: the database is reachable'),
        () => retry(),
      )
    }, INDEX_RETRY_MS).unref()
  retry()
}

/**
 * What the Node and Bun entrypoints share: config from the environment, the store, the app, and
 * the node: APIs both runtimes have (hashing threads, prom-client). Bun's own API (Bun.serve, its
 * connection info) stays in src/entry/bun.ts, Node's server in ./server.ts.
 */
export const bootstrap = async (
  env: Env,
  peerAddress: PeerAddress,
  signatures?: SignatureCheckFor,
): Promise<Server> => {
  // Before the first line: a closed stdout (`| head -1`) must not end the server, on Node or Bun.
  surviveClosedStdio()
  const parsed = parseConfig(env)
  if (!parsed.ok) return exitOnConfigErrors(parsed.errors)
  const { config, warnings } = parsed
  const logger = createJsonLogger(config.logLevel)
  for (const w of warnings) logger.warn(w)

  // Before the database: a cluster member answers its supervisor's scrapes as early as it can.
  const prometheus = config.metrics && createPrometheusMetrics()
  let store: Store
  let loginLimiters: LoginLimitersFor | undefined
  let feeds: FeedStore | undefined
  let demoPassword: string | undefined
  if (config.mongodbUri) {
    const mongo = MongoStore.connect(
      config.mongodbUri,
      config.mongodbDb,
      {},
      config.mongodbRequestTimeoutMs,
      config.scheduleLayout,
      (layout) => logger.info('schedule layout', { layout, setting: config.scheduleLayout }),
    )
    store = mongo
    // Failed logins count across every process and server on the database.
    loginLimiters = mongo.loginLimiters()
    feeds = mongo.feeds()
    await ensureIndexesOnceUp(mongo, logger)
    // Chosen (and logged) as soon as the database answers; a request would ask it otherwise.
    mongo.layout().catch(() => {})
  } else {
    const demo = await demoStore(config.app.passwordIterations, systemClock.now())
    store = demo.store
    demoPassword = demo.password
  }
  const endpoint = prometheus && { exposition: prometheus.exposition, token: config.metrics?.token }
  const metricsPort = config.metrics?.port
  const app = createApp({
    config: config.app,
    store,
    logger,
    peerAddress,
    loginLimiters,
    feeds,
    signatures,
    hasher: prioritizedHasher(
      logger,
      config.app.login?.hashConcurrency ?? DEFAULT_THROTTLE_POLICY.hashConcurrency,
    ),
    docsAssets: nodeDocsAssets(),
    metrics: prometheus?.metrics,
    // With METRICS_PORT the main port has no /metrics at all.
    metricsEndpoint: metricsPort === undefined ? endpoint : undefined,
  })
  const metricsListener = endpoint && metricsPort !== undefined ? { port: metricsPort, endpoint } : undefined
  const announce = (port: number) => {
    logger.info('listening', { host: config.host, port, store: config.mongodbUri ? 'mongodb' : 'embedded' })
    if (demoPassword !== undefined)
      console.log(demoBanner(config.host, port, demoPassword, systemClock.now()))
  }
  return { config, logger, store, app, announce, metricsListener }
}
