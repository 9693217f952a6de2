/**
 * The login flood: `npm run bench -- --flood`, or `node --import tsx bench/flood/flood.ts [options]`.
 *
 * For each target (the app on Node and on Bun, one process each, then with WORKERS=2), started
 * fresh against FerretDB with a database of its own, so the login counters of one target do not
 * reach the next:
 * - the flood: 64 connections (autocannon, in a process of its own: bench/flood/flood-load.ts) send
 *   wrong passwords for a few user names to POST /auth from 127.0.0.1, for --duration seconds and at
 *   most --flood-requests requests;
 * - meanwhile a legitimate user logs in with the right password from 127.0.0.2 every 250 ms;
 * - logged-in clients read GET /holodules/{day} from 127.0.0.3 with a token the server has verified;
 * - and a client sends each new token (minted with the server's secret) once, from 127.0.0.3.
 * The `-many` targets (issue 19) flood from 32 addresses instead (127.0.1.1-32 x 2 connections, rotating
 * user names: bench/flood/many.ts), compare the reads with their p99 before the flood, and afterwards
 * let six more addresses guess at one user name at once (hashed, or held by the account limit).
 * Prints a row per target (bench/flood/flood-report.ts) and writes JSON to bench/results/. Exits 0 when a
 * target is missed (that is a measurement), 1 when a server does not start, dies or answers wrong.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startMongo } from '#harness/ferretdb.js'
import type { ProcessRuntime } from '#harness/server-process.js'
import { DEFAULT_PASSWORD_ITERATIONS } from '#src/auth/password.js'
import { errorText, log } from '../lib/log.js'
import { bunBinary, LOADGEN_CPUS, ROOT, SECRET, SERVER_CPUS } from '../lib/machine.js'
import { type BenchOptions, runCli } from '../lib/options.js'
import { hasTaskset, pin, type RunningServer, startBenchServer } from '../lib/procs.js'
import { BENCH_USER, planSeed, seedDatabase } from '../lib/seed.js'
import { every, httpClient, recorder } from './clients.js'
import { runHeaderFlood } from './connections.js'
import { type FloodLoad, startFloodLoad } from './flood-load.js'
import { type FloodRow, floodRow, reportFlood } from './flood-report.js'
import { checkServer, cpuMeter, stillAnswers, tokenMint } from './flood-tools.js'
import { guessAtOneUser, MANY_LOAD, manySpec } from './many.js'

export const FLOOD_FROM = '127.0.0.1'
export const LEGIT_FROM = '127.0.0.2'
export const READERS_FROM = '127.0.0.3'
/** The flood's user names, the legitimate one among them: its failures from 127.0.0.1 must not lock it out elsewhere. */
export const FLOOD_USERS = [BENCH_USER.username, 'admin', 'root', 'user01']
const LOGIN_INTERVAL_MS = 250
const READERS = 2
/** Each reader's pause between two reads: about 100 reads a second in all. */
const READ_INTERVAL_MS = 20
/** Before the flood: the readers' p99 without it is measured here. */
const WARMUP_MS = 1500
/** A measuring client's bound on one request; past it the request counts as unanswered. */
const CLIENT_TIMEOUT_MS = 10_000
const JSON_TYPE = { 'Content-Type': 'application/json' }

export interface FloodTarget {
  name: string
  runtime: ProcessRuntime
  workers: number
  spec: { command: string; args: string[] }
  /** taskset CPU list: one process on the servers' CPU, cluster members on both. */
  cpus: string
  /** Where the flood comes from: 127.0.0.1 (64 connections), or 32 addresses (issue 19). */
  sources: 'one' | 'many'
}

const nodeEntry = (opts: BenchOptions) => {
  if (opts.entryMode !== 'dist')
    return { command: process.execPath, args: ['--import', 'tsx', 'src/entry/node.ts'] }
  const built = join(ROOT, 'dist', 'entry', 'node.js')
  if (!existsSync(built)) throw new Error(`${built} is missing: npm run build first (or --entry tsx)`)
  return { command: process.execPath, args: [built] }
}

