/**
 * What servers are started: the app on its Node and Bun entries, Hono's hello on each runtime (the
 * ceiling, the same bytes as the hot day, and those bytes with the app's headers: the mirror), the
 * Fastify peer, and with --workers the app under WORKERS=auto.
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { NODE24_VERSION, node24Binary } from '#harness/node24.js'
import type { ProcessRuntime } from '#harness/server-process.js'
import { log } from '../lib/log.js'
import { bunBinary, hostNodeEngine, ROOT, SECRET, SERVER_CPUS } from '../lib/machine.js'
import type { BenchOptions } from '../lib/options.js'
import { type RunningServer, startBenchServer } from '../lib/procs.js'
import { SCHEDULE_DB_NAME } from '../lib/seed-2024.js'
import type { ScenarioName } from './scenarios.js'

const require = createRequire(import.meta.url)

export const DB_NAME = 'holodule_bench'

/** Where --entry dist builds the Node entry, apart from the project's own dist/. */
const DIST_DIR = 'node_modules/.cache/holodule-bench/dist'

export interface Target {
  name: string
  runtime: ProcessRuntime
  /** The runtime and its major version (node20, node24, bun): ratios compare within one engine. */
  engine: string
  spec: { command: string; args: string[] }
  env: Record<string, string>
  scenarios: ScenarioName[]
  usesDb: boolean
}

export const buildNodeEntry = (): void => {
  log('building the Node entry (tsc -p tsconfig.build.json)')
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', DIST_DIR],
    { cwd: ROOT, stdio: 'inherit' },
  )
}

const appEnv = (opts: BenchOptions, mongoUri: string): Record<string, string> => ({
  MONGODB_URI: mongoUri,
  MONGODB_DB: DB_NAME,
  JWT_SECRET_KEY: SECRET,
  LOG_LEVEL: 'warn',
  // FerretDB scans the collection for a day (2.5-4.4 s at 50k rows, more under this load); the
  // app's default 5 s bound would turn slow refreshes into 503s that say nothing about the app.
  MONGODB_REQUEST_TIMEOUT_MS: '9000',
  // The auth scenario measures hashing throughput with valid logins from one address: the per-address
  // in-flight cap (2) and the queue bound would answer most of them 429/503, which is the point of
  // them in production but not what this scenario measures (the flood is another benchmark).
  LOGIN_MAX_INFLIGHT_PER_ADDRESS: '64',
  LOGIN_QUEUE_TIMEOUT_MS: '60000',
  ...(opts.ttl === undefined ? {} : { HOLODULES_CACHE_TTL: opts.ttl }),
  ...(opts.userTtl === undefined ? {} : { USER_CACHE_TTL: opts.userTtl }),
})

/**
 * Node 24 from the npm package (scripts/test-deps.sh), measured next to the machine's Node unless
 * that is already 24; null (with a note) when it is not installed.
 */
export const extraNode = (): { engine: string; binary: string } | null => {
  if (hostNodeEngine === 'node24') return null
  const binary = node24Binary()
  if (!binary) {
    log(
      `Node ${NODE24_VERSION} not installed (bash scripts/test-deps.sh installs it): measuring ${hostNodeEngine} only`,
    )
    return null
  }
  return { engine: 'node24', binary }
}

const nodeEntry = (opts: BenchOptions, node = process.execPath) => ({
  command: node,
  args: [
    // --cpu-prof: the Node entry writes a V8 profile to bench/results/ when it stops.
    ...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results')}`] : []),
    ...(opts.entryMode === 'dist'
      ? [join(ROOT, DIST_DIR, 'entry/node.js')]
      : ['--import', 'tsx', 'src/entry/node.ts']),
  ],
})
const tsxNode = (file: string, node = process.execPath) => ({
  command: node,
  args: ['--import', 'tsx', file],
})
/** --no-env-file: Bun would load a .env of the checkout by itself; a run is what its options say. */
const bun = (file: string) => ({ command: bunBinary(), args: ['--no-env-file', file] })

/** Where the hot day's answer is (bench/throughput/hot-answer.ts writes both before the peers start). */
export interface PeerFiles {
  /** Its bytes. */
  payloadFile: string
  /** `{ headers }`: the headers the app chose for it. */
  mirrorFile: string
}
export const peerEnv = (f: PeerFiles) => ({ PAYLOAD_FILE: f.payloadFile, MIRROR_FILE: f.mirrorFile })
/** The ceilings: a constant JSON, the hot day's bytes, and those bytes with the app's headers. */
const HELLO_SCENARIOS: ScenarioName[] = ['hello', 'payload', 'mirror']

