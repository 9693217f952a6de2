import type { Env, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'

/** How a login that reached the throttle ended: a body that is not credentials is not a login. */
export type LoginOutcome = 'ok' | 'invalid' | 'throttled' | 'busy'
export type CacheName =
  | 'holodules'
  | 'users'
  | 'schedules'
  | 'schedules-by-id'
  | 'streamers'
  | 'streamers-by-id'
export type CacheResult = 'hit' | 'miss'

/**
 * What the app tells a metrics backend. The app never imports one (prom-client needs node:*):
 * the Node and Bun entries inject an implementation (runtime/node/prometheus.ts); without one, createApp
 * registers no middleware and no hook, so metrics off cost nothing.
 */
export interface Metrics {
  /** One answered request, by route pattern (never the raw path), after its response was made. */
  request(route: string, method: string, status: number, seconds: number): void
  login(outcome: LoginOutcome): void
  cache(name: CacheName, result: CacheResult): void
  /** A request answered 503 because the database was unreachable (StoreUnavailableError). */
  storeUnavailable(): void
  /** A request answered 500: a failure nobody expected. */
  internalError(): void
}

/** The text a scrape returns, and its Content-Type. */
export interface MetricsExposition {
  readonly contentType: string
  render(): Promise<string>
}

/** The route label of a request that matched no route: one label, so cardinality stays bounded. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * The pattern (`/holodules/:date`) of the route that answered: the last matched route that is not
 * a middleware (`app.use` registers those under method ALL). None: 404s and 405s of unknown paths.
 */
const routeOf = (c: Parameters<MiddlewareHandler>[0]): string => {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]
    if (r && r.method !== 'ALL') return r.path
  }
  return UNMATCHED_ROUTE
}

/** Counts and times every request; registered only when metrics are on. */
export const requestMetrics =
  <E extends Env>(metrics: Metrics): MiddlewareHandler<E> =>
  async (c, next) => {
    const start = performance.now()
    await next()
    metrics.request(routeOf(c), c.req.method, c.res.status, (performance.now() - start) / 1000)
  }
