/**
 * What a bench load is and what it returns, whichever tool drives it: wrk (bench/lib/wrk.ts) or
 * autocannon (bench/lib/autocannon.ts); bench/lib/load.ts picks one.
 */
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

/** `node:http`: the many-addresses login flood's own driver (bench/flood/many-load.ts), which binds source addresses. */
export type LoadTool = 'wrk' | 'autocannon' | 'node:http'

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
  /** Bytes read per answer, status line and headers included (wrk's count; absent from the others). */
  bytesPerAnswer?: number
}
