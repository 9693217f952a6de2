/**
 * One bounded run of autocannon through its programmatic API: where wrk is not installed, and for
 * the login flood, whose clients bind a source address (`localAddress`) and classify bodies, which
 * wrk cannot do per request.
 */
import autocannon from 'autocannon'
import type { LoadResult, LoadSpec } from './load-spec.js'

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
