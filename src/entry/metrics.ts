import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { AggregatorRegistry, Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { AppEnv } from '../app/env.js'
import type { CacheName, CacheResult, LoginOutcome, Metrics, MetricsExposition } from '../app/metrics.js'
import { notFound, serviceUnavailable } from '../app/responses.js'
import { type MetricsEndpoint, metricsRoutes } from '../app/routes/metrics/metrics.index.js'

/** Latency buckets in seconds: a cached day answers in well under a millisecond, a login in ~100 ms. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface PrometheusMetrics {
  metrics: Metrics
  exposition: MetricsExposition
}

/**
 * The app's Metrics port on prom-client, in a registry of its own (never the global one, so two
 * apps in one test process do not share counts), with the process and event-loop metrics that
 * prom-client collects by itself (nodejs_eventloop_lag_*: perf_hooks.monitorEventLoopDelay, which
 * Node and Bun both have).
 */
export const createPrometheusMetrics = (): PrometheusMetrics => {
  const register = new Registry()
  collectDefaultMetrics({ register })
  const requests = new Counter({
    name: 'holodule_http_requests_total',
    help: 'Requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [register],
  })
  const duration = new Histogram({
    name: 'holodule_http_request_duration_seconds',
    help: 'Time from the first middleware to the response, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BUCKETS,
    registers: [register],
  })
  const logins = new Counter({
    name: 'holodule_logins_total',
    help: 'Logins that reached the throttle: ok, invalid (wrong password or unknown user), throttled (429), busy (503)',
    labelNames: ['outcome'] as const,
    registers: [register],
  })
  const caches = new Counter({
    name: 'holodule_cache_lookups_total',
    help: 'Lookups of the per-process caches (holodules: a day, users: the user of a token), hit or miss',
    labelNames: ['cache', 'result'] as const,
    registers: [register],
  })
  const unavailable = new Counter({
    name: 'holodule_store_unavailable_total',
    help: 'Requests answered 503 because the database was unreachable',
    registers: [register],
  })
  const internal = new Counter({
    name: 'holodule_internal_errors_total',
    help: 'Requests answered 500 (an unexpected failure, logged with its request id)',
    registers: [register],
  })
  // The label lookup (a string key built and hashed) is the costly part of an increment: each
  // (route, method, status) gets its children once; the set is small because routes are patterns.
  const children = new Map<
    string,
    { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> }
  >()
  const metrics: Metrics = {
    request(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`
      let child = children.get(key)
      if (!child) {
        const labels = { route, method, status: String(status) }
        child = { count: requests.labels(labels), time: duration.labels(labels) }
        children.set(key, child)
      }
      child.count.inc()
      child.time.observe(seconds)
    },
    login: (outcome: LoginOutcome) => logins.inc({ outcome }),
    cache: (cache: CacheName, result: CacheResult) => caches.inc({ cache, result }),
    storeUnavailable: () => unavailable.inc(),
    internalError: () => internal.inc(),
  }
  // A cluster member answers its supervisor's scrape (clusterExposition) with this registry.
  if (cluster.isWorker) {
    AggregatorRegistry.setRegistries([register])
    // Constructing one adds the IPC listener that answers the supervisor.
    void new AggregatorRegistry()
  }
  return {
    metrics,
    exposition: { contentType: register.contentType, render: () => register.metrics() },
  }
}

/**
 * What the supervisor of WORKERS=N serves: every member's registry, summed (counters,
 * histograms) or averaged (event-loop lag) by prom-client, over the cluster's IPC channel.
 */
export const clusterExposition = (): MetricsExposition => {
  const aggregator = new AggregatorRegistry()
  return { contentType: aggregator.contentType, render: () => aggregator.clusterMetrics() }
}

/** Where the scrape of METRICS_PORT is answered: loopback only, whatever HOST says. */
export const METRICS_HOST = '127.0.0.1'

/**
 * METRICS_PORT's listener: GET /metrics (behind METRICS_TOKEN too, when set), 404 for anything
 * else, on 127.0.0.1 only. node:http through @hono/node-server, which Bun runs as well, so the
 * Node and Bun entries and the cluster supervisor all serve it the same way.
 */
export const serveMetrics = (port: number, endpoint: MetricsEndpoint): Promise<Server> => {
  const app = new Hono<AppEnv>().route('/', metricsRoutes(endpoint))
  app.notFound(notFound)
  // A member that does not answer the supervisor in time (one starting or dying): 503, try again.
  app.onError((_e, c) => serviceUnavailable(c))
  return new Promise((resolve, reject) => {
    const server = serve(
      // Not overriding the global Response: under Bun that swaps Bun.serve's Response for one it refuses.
      { fetch: app.fetch, port, hostname: METRICS_HOST, overrideGlobalObjects: false },
      () => resolve(server as Server),
    )
    server.once('error', reject)
  })
}
