/**
 * The load of a bench run: wrk (bench/lib/wrk.ts) when it is installed and the run needs nothing
 * only autocannon does; autocannon otherwise. The login flood stays on autocannon: each of its clients
 * binds a source address (`localAddress`) and classifies bodies, which wrk cannot do per request.
 */
import autocannon from 'autocannon'
import { runWrk, wrkBinary } from './wrk.js'

export interface LoadSpec {
  url: string
  connections: number
  /** Seconds. */
  duration: number
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** When given, each request takes the next path in turn. */
  paths?: string[]
  /** When given, each request takes the next body in turn. */
  bodies?: string[]
  /** Seconds before a request counts as timed out. */
  timeout?: number
  /** At most this many requests in all, even before `duration` is over. */
  maxRequests?: number
  /** Names a response from its status and body (null: not counted); the counts are in `classes`. */
  classify?: (status: number, body: string) => string | null
}

export type LoadTool = 'wrk' | 'autocannon'

export interface LoadResult {
  /** What drove the load. */
  tool: LoadTool
  rps: number
  requests: number
  p50: number
  p99: number
  max: number
  statuses: Record<string, number>
  errors: number
  timeouts: number
  duration: number
  /** How many responses `classify` put under each name. */
  classes: Record<string, number>
}

/** autocannon's `requests`: each request takes the next path and body in turn; classified when asked. */
const requestSequence = (spec: LoadSpec, classes: Record<string, number>) => {
  const { paths, bodies, classify } = spec
  if (!paths && !bodies && !classify) return {}
  let next = 0
  return {
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const i = next++
          if (paths) req.path = paths[i % paths.length] as string
          if (bodies) req.body = bodies[i % bodies.length] as string
          return req
        },
        ...(classify
          ? {
              onResponse: (status: number, body: string) => {
                const name = classify(status, body)
                if (name !== null) classes[name] = (classes[name] ?? 0) + 1
              },
            }
          : {}),
      },
    ],
  }
}

/** One bounded autocannon run through its programmatic API. */
export const runAutocannon = async (spec: LoadSpec): Promise<LoadResult> => {
  const classes: Record<string, number> = {}
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: spec.timeout ?? 10,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.maxRequests === undefined ? {} : { maxOverallRequests: spec.maxRequests }),
    ...requestSequence(spec, classes),
  })
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    tool: 'autocannon',
    rps: responses / result.duration,
    requests: responses,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    duration: result.duration,
    classes,
  }
}

/** Whether wrk can drive `spec`: a per-request body, a cap on requests or a classifier need autocannon. */
const wrkCan = (spec: LoadSpec): boolean =>
  spec.bodies === undefined && spec.maxRequests === undefined && spec.classify === undefined

/** The tool `runLoad` uses for `spec` on this machine. */
export const loadToolFor = (spec: LoadSpec): LoadTool =>
  wrkCan(spec) && wrkBinary() !== null ? 'wrk' : 'autocannon'

/** One bounded run, with wrk when it is installed and can drive `spec`, else autocannon. */
export const runLoad = (spec: LoadSpec): Promise<LoadResult> => {
  const wrk = wrkCan(spec) ? wrkBinary() : null
  return wrk ? runWrk(wrk, spec) : runAutocannon(spec)
}
