import autocannon from 'autocannon'

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
  /** Seconds before a request counts as timed out. */
  timeout?: number
}

export interface LoadResult {
  rps: number
  requests: number
  p50: number
  p99: number
  max: number
  statuses: Record<string, number>
  errors: number
  timeouts: number
  duration: number
}

/** One bounded autocannon run through its programmatic API. */
export const runLoad = async (spec: LoadSpec): Promise<LoadResult> => {
  let next = 0
  const paths = spec.paths
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    timeout: spec.timeout ?? 10,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(paths
      ? {
          requests: [
            {
              setupRequest: (req) => {
                req.path = paths[next++ % paths.length] as string
                return req
              },
            },
          ],
        }
      : {}),
  })
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    rps: responses / result.duration,
    requests: responses,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    duration: result.duration,
  }
}
