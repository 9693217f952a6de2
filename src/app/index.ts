// The app's public face: what an entrypoint, the runtime rooms, config, the CLI and the tests use.
// Nothing outside src/app imports a deeper file (biome.json fences it); what is not here is the
// app's own business.
export type { PeerAddress } from './client-address.js'
export {
  type App,
  type AppConfig,
  type AppDeps,
  type AppType,
  createApp,
  DEFAULT_HOLODULES_CACHE_TTL,
  DEFAULT_THROTTLE_POLICY,
  DEFAULT_USER_CACHE_TTL,
  type Generations,
  MAX_FEEDS_PER_USER,
} from './create-app.js'
export type { AppEnv } from './env.js'
export type { CacheName, CacheResult, LoginOutcome, Metrics, MetricsExposition } from './metrics.js'
export { notFound, serviceUnavailable } from './responses.js'
export { DOCS_ASSETS, type DocsAssetName, type DocsAssets } from './routes/docs/docs.handlers.js'
export { type MetricsEndpoint, metricsRoutes } from './routes/metrics/metrics.index.js'
export { isLongEnough, MIN_PASSWORD_LENGTH } from './routes/users/users.routes.js'
