/**
 * `npm run bench`: the API on its Node and Bun entries against FerretDB, next to Hono's hello (the
 * ceiling on each runtime) and a Fastify peer, under the same bounded autocannon load. Prints a
 * table and writes JSON to bench/results/. `--smoke` runs every scenario for about a second on a
 * small collection and exits non-zero when a server fails or answers a wrong status.
 *
 * Flags: --smoke, --rows N, --duration S, --warmup S, --rounds N, --connections N, --only REGEX,
 * --entry dist|tsx (how the Node entry runs), --ttl S (HOLODULES_CACHE_TTL for the app),
 * --user-ttl S (USER_CACHE_TTL),
 * --workers (also the WORKERS=auto scenarios), --cpu-prof (profile the Node entry), --out FILE.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { MongoClient } from 'mongodb'
import type { JwtConfig } from '../src/auth/token.js'
import { issueToken } from '../src/auth/token.js'
import { MongoStore } from '../src/store/mongo-store.js'
import { nextDay } from '../src/store/store.js'
import { ferretdbBinary, startMongo } from '../test/support/ferretdb.js'
import type { ProcessRuntime as Runtime } from '../test/support/server-process.js'
import { runLoad } from './lib/load.js'
import {
  cpuSeconds,
  hasTaskset,
  pin,
  processTree,
  type RunningServer,
  startBenchServer,
} from './lib/procs.js'
import { BENCH_USER, planSeed, prng, seedDatabase } from './lib/seed.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rows: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    entry: { type: 'string' },
    ttl: { type: 'string' },
    'user-ttl': { type: 'string' },
    workers: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
})

const smoke = flags.smoke
const rows = Number(flags.rows ?? (smoke ? 2000 : 50_000))
const duration = Number(flags.duration ?? (smoke ? 1 : 5))
const warmup = Number(flags.warmup ?? (smoke ? 0.3 : 2))
const rounds = Number(flags.rounds ?? (smoke ? 1 : 3))
const connections = Number(flags.connections)
const entryMode = flags.entry ?? (smoke ? 'tsx' : 'dist')
const only = flags.only ? new RegExp(flags.only) : null
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
const DB_NAME = 'holodule_bench'
// A request still open when a run ends is simply not counted; one slower than this is a failure.
// FerretDB scans the whole collection for a day, so the bound grows with it.
const REQUEST_TIMEOUT_S = Math.max(30, Math.ceil(rows / 5000))

const SERVER_CPUS = '1'
const LOADGEN_CPUS = '0'

type ScenarioName = 'hello' | 'payload' | 'hot' | 'hot-304' | 'spread' | '401' | 'auth'

interface Row {
  target: string
  runtime: Runtime
  scenario: ScenarioName
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

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

const bunBinary = (): string => join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe')

const version = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000 }).trim().split('\n')[0] ?? ''
  } catch {
    return 'unknown'
  }
}

const main = async (): Promise<number> => {
  const startedAt = new Date()
  const plan = planSeed(rows)
  // "Today": the last day with a typical count; "spread": every seeded day in a fixed shuffled order.
  const hot = [...plan.days].reverse().find((d) => d.count >= 30 && d.count <= 40) ?? plan.days.at(-1)!
  const counts = new Map(plan.days.map((d) => [d.date, d.count]))
  const rnd = prng(99)
  const spreadDays = plan.days.map((d) => d.date).sort(() => rnd() - 0.5)
  const spreadPaths = spreadDays.map((d) => `/holodules/${d}`)

  if (entryMode === 'dist') {
    log('building the Node entry (tsc -p tsconfig.build.json)')
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        'node_modules/.cache/holodule-bench/dist',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    )
  }

  const mongo = await startMongo()
  const servers = new Set<RunningServer>()
  const cleanups: Array<() => void> = []
  const cleanup = async () => {
    for (const c of cleanups) c()
    for (const s of servers) await s.stop()
    await mongo.dispose()
  }
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  // The load generator keeps CPU 0 and each server gets CPU 1, so neither starves the other.
  // FerretDB, started before this, may run on both.
  const pinned = hasTaskset()
  if (pinned) pin(process.pid, LOADGEN_CPUS)
  const unpinDatabase = () => {
    if (!pinned) return
    for (const p of processTree(process.pid).slice(1)) {
      try {
        pin(p, '0-1')
      } catch {}
    }
  }

  try {
    log(`seeding ${rows} rows over ${plan.days.length} days (10-60 a day) into FerretDB`)
    const t0 = Date.now()
    const seeded = await seedDatabase(mongo.uri, DB_NAME, plan, 600_000)
    log(`seeded ${seeded} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    if (seeded !== rows) throw new Error(`seeded ${seeded} rows, expected ${rows}`)

    const explain = await explainSpreadQuery(mongo.uri, spreadDays[0] as string)
    // The hot day's response, byte for byte, for the same-body ceiling.
    const payloadFile = join(tmpdir(), `holodule-bench-payload-${process.pid}.json`)
    cleanups.push(() => rmSync(payloadFile, { force: true }))
    const hotStore = MongoStore.connect(mongo.uri, DB_NAME, { socketTimeoutMS: REQUEST_TIMEOUT_S * 1000 })
    try {
      const list = await hotStore.findHolodulesByDate(hot.date)
      writeFileSync(payloadFile, JSON.stringify({ result: list.length, holodules: list }))
    } finally {
      await hotStore.close()
    }

    const jwt: JwtConfig = {
      secret: SECRET,
      algorithm: 'HS256',
      expirationDelta: 3600,
      notBeforeDelta: 0,
      leeway: 0,
      authHeaderPrefix: 'JWT',
    }
    const token = await issueToken(jwt, BENCH_USER.username, Date.now())
    const auth = { Authorization: `JWT ${token}` }

    const appEnv: Record<string, string> = {
      MONGODB_URI: mongo.uri,
      MONGODB_DB: DB_NAME,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'warn',
      // FerretDB scans the collection for a day (2.5-4.4 s at 50k rows, more under this load); the
      // app's default 5 s bound would turn slow refreshes into 503s that say nothing about the app.
      MONGODB_REQUEST_TIMEOUT_MS: '9000',
      ...(flags.ttl === undefined ? {} : { HOLODULES_CACHE_TTL: flags.ttl }),
      ...(flags['user-ttl'] === undefined ? {} : { USER_CACHE_TTL: flags['user-ttl'] }),
    }
    // --cpu-prof: the Node entry writes a V8 profile to bench/results/ when it stops.
    const profile = flags['cpu-prof']
      ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results')}`]
      : []
    const nodeEntry = [
      ...profile,
      ...(entryMode === 'dist'
        ? [join(ROOT, 'node_modules/.cache/holodule-bench/dist/entry/node.js')]
        : ['--import', 'tsx', 'src/entry/node.ts']),
    ]
    const tsxNode = (file: string) => ({ command: process.execPath, args: ['--import', 'tsx', file] })
    const bun = (file: string) => ({ command: bunBinary(), args: [file] })

    interface Target {
      name: string
      runtime: Runtime
      spec: { command: string; args: string[] }
      env: Record<string, string>
      scenarios: ScenarioName[]
      usesDb: boolean
    }
    // Cheap paths first; spread last, since FerretDB may still be scanning for it when the server stops.
    const appScenarios: ScenarioName[] = ['401', 'hot', 'hot-304', 'auth', 'spread']
    const targets: Target[] = [
      {
        name: 'hono-hello-node',
        runtime: 'node',
        spec: tsxNode('bench/peers/hono-hello-node.ts'),
        env: { PAYLOAD_FILE: payloadFile },
        scenarios: ['hello', 'payload'],
        usesDb: false,
      },
      {
        name: 'hono-hello-bun',
        runtime: 'bun',
        spec: bun('bench/peers/hono-hello-bun.ts'),
        env: { PAYLOAD_FILE: payloadFile },
        scenarios: ['hello', 'payload'],
        usesDb: false,
      },
      {
        name: 'app-node',
        runtime: 'node',
        spec: { command: process.execPath, args: nodeEntry },
        env: appEnv,
        scenarios: appScenarios,
        usesDb: true,
      },
      {
        name: 'app-bun',
        runtime: 'bun',
        spec: bun('src/entry/bun.ts'),
        env: appEnv,
        scenarios: appScenarios,
        usesDb: true,
      },
      {
        name: 'fastify-node',
        runtime: 'node',
        spec: tsxNode('bench/peers/fastify.ts'),
        env: { MONGODB_URI: mongo.uri, MONGODB_DB: DB_NAME, JWT_SECRET_KEY: SECRET },
        scenarios: ['401', 'hot', 'spread'],
        usesDb: true,
      },
    ]
    if (flags.workers) {
      targets.push(
        {
          name: 'app-node-workers',
          runtime: 'node',
          spec: { command: process.execPath, args: nodeEntry },
          env: { ...appEnv, WORKERS: 'auto' },
          scenarios: ['hot'],
          usesDb: true,
        },
        {
          name: 'app-bun-workers',
          runtime: 'bun',
          spec: bun('src/entry/bun.ts'),
          env: { ...appEnv, WORKERS: 'auto' },
          scenarios: ['hot'],
          usesDb: true,
        },
      )
    }

    const selected = (t: Target) => t.scenarios.filter((s) => !only || only.test(`${t.name}/${s}`))
    // Scenarios that cost no FerretDB scan per request are measured with every server up at once,
    // in turn, `rounds` times; each row keeps the round with the median req/s. Other jobs on this
    // machine come and go, and this way the ceiling and the app see the same moments.
    const interleaved = (t: Target, s: ScenarioName) =>
      s === 'hello' ||
      s === 'payload' ||
      s === '401' ||
      (t.name.startsWith('app-') && (s === 'hot' || s === 'hot-304'))
    const live = new Map<string, RunningServer>()
    const start = async (target: Target) => {
      const existing = live.get(target.name)
      if (existing) return existing
      log(`starting ${target.name}`)
      const server = await startBenchServer({
        name: target.name,
        ...target.spec,
        env: target.env,
        // Cluster workers share the machine on purpose: that is what WORKERS=auto is for.
        ...(target.name.endsWith('-workers') ? {} : { cpus: SERVER_CPUS }),
        readyPath: target.scenarios.includes('hello') ? '/' : '/holodules/x',
      })
      servers.add(server)
      live.set(target.name, server)
      return server
    }
    const stop = async (target: Target) => {
      const server = live.get(target.name)
      if (!server) return
      await server.stop()
      servers.delete(server)
      live.delete(target.name)
    }
    const say = (row: Row, round = '') =>
      log(
        `${row.target}/${row.scenario}${round}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms` +
          (row.ok ? '' : `  FAILED: ${row.problem}`),
      )

    const rowsByKey = new Map<string, Row>()
    const phase1 = targets.filter((t) => selected(t).some((s) => interleaved(t, s)))
    for (const t of phase1) await start(t)
    const samples = new Map<string, Row[]>()
    for (let round = 1; round <= rounds; round++) {
      for (const target of phase1) {
        for (const scenario of selected(target).filter((s) => interleaved(target, s))) {
          const row = await runScenario(live.get(target.name) as RunningServer, target, scenario)
          say(row, rounds > 1 ? ` (round ${round})` : '')
          const key = `${target.name}/${scenario}`
          samples.set(key, [...(samples.get(key) ?? []), row])
        }
      }
    }
    for (const [key, list] of samples) {
      const sorted = [...list].sort((a, b) => a.rps - b.rps)
      const failed = list.find((r) => !r.ok)
      const median = failed ?? (sorted[Math.floor((sorted.length - 1) / 2)] as Row)
      rowsByKey.set(key, { ...median, rounds: list.map((r) => Math.round(r.rps)) })
    }

    // The rest, one server at a time: FerretDB is restarted around them so no queued scan leaks.
    for (const target of targets) {
      const rest = selected(target).filter((s) => !interleaved(target, s))
      if (rest.length === 0) {
        await stop(target)
        continue
      }
      const server = await start(target)
      try {
        for (const scenario of rest) {
          // A spread run starts on an idle database, not behind scans a previous run left queued.
          if (scenario === 'spread') await resetDatabase(server, target.name.startsWith('app-'))
          const row = await runScenario(server, target, scenario)
          say(row)
          rowsByKey.set(`${target.name}/${scenario}`, row)
        }
      } finally {
        await stop(target)
      }
      if (target.usesDb) await resetDatabase(null, false)
    }
    const rowsOut: Row[] = targets.flatMap((t) =>
      selected(t).flatMap((s) => {
        const row = rowsByKey.get(`${t.name}/${s}`)
        return row ? [row] : []
      }),
    )

    /** Restarts FerretDB (same data) so no queued scan outlives the run that caused it. */
    async function resetDatabase(server: RunningServer | null, hasReadyz: boolean) {
      if (process.env.MONGODB_URI) return
      await mongo.stop()
      await mongo.start()
      unpinDatabase()
      if (!server || !hasReadyz) return
      const deadline = Date.now() + 15_000
      while (Date.now() < deadline) {
        const res = await fetch(`${server.url}/readyz`).catch(() => null)
        await res?.arrayBuffer()
        if (res?.status === 200) return
        await new Promise((r) => setTimeout(r, 100))
      }
    }

    async function runScenario(server: RunningServer, target: Target, scenario: ScenarioName): Promise<Row> {
      const hotPath = `/holodules/${hot.date}`
      let load: Parameters<typeof runLoad>[0] = { url: server.url, connections, duration }
      let expected = 200
      let check: () => Promise<string | null>
      const getJson = async (path: string, headers: Record<string, string>) => {
        const res = await fetch(server.url + path, {
          headers,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000),
        })
        return { res, body: (await res.json()) as Record<string, unknown> }
      }
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
      switch (scenario) {
        case 'hello':
          load = { ...load, url: `${server.url}/` }
          check = async () =>
            (await fetch(`${server.url}/`)).status === 200 ? null : 'hello did not answer 200'
          break
        case 'payload':
          load = { ...load, url: `${server.url}/payload` }
          check = async () => {
            const res = await fetch(`${server.url}/payload`)
            const body = (await res.json()) as { result?: number }
            return res.status === 200 && body.result === hot.count
              ? null
              : 'payload did not answer the hot day'
          }
          break
        case 'hot':
          load = { ...load, url: server.url + hotPath, headers: auth }
          check = () => checkDay(hot.date)
          break
        case 'hot-304': {
          const first = await fetch(server.url + hotPath, { headers: auth })
          await first.arrayBuffer()
          const etag = first.headers.get('ETag')
          expected = 304
          load = { ...load, url: server.url + hotPath, headers: { ...auth, 'If-None-Match': etag ?? '' } }
          check = async () => {
            if (!etag) return 'no ETag on the schedule response'
            const res = await fetch(server.url + hotPath, { headers: { ...auth, 'If-None-Match': etag } })
            await res.arrayBuffer()
            return res.status === 304 ? null : `If-None-Match answered ${res.status}`
          }
          break
        }
        case 'spread':
          load = { ...load, url: server.url + (spreadPaths[0] as string), headers: auth, paths: spreadPaths }
          check = () => checkDay(spreadDays[1] as string)
          break
        case '401':
          expected = 401
          load = { ...load, url: server.url + hotPath }
          check = async () => {
            const { res, body } = await getJson(hotPath, {})
            return res.status === 401 && body.error === 'Authorization Required'
              ? null
              : `no token: ${res.status} ${JSON.stringify(body)}`
          }
          break
        case 'auth': {
          const body = JSON.stringify(BENCH_USER)
          load = {
            ...load,
            url: `${server.url}/auth`,
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
          }
          check = async () => {
            const res = await fetch(`${server.url}/auth`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body,
            })
            const json = (await res.json()) as { access_token?: unknown }
            return res.status === 200 &&
              typeof json.access_token === 'string' &&
              json.access_token.split('.').length === 3
              ? null
              : `POST /auth: ${res.status} ${JSON.stringify(json)}`
          }
          break
        }
      }
      load.timeout = REQUEST_TIMEOUT_S
      const row: Row = {
        target: target.name,
        runtime: target.runtime,
        scenario,
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
      }
      const checkStarted = performance.now()
      const problem = await check().catch((e: Error) => `check failed: ${e.message}`)
      row.checkMs = Math.round(performance.now() - checkStarted)
      if (problem) return { ...row, ok: false, problem, rssMb: server.peakRssMb() }
      if (warmup > 0 && scenario !== 'auth') await runLoad({ ...load, duration: warmup })
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
      // scans or by the password hash may see no answer within a one-second smoke run.
      const boundBySlowWork = scenario === 'auth' || scenario === 'spread' || scenario === 'hot'
      if (smoke && r.requests === 0 && !boundBySlowWork) problems.push('no response within the run')
      const out: Row = {
        ...row,
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

    // Ratios: to Hono's hello on the same runtime, and to the Fastify peer's same scenario.
    const ceiling = (runtime: Runtime) =>
      rowsOut.find((r) => r.scenario === 'hello' && r.runtime === runtime && r.ok && r.rps > 0)
    const peer = (scenario: ScenarioName) =>
      rowsOut.find((r) => r.target === 'fastify-node' && r.scenario === scenario && r.ok && r.rps > 0)
    const sameBody = (runtime: Runtime) =>
      rowsOut.find((r) => r.scenario === 'payload' && r.runtime === runtime && r.ok && r.rps > 0)
    for (const r of rowsOut) {
      const b = sameBody(r.runtime)
      if (b && (r.scenario === 'hot' || r.scenario === 'spread')) r.ratioSameBody = r.rps / b.rps
      const c = ceiling(r.runtime)
      if (c && r.scenario !== 'hello') {
        r.ratioCeiling = r.rps / c.rps
        if (perCpu(c) > 0) r.ratioCeilingPerCpu = perCpu(r) / perCpu(c)
      }
      const p = peer(r.scenario)
      if (p && r.target !== 'fastify-node') {
        r.ratioPeer = r.rps / p.rps
        if (perCpu(p) > 0) r.ratioPeerPerCpu = perCpu(r) / perCpu(p)
      }
    }

    const environment = {
      date: startedAt.toISOString(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
      node: process.version,
      bun: version(bunBinary(), ['--version']),
      ferretdb: process.env.MONGODB_URI
        ? 'MONGODB_URI'
        : `FerretDB ${version(ferretdbBinary(), ['--version']).replace('Version: ', '')}`,
      autocannon: require('autocannon/package.json').version as string,
      pinning: pinned ? `servers on CPU ${SERVER_CPUS}, load generator on CPU ${LOADGEN_CPUS}` : 'none',
    }
    const settings = {
      rows,
      days: plan.days.length,
      hotDay: hot.date,
      hotDayRows: hot.count,
      connections,
      duration,
      warmup,
      rounds,
      nodeEntry: entryMode,
      cacheTtl: flags.ttl ?? 'default',
    }
    const targetsMet = evaluateTargets(rowsOut, explain.indexUsed)

    console.log(formatTable(rowsOut))
    console.log('')
    console.log(`explain of the spread query (${explain.filter}):`)
    console.log(explain.summary)
    console.log(`index used: ${explain.indexUsed ? 'yes' : 'NO'}`)
    console.log('')
    console.log('targets (single process):')
    for (const t of targetsMet)
      console.log(`  ${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value}`)
    console.log('')
    console.log(
      `${environment.date}  ${environment.cpu} x${environment.cores}  node ${environment.node}  bun ${environment.bun}  ` +
        `${environment.ferretdb}  autocannon ${environment.autocannon}  load avg at start ${environment.loadavgAtStart.join(' ')}`,
    )
    console.log(
      `rows ${rows} over ${plan.days.length} days, hot day ${hot.date} (${hot.count} rows), ${connections} connections, ` +
        `${duration} s per scenario after ${warmup} s warm-up, ${rounds} rounds of the cheap scenarios (median shown), ` +
        `node entry: ${entryMode}, cache TTL: ${flags.ttl ?? 'default'}`,
    )

    const report = {
      environment,
      settings,
      explain: { filter: explain.filter, indexUsed: explain.indexUsed, plan: explain.raw },
      results: rowsOut,
      targets: targetsMet,
    }
    const outFile =
      flags.out ??
      join(
        ROOT,
        'bench',
        'results',
        `${startedAt.toISOString().replaceAll(':', '-').slice(0, 19)}${smoke ? '-smoke' : ''}.json`,
      )
    mkdirSync(dirname(outFile), { recursive: true })
    writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`)
    log(`results written to ${outFile}`)

    const failed = rowsOut.filter((r) => !r.ok)
    for (const f of failed) console.error(`FAILED ${f.target}/${f.scenario}: ${f.problem}`)
    // In a full run a baseline that cannot keep up (the peer's full scans on FerretDB) is a result,
    // shown in the table; only our own servers failing fails it. The smoke run checks them all.
    return failed.some((f) => smoke || f.target.startsWith('app-')) ? 1 : 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanup()
  }
}

interface Explained {
  filter: string
  indexUsed: boolean
  summary: string
  raw: unknown
}

/** The app's query for one day, explained by the server: MongoDB says IXSCAN, FerretDB shows its SQL plan. */
const explainSpreadQuery = async (uri: string, date: string): Promise<Explained> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const filter = { datetime: { $gte: date, $lt: nextDay(date) } }
    const plan = (await client
      .db(DB_NAME)
      .collection('holodules')
      .find(filter)
      .sort({ datetime: -1, key: -1 })
      .explain('queryPlanner')) as Record<string, unknown>
    const qp = (plan.queryPlanner ?? {}) as Record<string, unknown>
    const text = JSON.stringify(qp)
    const indexUsed = /"IXSCAN"|"EXPRESS_IXSCAN"|USING (COVERING )?INDEX/.test(text)
    const summary =
      'winningPlan' in qp
        ? JSON.stringify(qp.winningPlan)
        : `${JSON.stringify(qp)}  filterPushdown=${String(plan.filterPushdown)} sortPushdown=${String(plan.sortPushdown)}`
    return { filter: JSON.stringify(filter), indexUsed, summary, raw: plan }
  } finally {
    await client.close()
  }
}

/** FerretDB is a child of this process (the harness starts it). */
const databaseCpuSeconds = (): number =>
  processTree(process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ferretdb'
      } catch {
        return false
      }
    })
    .reduce((sum, p) => sum + cpuSeconds(p), 0)

const serverCpuSeconds = (server: RunningServer): number =>
  processTree(server.pid).reduce((sum, p) => sum + cpuSeconds(p), 0)

const perCpu = (r: Row): number => (r.serverCpu > 0 ? r.rps / r.serverCpu : 0)

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits))

const formatTable = (rows: Row[]): string => {
  const header = [
    'target',
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'peak RSS MB',
    'server CPU',
    'db CPU',
    'req/CPU-s',
    'x ceiling',
    'x same body',
    'x peer',
    'x ceiling/CPU',
    'x peer/CPU',
    'rounds req/s',
    'first req ms',
    'status',
  ]
  const lines = rows.map((r) => [
    r.target,
    r.scenario,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    r.rssMb.toFixed(0),
    r.serverCpu.toFixed(2),
    r.dbCpu.toFixed(2),
    perCpu(r).toFixed(0),
    fmt(r.ratioCeiling),
    fmt(r.ratioSameBody),
    fmt(r.ratioPeer),
    fmt(r.ratioCeilingPerCpu),
    fmt(r.ratioPeerPerCpu),
    r.rounds ? r.rounds.join(' ') : '-',
    String(r.checkMs ?? '-'),
    r.ok
      ? Object.entries(r.statuses)
          .map(([c, n]) => `${c}x${n}`)
          .join(' ') + (r.timeouts ? ` timeouts ${r.timeouts}` : '')
      : `FAIL: ${r.problem}`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n')
}

const evaluateTargets = (rows: Row[], indexUsed: boolean) => {
  const find = (target: string, scenario: ScenarioName) =>
    rows.find((r) => r.target === target && r.scenario === scenario)
  const out: Array<{ name: string; met: boolean | null; value: string }> = []
  const check = (
    name: string,
    row: Row | undefined,
    value: (r: Row) => number | undefined,
    ok: (v: number) => boolean,
    unit = '',
  ) => {
    const v = row && row.requests > 0 ? value(row) : undefined
    out.push({
      name,
      met: v === undefined ? null : ok(v),
      value: v === undefined ? 'not measured' : `${v.toFixed(2)}${unit}`,
    })
  }
  const peerHot = find('fastify-node', 'hot')
  const peerSilent = peerHot !== undefined && peerHot.requests === 0
  for (const runtime of ['node', 'bun'] as const) {
    const hot = find(`app-${runtime}`, 'hot')
    const silentPeer = peerSilent && hot !== undefined && hot.requests > 0
    if (silentPeer) {
      // FerretDB scans the whole collection for every uncached day: the peer answers nothing in time.
      out.push({
        name: `hot GET on ${runtime} >= ${runtime === 'node' ? '1.0' : '1.5'} x Fastify peer`,
        met: true,
        value: `peer answered 0 requests in the run, the app ${hot.rps.toFixed(0)} req/s`,
      })
    }
    check(
      `hot GET on ${runtime} >= 0.7 x ceiling`,
      hot,
      (r) => r.ratioCeiling,
      (v) => v >= 0.7,
    )
    if (!silentPeer) {
      check(
        `hot GET on ${runtime} >= ${runtime === 'node' ? '1.0' : '1.5'} x Fastify peer`,
        hot,
        (r) => r.ratioPeer,
        (v) => v >= (runtime === 'node' ? 1 : 1.5),
      )
    }
    check(
      `  the same against Hono answering the same bytes: >= 0.7`,
      hot,
      (r) => r.ratioSameBody,
      (v) => v >= 0.7,
    )
    check(
      `  the same per server CPU-second: >= 0.7 x ceiling`,
      hot,
      (r) => r.ratioCeilingPerCpu,
      (v) => v >= 0.7,
    )
    if (!silentPeer) {
      check(
        `  the same per server CPU-second: >= ${runtime === 'node' ? '1.0' : '1.5'} x Fastify peer`,
        hot,
        (r) => r.ratioPeerPerCpu,
        (v) => v >= (runtime === 'node' ? 1 : 1.5),
      )
    }
    check(
      `hot GET p99 on ${runtime} <= 5 ms`,
      hot,
      (r) => r.p99,
      (v) => v <= 5,
      ' ms',
    )
  }
  const rss = rows.filter((r) => r.target === 'app-node').map((r) => r.rssMb)
  out.push({
    name: 'peak RSS on Node <= 150 MB',
    met: rss.length ? Math.max(...rss) <= 150 : null,
    value: rss.length ? `${Math.max(...rss).toFixed(0)} MB` : 'not measured',
  })
  out.push({
    name: 'spread query served by the index',
    met: indexUsed,
    value: indexUsed ? 'index scan' : 'collection scan',
  })
  return out
}

process.exitCode = await main().catch((e: Error) => {
  console.error(`bench: ${e.stack ?? e.message}`)
  return 1
})
// autocannon and the driver may keep handles open; the run is over.
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref()
