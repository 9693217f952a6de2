/**
 * Server CPU time per request (µs), for Hono's hello, the mirror (Hono answering the hot day's bytes
 * with the app's headers, both taken from the app's answer: bench/throughput/hot-answer.ts), the hot
 * authenticated GET, the 401 and (--only …,feed) a calendar feed's poll, on Node
 * (dist/, so `npm run build` first) or Bun. On a shared machine wall-clock throughput moves with
 * whatever else runs; the CPU a request costs the server moves much less, so this is what the
 * hot-path changes are measured by. Every server is pinned to CPU 1 and wrk to CPU 0, as in the
 * bench; the app runs on its embedded demo store (no database: the cost measured is the app's).
 *
 * The servers run side by side and are measured in interleaved rounds (hello, app, --base app, then
 * again), so a burst of load elsewhere falls on all of them alike; `x hello` is the per-round ratio
 * of hello's CPU per request to the scenario's, the throughput ratio the bench's targets speak of.
 *
 * Usage: npm run bench:cpu -- [--runtime node|bun] [--rounds 5] [--duration 2] [--connections 16]
 *        [--only mirror,hot,401,feed] [--base OTHER_CHECKOUT] [--cpu-prof DIR]
 *        (--cpu-prof profiles the apps and the hello/mirror peer alike, one file per process)
 *        (the same as node --import tsx bench/tools/cpu-per-request.ts [options])
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { japanDay } from '#src/store/memory/sample-data.js'
import { bunBinary, LOADGEN_CPUS, ROOT, SECRET, SERVER_CPUS } from '../lib/machine.js'
import { cpuSeconds, pin, type RunningServer, startBenchServer } from '../lib/procs.js'
import { runWrk, wrkBinary } from '../lib/wrk.js'
import { captureHotAnswer } from '../throughput/hot-answer.js'
import { peerEnv } from '../throughput/targets.js'

const { values: flags } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'node' },
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    only: { type: 'string', default: 'mirror,hot,401' },
    // Another checkout (dist/ built for Node) measured next to this one, e.g. the commit before a change.
    base: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
})
const duration = Number(flags.duration)
const rounds = Number(flags.rounds)
const runtime = flags.runtime === 'bun' ? 'bun' : 'node'
const wrk = wrkBinary()
if (!wrk) throw new Error('wrk is not installed: apt-get install wrk')

interface Scenario {
  name: string
  path: string
  headers?: Record<string, string>
  status: string
}

/** wrk for `seconds`; µs of server CPU per answered request (every answer must be `status`). */
const measure = async (server: RunningServer, s: Scenario, seconds: number): Promise<number> => {
  const before = cpuSeconds(server.pid)
  const r = await runWrk(wrk, {
    url: server.url + s.path,
    connections: Number(flags.connections),
    duration: seconds,
    headers: s.headers,
  })
  const cpu = cpuSeconds(server.pid) - before
  const wrong = Object.keys(r.statuses).filter((k) => k !== s.status)
  if (wrong.length > 0 || r.requests === 0)
    throw new Error(`${server.name} ${s.name}: statuses ${JSON.stringify(r.statuses)}, want ${s.status}`)
  return (cpu * 1e6) / r.requests
}

/** The demo store prints its password once listening; log in as that user. */
const login = async (server: RunningServer): Promise<string> => {
  const password = /password: (\S+)/.exec(server.output())?.[1]
  if (!password) throw new Error(`no demo password in:\n${server.output()}`)
  const res = await fetch(`${server.url}/auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'demo', password }),
  })
  const { access_token } = (await res.json()) as { access_token: string }
  return access_token
}

/** A calendar feed of every stream, made with `token`: the path its calendar app would poll. */
const feedPath = async (server: RunningServer, token: string): Promise<string> => {
  const res = await fetch(`${server.url}/feeds`, {
    method: 'POST',
    headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
    body: '{}',
  })
  const { url } = (await res.json()) as { url: string }
  return new URL(url).pathname
}

const appEnv = { JWT_SECRET_KEY: SECRET, LOG_LEVEL: 'warn', JWT_EXPIRATION_DELTA: '3600' }
const profile = flags['cpu-prof']
  ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${flags['cpu-prof']}`]
  : []
const appCommand = (root: string) =>
  runtime === 'node'
    ? { command: process.execPath, args: [...profile, join(root, 'dist/entry/node.js')] }
    : { command: bunBinary(), args: [...profile, join(root, 'src/entry/bun.ts')] }
const helloCommand =
  runtime === 'node'
    ? {
        command: process.execPath,
        args: [...profile, '--import', 'tsx', 'bench/throughput/peers/hono-hello-node.ts'],
      }
    : { command: bunBinary(), args: ['bench/throughput/peers/hono-hello-bun.ts'] }

/** The q-quantile (nearest rank): contention only ever adds CPU, so the low quantiles are the cost. */
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)] as number
const median = (xs: number[]) => quantile(xs, 0.5)