export const floodTargets = (opts: BenchOptions): FloodTarget[] => {
  const node = nodeEntry(opts)
  const bun = { command: bunBinary(), args: ['--no-env-file', 'src/entry/bun.ts'] }
  const one = 'one' as const
  const all: FloodTarget[] = [
    { name: 'app-node', runtime: 'node', workers: 1, spec: node, cpus: SERVER_CPUS, sources: one },
    { name: 'app-bun', runtime: 'bun', workers: 1, spec: bun, cpus: SERVER_CPUS, sources: one },
  ]
  if (!opts.smoke) {
    all.push(
      { name: 'app-node-workers2', runtime: 'node', workers: 2, spec: node, cpus: '0-1', sources: one },
      { name: 'app-bun-workers2', runtime: 'bun', workers: 2, spec: bun, cpus: '0-1', sources: one },
    )
  }
  all.push(
    { name: 'app-node-many', runtime: 'node', workers: 1, spec: node, cpus: SERVER_CPUS, sources: 'many' },
    { name: 'app-bun-many', runtime: 'bun', workers: 1, spec: bun, cpus: SERVER_CPUS, sources: 'many' },
  )
  return all.filter((t) => !opts.only || opts.only.test(t.name))
}

/** The app's own login throttling settings: none is set here, so the defaults are what is measured. */
const serverEnv = (mongoUri: string, dbName: string, workers: number): Record<string, string> => ({
  MONGODB_URI: mongoUri,
  MONGODB_DB: dbName,
  JWT_SECRET_KEY: SECRET,
  LOG_LEVEL: 'warn',
  ...(workers > 1 ? { WORKERS: String(workers) } : {}),
})

const floodSpec = (server: RunningServer, opts: BenchOptions) => ({
  url: `${server.url}/auth`,
  connections: opts.connections,
  duration: opts.duration,
  method: 'POST' as const,
  headers: JSON_TYPE,
  bodies: FLOOD_USERS.map((username) => JSON.stringify({ username, password: 'not-the-password' })),
  timeout: CLIENT_TIMEOUT_MS / 1000,
  maxRequests: opts.floodRequests,
})

/** The flood and the measuring clients against one running server. */
const measureFlood = async (target: FloodTarget, server: RunningServer, opts: BenchOptions, day: string) => {
  const legitClient = httpClient(server.url, LEGIT_FROM, CLIENT_TIMEOUT_MS)
  const readClient = httpClient(server.url, READERS_FROM, CLIENT_TIMEOUT_MS)
  const freshClient = httpClient(server.url, READERS_FROM, CLIENT_TIMEOUT_MS)
  const mint = tokenMint()
  const dayPath = `/holodules/${day}`
  const readAuth = { Authorization: `JWT ${await mint()}` }
  let flood: FloodLoad | undefined
  try {
    await checkServer(freshClient, dayPath, readAuth.Authorization.slice(4))
    const legit = recorder()
    const reads = recorder()
    const fresh = recorder()
    const baseline = recorder()
    let phase: 'warm-up' | 'flood' | 'done' = 'warm-up'
    // The readers start first: every process and connection has seen their token before the flood.
    const readers = Array.from({ length: READERS }, () =>
      every(
        READ_INTERVAL_MS,
        () => phase !== 'done',
        async () => {
          const t = await readClient.send('GET', dayPath, readAuth)
          if (phase === 'flood') reads.add(t)
          else if (phase === 'warm-up') baseline.add(t)
        },
      ),
    )
    // The legitimate user's logins without a flood, for comparison (a loaded machine's hash is slow).
    const legitBefore = recorder()
    for (let i = 0; i < 2; i++)
      legitBefore.add(await legitClient.send('POST', '/auth', JSON_TYPE, JSON.stringify(BENCH_USER)))
    await new Promise((r) => setTimeout(r, WARMUP_MS))
    const bound = opts.duration * 1000 + 30_000
    flood =
      target.sources === 'many'
        ? await startFloodLoad(manySpec(server.url, opts, CLIENT_TIMEOUT_MS / 1000), bound, MANY_LOAD)
        : await startFloodLoad(floodSpec(server, opts), bound)
    phase = 'flood'
    const cpuUsed = cpuMeter(server)
    const during = () => phase === 'flood'
    const loops = [
      every(LOGIN_INTERVAL_MS, during, async () =>
        legit.add(await legitClient.send('POST', '/auth', JSON_TYPE, JSON.stringify(BENCH_USER))),
      ),
      every(LOGIN_INTERVAL_MS, during, async () =>
        fresh.add(await freshClient.send('GET', dayPath, { Authorization: `JWT ${await mint()}` })),
      ),
    ]
    const load = await flood.result.finally(() => {
      phase = 'done'
    })
    const cpu = cpuUsed()
    await Promise.all([...readers, ...loops])
    const alive = await stillAnswers(readClient)
    // After the flood, so that what holds the guesses is the account limit, not a full queue.
    const guesses =
      target.sources === 'many' ? await guessAtOneUser(server.url, opts.smoke ? 5 : 10) : undefined
    return floodRow(target, {
      load,
      legit: legit.summary(),
      reads: reads.summary(),
      readsBefore: baseline.summary(),
      legitBefore: legitBefore.summary(),
      fresh: fresh.summary(),
      alive,
      ...cpu,
      ...(guesses && { guesses }),
    })
  } finally {
    flood?.kill()
    for (const c of [legitClient, readClient, freshClient]) c.close()
  }
}