/** The Hono hello, the app and the Fastify peer on one Node binary, named with `suffix`. */
const nodeTargets = (
  opts: BenchOptions,
  env: Record<string, string>,
  files: PeerFiles,
  node: { engine: string; binary: string; suffix: string },
): Target[] => {
  const common = { runtime: 'node' as const, engine: node.engine }
  return [
    {
      name: `hono-hello-node${node.suffix}`,
      ...common,
      spec: tsxNode('bench/throughput/peers/hono-hello-node.ts', node.binary),
      env: peerEnv(files),
      scenarios: HELLO_SCENARIOS,
      usesDb: false,
    },
    { name: `app-node${node.suffix}`, ...common, spec: nodeEntry(opts, node.binary), ...appTarget(env) },
    {
      name: `app-node${node.suffix}-metrics`,
      ...common,
      spec: nodeEntry(opts, node.binary),
      ...metricsTarget(env),
    },
    // --smoke: on the machine's Node only (each 2024 target is a start and a database restart more).
    ...(opts.smoke && node.suffix !== ''
      ? []
      : [
          {
            name: `app-node${node.suffix}-2024`,
            ...common,
            spec: nodeEntry(opts, node.binary),
            ...schedulesTarget(env, opts),
          },
        ]),
    {
      name: `fastify-cached-node${node.suffix}`,
      ...common,
      spec: tsxNode('bench/throughput/peers/fastify.ts', node.binary),
      // The app's cache settings, so the peer keeps days and users exactly as long.
      env: {
        MONGODB_URI: env.MONGODB_URI as string,
        MONGODB_DB: DB_NAME,
        JWT_SECRET_KEY: SECRET,
        ...(opts.ttl === undefined ? {} : { HOLODULES_CACHE_TTL: opts.ttl }),
        ...(opts.userTtl === undefined ? {} : { USER_CACHE_TTL: opts.userTtl }),
      },
      scenarios: ['401', 'hot', 'spread'],
      usesDb: true,
    },
  ]
}

// Cheap paths first; spread last, since FerretDB may still be scanning for it when the server stops.
const appTarget = (env: Record<string, string>) => ({
  env,
  scenarios: ['401', 'hot', 'hot-304', 'auth', 'spread'] as ScenarioName[],
  usesDb: true,
})

/** The app with metrics on (a token-guarded GET /metrics on its port): only the cheap paths. */
const metricsTarget = (env: Record<string, string>) => ({
  env: { ...env, METRICS: 'on', METRICS_TOKEN: 'bench-metrics-token-0123456789' },
  scenarios: ['401', 'hot'] as ScenarioName[],
  usesDb: true,
})

/**
 * The app on the 2024 layout's database (bench/lib/seed-2024.ts), told the layout rather than
 * finding it (`auto` picks the same there): only the /schedules week, the third generation's read,
 * and (not in --smoke: a login, a feed and a database restart more) one calendar feed's hot poll.
 */
const schedulesTarget = (env: Record<string, string>, opts: BenchOptions) => ({
  env: {
    ...env,
    MONGODB_DB: SCHEDULE_DB_NAME,
    SCHEDULE_LAYOUT: 'schedules',
    // One uncached week is a FerretDB scan of every schedule: 6-9 s alone at 50k rows on a busy
    // machine, past the 9 s above; the row is to show that cost, not turn it into 503s.
    MONGODB_REQUEST_TIMEOUT_MS: String(opts.requestTimeoutS * 1000),
  },
  scenarios: (opts.smoke ? ['schedules-week'] : ['schedules-week', 'feed']) as ScenarioName[],
  usesDb: true,
})

/** Every server of the run, in the order they are measured; `files`: the hot day's answer (hot-answer.ts). */
export const benchTargets = (opts: BenchOptions, mongoUri: string, files: PeerFiles): Target[] => {
  const env = appEnv(opts, mongoUri)
  const host = nodeTargets(opts, env, files, {
    engine: hostNodeEngine,
    binary: process.execPath,
    suffix: '',
  })
  const extra = extraNode()
  const bunTargets: Target[] = [
    {
      name: 'hono-hello-bun',
      runtime: 'bun',
      engine: 'bun',
      spec: bun('bench/throughput/peers/hono-hello-bun.ts'),
      env: peerEnv(files),
      scenarios: HELLO_SCENARIOS,
      usesDb: false,
    },
    { name: 'app-bun', runtime: 'bun', engine: 'bun', spec: bun('src/entry/bun.ts'), ...appTarget(env) },
    // What a request pays for metrics (issue 8): the same app with METRICS=on, counting every request.
    {
      name: 'app-bun-metrics',
      runtime: 'bun',
      engine: 'bun',
      spec: bun('src/entry/bun.ts'),
      ...metricsTarget(env),
    },
    ...(opts.smoke
      ? []
      : [
          {
            name: 'app-bun-2024',
            runtime: 'bun' as const,
            engine: 'bun',
            spec: bun('src/entry/bun.ts'),
            ...schedulesTarget(env, opts),
          },
        ]),
  ]
  const targets: Target[] = [
    ...host,
    ...(extra ? nodeTargets(opts, env, files, { ...extra, suffix: '24' }) : []),
    ...bunTargets,
  ]
  if (!opts.workers) return targets
  const workers = { env: { ...env, WORKERS: 'auto' }, scenarios: ['hot'] as ScenarioName[], usesDb: true }
  return [
    ...targets,
    {
      name: 'app-node-workers',
      runtime: 'node',
      engine: hostNodeEngine,
      spec: nodeEntry(opts),
      ...workers,
    },
    { name: 'app-bun-workers', runtime: 'bun', engine: 'bun', spec: bun('src/entry/bun.ts'), ...workers },
  ]
}

/** The servers up at the moment, at most one per target. */
export interface ServerPool {
  start(target: Target): Promise<RunningServer>
  get(target: Target): RunningServer | undefined
  stop(target: Target): Promise<void>
  stopAll(): Promise<void>
}

export const serverPool = (): ServerPool => {
  const live = new Map<string, RunningServer>()
  const stop = async (name: string) => {
    const server = live.get(name)
    if (!server) return
    await server.stop()
    live.delete(name)
  }
  return {
    start: async (target) => {
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
      live.set(target.name, server)
      return server
    },
    get: (target) => live.get(target.name),
    stop: (target) => stop(target.name),
    stopAll: async () => {
      for (const name of [...live.keys()]) await stop(name)
    },
  }
}
