/**
 * The many-addresses flood (issue 19): 32 loopback source addresses (127.0.1.1-32) x 2 keep-alive
 * connections, each sending wrong passwords with rotating user names to POST /auth, one request after
 * another, for `duration` seconds and at most `maxRequests` in all. autocannon binds no source
 * address, so this drives the load itself, in a process of its own (startFloodLoad runs this file as
 * it runs flood-load.ts): prints `ready`, then a LoadResult as JSON on one line.
 */
import { Agent } from 'node:http'
import { pathToFileURL } from 'node:url'
import { loginFrom } from '#harness/http-from.js'
import type { LoadResult } from '../lib/load-spec.js'
import { serverErrorClass } from './clients.js'

export interface ManyLoadSpec {
  url: string
  /** Source addresses, each with `connectionsPerAddress` connections. */
  addresses: string[]
  connectionsPerAddress: number
  /** Seconds. */
  duration: number
  maxRequests: number
  /** User names taken in turn; every password is wrong. */
  usernames: string[]
  /** Seconds before a request counts as timed out. */
  timeout: number
}

/** The first `n` flooding addresses, 127.0.1.1 upward. */
export const floodAddresses = (n: number) => Array.from({ length: n }, (_, i) => `127.0.1.${i + 1}`)

export const runManyLoad = async (spec: ManyLoadSpec): Promise<LoadResult> => {
  const statuses: Record<string, number> = {}
  const classes: Record<string, number> = {}
  const latencies: number[] = []
  let requests = 0
  let errors = 0
  let timeouts = 0
  const started = performance.now()
  const until = started + spec.duration * 1000
  const agents = spec.addresses.map(
    (localAddress) => new Agent({ keepAlive: true, maxSockets: spec.connectionsPerAddress, localAddress }),
  )
  const connection = async (agent: Agent, first: number) => {
    for (let i = first; performance.now() < until && requests < spec.maxRequests; i += 7) {
      requests++
      const username = spec.usernames[i % spec.usernames.length] as string
      const a = await loginFrom(agent, spec.url, { username, password: `not-it-${i}` }, spec.timeout * 1000)
      if (a.status === 0) {
        if (a.timedOut) timeouts++
        else errors++
        continue
      }
      latencies.push(a.ms)
      statuses[a.status] = (statuses[a.status] ?? 0) + 1
      const name = serverErrorClass(a.status, a.body)
      if (name !== null) classes[name] = (classes[name] ?? 0) + 1
    }
  }
  await Promise.all(
    agents.flatMap((agent, a) =>
      Array.from({ length: spec.connectionsPerAddress }, (_, c) => connection(agent, a * 3 + c)),
    ),
  )
  for (const agent of agents) agent.destroy()
  const duration = (performance.now() - started) / 1000
  const sorted = latencies.sort((x, y) => x - y)
  const at = (q: number) => Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0)
  return {
    tool: 'node:http',
    rps: requests / duration,
    requests,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(sorted.at(-1) ?? 0),
    statuses,
    errors,
    timeouts,
    duration,
    classes,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ManyLoadSpec
  process.stdout.write('ready\n')
  const result = await runManyLoad(spec)
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
