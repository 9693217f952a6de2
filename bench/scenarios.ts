/**
 * What is measured: each scenario is one request shape under load (hot GET, 304, spread over every
 * day, 401, login...), first checked once for the right answer, then run with wrk (autocannon where
 * wrk is not installed: bench/lib/load.ts), every response's status counted, while the
 * server's and FerretDB's CPU time is read from /proc.
 */

import type { ProcessRuntime } from '#harness/server-process.js'
import type { JwtConfig } from '#src/auth/token.js'
import { issueToken } from '#src/auth/token.js'
import { type LoadSpec, type LoadTool, loadToolFor, runLoad } from './lib/load.js'
import { databaseCpuSeconds, type RunningServer, serverCpuSeconds } from './lib/procs.js'
import { BENCH_USER, planSeed, prng, type SeedPlan } from './lib/seed.js'
import type { BenchOptions } from './options.js'
import type { Target } from './targets.js'

export type ScenarioName = 'hello' | 'payload' | 'hot' | 'hot-304' | 'spread' | '401' | 'auth'

export interface Row {
  target: string
  runtime: ProcessRuntime
  /** node20, node24 or bun: the ratios compare rows of one engine. */
  engine: string
  scenario: ScenarioName
  /** What drove the load: wrk, or autocannon where wrk is not installed. */
  tool: LoadTool
  rps: number
  p50: number
  p99: number
  rssMb: number
  /** CPU the server's processes used during the measured run, in cores (1.0 = one core busy). */
  serverCpu: number
  /** CPU FerretDB used meanwhile, in cores: its full scans compete with the server. */
  dbCpu: number
  requests: number
  statuses: Record<string, number>
  errors: number
  timeouts: number
  ok: boolean
  problem?: string
  ratioCeiling?: number
  ratioPeer?: number
  /** The same ratios per CPU-second the server used: steadier when other jobs share the machine. */
  ratioCeilingPerCpu?: number
  ratioPeerPerCpu?: number
  /** How long the one checked request before the run took (for spread: one uncached day). */
  checkMs?: number
  /** To Hono answering the same bytes on the same runtime (hot and spread only). */
  ratioSameBody?: number
  /** req/s of each round, when measured in rounds. */
  rounds?: number[]
}

/** The seeded data as the scenarios see it. */
export interface Workload {
  plan: SeedPlan
  hot: { date: string; count: number }
  counts: Map<string, number>
  spreadDays: string[]
  spreadPaths: string[]
  /** The Authorization header of a valid token for BENCH_USER. */
  auth: Record<string, string>
}

export const planWorkload = async (rows: number, secret: string): Promise<Workload> => {
  const plan = planSeed(rows)
  // "Today": the last day with a typical count; "spread": every seeded day in a fixed shuffled order.
  const hot = [...plan.days].reverse().find((d) => d.count >= 30 && d.count <= 40) ?? plan.days.at(-1)!
  const rnd = prng(99)
  const spreadDays = plan.days.map((d) => d.date).sort(() => rnd() - 0.5)
  const jwt: JwtConfig = {
    secret,
    algorithm: 'HS256',
    expirationDelta: 3600,
    notBeforeDelta: 0,
    leeway: 0,
    authHeaderPrefix: 'JWT',
    accessTokenExpires: 900,
  }
  const token = await issueToken(jwt, BENCH_USER.username, Date.now())
  return {
    plan,
    hot,
    counts: new Map(plan.days.map((d) => [d.date, d.count])),
    spreadDays,
    spreadPaths: spreadDays.map((d) => `/holodules/${d}`),
    auth: { Authorization: `JWT ${token}` },
  }
}

/** The pairs of a target that --only lets through. */
export const selected = (t: Target, only: RegExp | null): ScenarioName[] =>
  t.scenarios.filter((s) => !only || only.test(`${t.name}/${s}`))

/**
 * Scenarios that cost no FerretDB scan per request are measured with every server up at once, in
 * turn, in rounds (bench/measure.ts). The app and the Fastify peer cache the hot day alike.
 */