/** One target, from a fresh database to a stopped server; a failure is in the row's `problem`. */
const runTarget = async (
  target: FloodTarget,
  mongoUri: string,
  opts: BenchOptions,
  live: Set<RunningServer>,
): Promise<FloodRow> => {
  const dbName = `holodule_flood_${target.name.replaceAll('-', '_')}`
  const plan = planSeed(300)
  const day = plan.days.at(-1)?.date as string
  await seedDatabase(mongoUri, dbName, plan, DEFAULT_PASSWORD_ITERATIONS)
  log(`starting ${target.name}`)
  let server: RunningServer | undefined
  try {
    server = await startBenchServer({
      name: target.name,
      ...target.spec,
      env: serverEnv(mongoUri, dbName, target.workers),
      cpus: target.cpus,
      readyPath: '/holodules/x',
    })
    live.add(server)
    log(`${target.name}: flooding for ${opts.duration} s`)
    return await measureFlood(target, server, opts, day)
  } catch (e) {
    const output = server?.output().slice(-2000) ?? ''
    return floodRow(target, { problem: `${errorText(e)}${output ? `\n${output}` : ''}` })
  } finally {
    if (server) live.delete(server)
    await server?.stop()
  }
}

export const runFlood = async (opts: BenchOptions): Promise<number> => {
  const startedAt = new Date()
  const targets = floodTargets(opts)
  const mongo = await startMongo()
  // Servers run in process groups of their own: a signal to this one does not reach them.
  const live = new Set<RunningServer>()
  const onSignal = () => {
    void Promise.allSettled([...live].map((s) => s.stop()))
      .then(() => mongo.dispose())
      .finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // FerretDB, started above, keeps both CPUs; this process and the flood keep CPU 0.
  const pinned = hasTaskset()
  if (pinned) pin(process.pid, LOADGEN_CPUS)
  try {
    const rows: FloodRow[] = []
    for (const target of targets) {
      const row = await runTarget(target, mongo.uri, opts, live)
      log(`${target.name}: ${row.problem ? `FAILED: ${row.problem}` : 'done'}`)
      rows.push(row)
    }
    const code = reportFlood({ startedAt, opts, pinned }, rows)
    // The header flood (issue 19, item 4): a table of its own, after this one.
    return Math.max(code, await runHeaderFlood(opts, live))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await mongo.dispose()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runCli(['--flood', ...process.argv.slice(2)], runFlood)
}
