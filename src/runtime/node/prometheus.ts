import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client'
import type {
  AppEnv,
  CacheName,
  CacheResult,
  LoginOutcome,
  Metrics,
  MetricsExposition,
} from '../../app/index.js'
import { type MetricsEndpoint, metricsRoutes, notFound, serviceUnavailable } from '../../app/index.js'

/** Latency buckets in seconds: a cached day answers in well under a millisecond, a login in ~100 ms. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface PrometheusMetrics {
  metrics: Metrics
  exposition: MetricsExposition
}

type Labels = Record<string, string>
interface Value {
  labels: Labels
  value: number
  metricName?: string
}

/** One (route, method, status): plain numbers, bumped per request and read at scrape time. */
interface Series {
  labels: Labels
  count: number
  sum: number
  /** Per bucket, not cumulative: one increment per request; the scrape adds them up. */
  buckets: number[]
}

/**
 * A metric prom-client's registry renders (and its AggregatorRegistry sums across a cluster)
 * from values computed at scrape time.
 */
const scraped = (
  register: Registry,
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => Value[],
) => {
  const metric = { name, help, type, aggregator: 'sum' as const }
  register.registerMetric({ ...metric, get: async () => ({ ...metric, values: values() }) } as never)
}

/** Counts by a fixed label set, kept as plain numbers under a string key. */
const counter = (register: Registry, name: string, help: string) => {
  const counts = new Map<string, Value>()
  scraped(register, name, help, 'counter', () => [...counts.values()])
  return (key: string, labels: Labels) => {
    const v = counts.get(key)
    if (v) v.value++
    else counts.set(key, { labels, value: 1 })
  }
}

const histogramValues = (name: string, series: Iterable<Series>): Value[] =>
  [...series].flatMap(({ labels, count, sum, buckets }) => {
    let cumulative = 0
    return [
      ...BUCKETS.map((le, i) => {
        cumulative += buckets[i] ?? 0
        return { metricName: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: cumulative }
      }),
      { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count },
      { metricName: `${name}_sum`, labels, value: sum },
      { metricName: `${name}_count`, labels, value: count },
    ]
  })

/**
 * The app's Metrics port for Prometheus. What a request pays is a string key, a Map lookup and a
 * few additions: prom-client's own Counter and Histogram hash their label object on every call
 * (~1 µs each), so the numbers are kept here and handed to prom-client's registry when scraped.
 * The registry is this instance's (never the global one, so two apps in one test process do not
 * share counts) and adds what prom-client collects by itself: process CPU and memory, and
 * nodejs_eventloop_lag_* (perf_hooks.monitorEventLoopDelay, which Node and Bun both have).
 */
export const createPrometheusMetrics = (): PrometheusMetrics => {
  const register = new Registry()
  collectDefaultMetrics({ register })
  const series = new Map<string, Series>()
  const DURATION = 'holodule_http_request_duration_seconds'
  scraped(
    register,
    'holodule_http_requests_total',
    'Requests answered, by route pattern, method and status',
    'counter',
    () => [...series.values()].map(({ labels, count }) => ({ labels, value: count })),
  )
  scraped(
    register,
    DURATION,
    'Time from the first middleware to the response, by route pattern, method and status',
    'histogram',
    () => histogramValues(DURATION, series.values()),
  )
  const logins = counter(
    register,
    'holodule_logins_total',
    'Logins that reached the throttle: ok, invalid (wrong password or unknown user), throttled (429), busy (503)',
  )
  const caches = counter(
    register,
    'holodule_cache_lookups_total',
    'Lookups of the per-process caches, hit or miss: holodules (a day), schedules (a /schedules query), ' +
      "streamers (a group's members), schedules-by-id and streamers-by-id (one record), users (a token's user)",
  )
  const unavailable = { value: 0 }
  const internal = { value: 0 }
  scraped(
    register,
    'holodule_store_unavailable_total',
    'Requests answered 503 because the database was unreachable',
    'counter',
    () => [{ labels: {}, value: unavailable.value }],
  )
  scraped(
    register,
    'holodule_internal_errors_total',
    'Requests answered 500 (an unexpected failure, logged with its request id)',
    'counter',
    () => [{ labels: {}, value: internal.value }],
  )
  const metrics: Metrics = {
    request(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`
      let s = series.get(key)
      if (!s) {
        s = {
          labels: { route, method, status: String(status) },
          count: 0,
          sum: 0,
          buckets: BUCKETS.map(() => 0),
        }
        series.set(key, s)
      }
      s.count++
      s.sum += seconds
      const i = BUCKETS.findIndex((le) => seconds <= le)
      if (i >= 0) s.buckets[i] = (s.buckets[i] ?? 0) + 1
    },
    login: (outcome: LoginOutcome) => logins(outcome, { outcome }),
    cache: (cache: CacheName, result: CacheResult) => caches(`${cache} ${result}`, { cache, result }),
    storeUnavailable: () => {
      unavailable.value++
    },
    internalError: () => {
      internal.value++
    },
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