export const interleaved = (t: Target, s: ScenarioName): boolean =>
  s === 'hello' ||
  s === 'payload' ||
  s === '401' ||
  (!t.name.startsWith('hono-') && (s === 'hot' || s === 'hot-304'))

interface ScenarioPlan {
  load: LoadSpec
  /** The one status every response under load must have. */
  expected: number
  /** One request checked before the run: null when right, else what is wrong. */
  check: () => Promise<string | null>
}

interface ScenarioContext {
  url: string
  /** The load every scenario starts from: the server's root, the run's connections and duration. */
  base: LoadSpec
  workload: Workload
  hotPath: string
  getJson: (path: string, headers: Record<string, string>) => Promise<{ res: Response; body: Body }>
  checkDay: (date: string) => Promise<string | null>
}

type Body = Record<string, unknown>

const scenarioContext = (server: RunningServer, workload: Workload, opts: BenchOptions): ScenarioContext => {
  const getJson = async (path: string, headers: Record<string, string>) => {
    const res = await fetch(server.url + path, {
      headers,
      signal: AbortSignal.timeout(opts.requestTimeoutS * 1000),
    })
    return { res, body: (await res.json()) as Body }
  }
  const { auth, counts } = workload
  const checkDay = async (date: string) => {
    const { res, body } = await getJson(`/holodules/${date}`, auth)
    if (res.status !== 200) return `GET ${date}: status ${res.status} ${JSON.stringify(body)}`
    const list = body.holodules as Array<{ datetime: string }>
    if (body.result !== counts.get(date) || list.length !== counts.get(date))
      return `GET ${date}: ${String(body.result)} rows, expected ${counts.get(date)}`
    for (let i = 1; i < list.length; i++) {
      if ((list[i - 1] as { datetime: string }).datetime < (list[i] as { datetime: string }).datetime)
        return `GET ${date}: not newest first`
    }
    return null
  }
  return {
    url: server.url,
    base: { url: server.url, connections: opts.connections, duration: opts.duration },
    workload,
    hotPath: `/holodules/${workload.hot.date}`,
    getJson,
    checkDay,
  }
}

const hotNotModified = async ({ url, base, hotPath, workload }: ScenarioContext): Promise<ScenarioPlan> => {
  const { auth } = workload
  const first = await fetch(url + hotPath, { headers: auth })
  await first.arrayBuffer()
  const etag = first.headers.get('ETag')
  return {
    expected: 304,
    load: { ...base, url: url + hotPath, headers: { ...auth, 'If-None-Match': etag ?? '' } },
    check: async () => {
      if (!etag) return 'no ETag on the schedule response'
      const res = await fetch(url + hotPath, { headers: { ...auth, 'If-None-Match': etag } })
      await res.arrayBuffer()
      return res.status === 304 ? null : `If-None-Match answered ${res.status}`
    },
  }
}

const login = ({ url, base }: ScenarioContext): ScenarioPlan => {
  const body = JSON.stringify(BENCH_USER)
  const request = { method: 'POST' as const, headers: { 'Content-Type': 'application/json' }, body }
  return {
    expected: 200,
    load: { ...base, url: `${url}/auth`, ...request },
    check: async () => {
      const res = await fetch(`${url}/auth`, request)
      const json = (await res.json()) as { access_token?: unknown }
      return res.status === 200 &&
        typeof json.access_token === 'string' &&
        json.access_token.split('.').length === 3
        ? null
        : `POST /auth: ${res.status} ${JSON.stringify(json)}`
    },
  }
}