pin(process.pid, LOADGEN_CPUS)
const servers: RunningServer[] = []
const cleanups: Array<() => void> = []
try {
  const start = async (
    name: string,
    spec: { command: string; args: string[] },
    app: boolean,
    env: Record<string, string> = {},
  ) => {
    const s = await startBenchServer({
      name,
      ...spec,
      env: app ? appEnv : env,
      cpus: SERVER_CPUS,
      readyPath: app ? '/healthz' : '/',
    })
    servers.push(s)
    return s
  }
  const apps = [await start(`app-${runtime}`, appCommand(ROOT), true)]
  if (flags.base) apps.push(await start(`base-${runtime}`, appCommand(flags.base), true))
  const path = `/holodules/${japanDay(Date.now())}`
  const tokens = await Promise.all(apps.map(login))
  // The mirror serves this app's hot answer, bytes and headers, as the bench's does.
  const files = {
    payloadFile: join(tmpdir(), `holodule-cpu-payload-${process.pid}.json`),
    mirrorFile: join(tmpdir(), `holodule-cpu-mirror-${process.pid}.json`),
  }
  cleanups.push(() => {
    for (const f of Object.values(files)) rmSync(f, { force: true })
  })
  const auth = { Authorization: `JWT ${tokens[0]}` }
  await captureHotAnswer(apps[0] as RunningServer, { path, headers: auth, timeoutS: 30 }, files)
  const hello = await start(`hello-${runtime}`, helloCommand, false, peerEnv(files))
  const wanted = flags.only.split(',')
  const cells: Array<{ server: RunningServer; s: Scenario; us: number[] }> = [
    { server: hello, s: { name: 'hello', path: '/', status: '200' }, us: [] },
    ...(wanted.includes('mirror')
      ? [{ server: hello, s: { name: 'mirror', path: '/mirror', status: '200' }, us: [] }]
      : []),
  ]
  for (const [i, app] of apps.entries()) {
    const token = tokens[i] as string
    const scenarios: Scenario[] = [
      { name: 'hot', path, headers: { Authorization: `JWT ${token}` }, status: '200' },
      { name: '401', path, status: '401' },
      ...(wanted.includes('feed') ? [{ name: 'feed', path: await feedPath(app, token), status: '200' }] : []),
    ]
    for (const s of scenarios.filter((x) => wanted.includes(x.name))) cells.push({ server: app, s, us: [] })
  }
  for (const c of cells) await measure(c.server, c.s, 1) // warm-up: JIT, caches
  for (let r = 0; r < rounds; r++) for (const c of cells) c.us.push(await measure(c.server, c.s, duration))
  const helloUs = cells[0]?.us ?? []
  const f = (x: number) => x.toFixed(1).padStart(6)
  // x mirror: the hot GET only (the mirror answers the hot day's bytes and headers).
  const mirrorUs = cells.find((c) => c.s.name === 'mirror')?.us
  // x hot: a feed's poll against the same app's hot GET (issue 20: >= 0.7).
  const hotOf = (server: RunningServer) => cells.find((c) => c.server === server && c.s.name === 'hot')?.us
  const over = (base: number[], c: (typeof cells)[number], what: string) => {
    const ratio = median(c.us.map((u, i) => (base[i] as number) / u))
    const low = quantile(base, 0.25) / quantile(c.us, 0.25)
    return `  x ${what} ${ratio.toFixed(2)} (at p25 ${low.toFixed(2)})`
  }
  for (const c of cells) {
    console.log(
      `${c.server.name.padEnd(11)} ${c.s.name.padEnd(6)} median ${f(median(c.us))} µs/req` +
        `  p25 ${f(quantile(c.us, 0.25))}  min ${f(Math.min(...c.us))}` +
        over(helloUs, c, 'hello') +
        (mirrorUs && c.s.name === 'hot' ? over(mirrorUs, c, 'mirror') : '') +
        (c.s.name === 'feed' ? over(hotOf(c.server) ?? [], c, 'hot') : ''),
    )
  }
} finally {
  for (const s of servers) await s.stop()
  for (const c of cleanups) c()
}