const SCENARIOS: Record<ScenarioName, (c: ScenarioContext) => ScenarioPlan | Promise<ScenarioPlan>> = {
  hello: ({ url, base }) => ({
    expected: 200,
    load: { ...base, url: `${url}/` },
    check: async () => ((await fetch(`${url}/`)).status === 200 ? null : 'hello did not answer 200'),
  }),
  payload: ({ url, base, workload }) => ({
    expected: 200,
    load: { ...base, url: `${url}/payload` },
    check: async () => {
      const res = await fetch(`${url}/payload`)
      const body = (await res.json()) as { result?: number }
      return res.status === 200 && body.result === workload.hot.count
        ? null
        : 'payload did not answer the hot day'
    },
  }),
  hot: ({ url, base, hotPath, workload, checkDay }) => ({
    expected: 200,
    load: { ...base, url: url + hotPath, headers: workload.auth },
    check: () => checkDay(workload.hot.date),
  }),
  'hot-304': hotNotModified,
  spread: ({ url, base, workload, checkDay }) => ({
    expected: 200,
    load: {
      ...base,
      url: url + (workload.spreadPaths[0] as string),
      headers: workload.auth,
      paths: workload.spreadPaths,
    },
    check: () => checkDay(workload.spreadDays[1] as string),
  }),
  '401': ({ url, base, hotPath, getJson }) => ({
    expected: 401,
    load: { ...base, url: url + hotPath },
    check: async () => {
      const { res, body } = await getJson(hotPath, {})
      return res.status === 401 && body.error === 'Authorization Required'
        ? null
        : `no token: ${res.status} ${JSON.stringify(body)}`
    },
  }),
  auth: login,
}

const emptyRow = (target: Target, scenario: ScenarioName, tool: LoadTool): Row => ({
  target: target.name,
  runtime: target.runtime,
  engine: target.engine,
  scenario,
  tool,
  rps: 0,
  p50: 0,
  p99: 0,
  rssMb: 0,
  serverCpu: 0,
  dbCpu: 0,
  requests: 0,
  statuses: {},
  errors: 0,
  timeouts: 0,
  ok: true,
})

/** The measured run: autocannon's numbers, the CPU time it cost, and what went wrong. */
const measure = async (
  server: RunningServer,
  load: LoadSpec,
  scenario: ScenarioName,
  expected: number,
  smoke: boolean,
): Promise<Partial<Row>> => {
  const cpuBefore = serverCpuSeconds(server)
  const dbBefore = databaseCpuSeconds()
  const r = await runLoad(load)
  const serverCpu = (serverCpuSeconds(server) - cpuBefore) / r.duration
  const dbCpu = (databaseCpuSeconds() - dbBefore) / r.duration
  const wrong = Object.entries(r.statuses).filter(([code]) => Number(code) !== expected)
  const problems: string[] = []
  if (wrong.length > 0) problems.push(`unexpected statuses ${JSON.stringify(Object.fromEntries(wrong))}`)
  if (r.errors > 0) problems.push(`${r.errors} connection errors`)
  // The check above already proved a right answer; under load a scenario bound by FerretDB's full
  // scans or by the password hash may see no answer within a one-second smoke run. The hot day is
  // cached by the app and the peer alike, so it must answer.
  const boundBySlowWork = scenario === 'auth' || scenario === 'spread'
  if (smoke && r.requests === 0 && !boundBySlowWork) problems.push('no response within the run')
  const out: Partial<Row> = {
    tool: r.tool,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    requests: r.requests,
    statuses: r.statuses,
    errors: r.errors,
    timeouts: r.timeouts,
    rssMb: server.peakRssMb(),
    serverCpu,
    dbCpu,
    ok: problems.length === 0,
  }
  if (problems.length > 0) out.problem = problems.join('; ')
  return out
}

/** Checks one response, warms up, then measures one scenario on one running server. */
export const runScenario = async (
  server: RunningServer,
  target: Target,
  scenario: ScenarioName,
  workload: Workload,
  opts: BenchOptions,
): Promise<Row> => {
  const plan = await SCENARIOS[scenario](scenarioContext(server, workload, opts))
  const load: LoadSpec = { ...plan.load, timeout: opts.requestTimeoutS }
  const row = emptyRow(target, scenario, loadToolFor(load))
  const checkStarted = performance.now()
  const problem = await plan.check().catch((e: Error) => `check failed: ${e.message}`)
  row.checkMs = Math.round(performance.now() - checkStarted)
  if (problem) return { ...row, ok: false, problem, rssMb: server.peakRssMb() }
  if (opts.warmup > 0 && scenario !== 'auth') await runLoad({ ...load, duration: opts.warmup })
  return { ...row, ...(await measure(server, load, scenario, plan.expected, opts.smoke)) }
}
