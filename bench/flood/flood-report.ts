/**
 * What the login flood (bench/flood/flood.ts) prints and writes: a row per target, the targets met or
 * missed, the machine and the settings; and the same as JSON in bench/results/.
 */
import type { ProcessRuntime } from '#harness/server-process.js'
import type { LoadResult } from '../lib/load-spec.js'
import { LOADGEN_CPUS, SERVER_CPUS } from '../lib/machine.js'
import type { BenchOptions } from '../lib/options.js'
import { environmentOf, formatGrid, type TargetResult, writeResults } from '../lib/results.js'
import { type LatencySummary, LOGIN_BUSY } from './clients.js'
import { GUESS_BOUND, type GuessCounts } from './many.js'

export interface FloodCounts {
  requests: number
  rps: number
  /** Responses by status. */
  statuses: Record<string, number>
  /** 401 (a password was hashed), 429, 503, and any other status. */
  hashed401: number
  throttled429: number
  busy503: number
  other: number
  /** Connections closed or requests timed out without an answer. */
  unanswered: number
  /** 5xx by description ("503 Login is busy" is the deliberate one). */
  serverErrors: Record<string, number>
}

export interface FloodRow {
  target: string
  runtime: ProcessRuntime
  workers: number
  /** Where the flood came from: 127.0.0.1, or 32 addresses (the `-many` rows, issue 19). */
  sources: 'one' | 'many'
  legit?: LatencySummary
  reads?: LatencySummary
  /** The same readers in the warm-up, before the flood, and two logins of the legitimate user. */
  readsBefore?: LatencySummary
  legitBefore?: LatencySummary
  /** The `-many` rows: six addresses guessing at one user name once the flood is over. */
  guesses?: GuessCounts
  newToken?: LatencySummary
  flood?: FloodCounts
  /** Cores the server's processes used during the flood (1.0: one core busy), and FerretDB. */
  serverCpu?: number
  dbCpu?: number
  /** Cores used meanwhile by jobs that are not this run's (this machine is shared). */
  othersCpu?: number
  /** p99 of the measuring process's event-loop delay, ms. */
  clientLagP99?: number
  /** Unanswered requests of the flood and of the measuring clients. */
  unanswered: number
  /** 5xx other than "Login is busy", from the flood and the measuring clients. */
  unexpected5xx: number
  targets: TargetResult[]
  /** The server did not start, died, or answered the check before the flood wrong. */
  problem?: string
}

interface Measured {
  load: LoadResult
  legit: LatencySummary
  reads: LatencySummary
  readsBefore: LatencySummary
  legitBefore: LatencySummary
  guesses?: GuessCounts
  fresh: LatencySummary
  /** Whether the server still answered HTTP after the flood. */
  alive: boolean
  /** Cores the server's processes and FerretDB used during the flood. */
  serverCpu: number
  dbCpu: number
  /** Cores other jobs on the machine used meanwhile. */
  othersCpu: number
  /** p99 of this process's event-loop delay in ms: how much of a client's latency may be its own. */
  clientLagP99: number
}

const floodCounts = (load: LoadResult): FloodCounts => {
  const s = (code: string) => load.statuses[code] ?? 0
  return {
    requests: load.requests,
    rps: Math.round(load.rps),
    statuses: load.statuses,
    hashed401: s('401'),
    throttled429: s('429'),
    busy503: s('503'),
    other: load.requests - s('401') - s('429') - s('503'),
    unanswered: load.errors + load.timeouts,
    serverErrors: load.classes,
  }
}

const onlyStatus = (l: LatencySummary, status: string) =>
  Object.keys(l.statuses).every((s) => s === status) && l.count > 0

/** One latency target: its p99 within `limitMs`, every answer `status`. */
const latencyTarget = (name: string, l: LatencySummary, limitMs: number, status = '200'): TargetResult => ({
  name: `${name} p99 <= ${limitMs} ms, all ${status}`,
  met: l.count > 0 && l.p99 <= limitMs && onlyStatus(l, status),
  value: `p99 ${l.p99} ms over ${l.count} (${Object.entries(l.statuses)
    .map(([c, n]) => `${c}x${n}`)
    .join(' ')})`,
})

/**
 * Issue 19's targets for the many-addresses flood: every clean login 200 and the slowest within
 * 500 ms, reads' p99 within twice their p99 before the flood, guesses at one user held by the
 * account limit; the flood's own unanswered requests are its loss, only the clients' count.
 */
const manyTargets = (m: Measured, clientsUnanswered: number, unexpected5xx: number): TargetResult[] => {
  const before = m.readsBefore.p99
  const g = m.guesses
  return [
    {
      name: 'legit login max <= 500 ms, all 200',
      met: m.legit.count > 0 && m.legit.max <= 500 && onlyStatus(m.legit, '200'),
      value: `max ${m.legit.max} ms over ${m.legit.count} (${statusList(m.legit.statuses)}); before the flood max ${m.legitBefore.max} ms`,
    },
    {
      name: 'reads p99 <= 2 x before the flood, all 200',
      met: m.reads.count > 0 && m.reads.p99 <= 2 * before && onlyStatus(m.reads, '200'),
      value: `p99 ${m.reads.p99} ms (before ${before} ms) over ${m.reads.count}`,
    },
    {
      name: `guesses at one user hashed <= ${GUESS_BOUND}`,
      met: g !== undefined && g.hashed <= GUESS_BOUND,
      value: g ? `${g.hashed} hashed, ${g.limited} 429, ${g.busy} 503 of ${g.sent}` : 'not run',
    },
    { name: 'clients unanswered = 0', met: clientsUnanswered === 0, value: String(clientsUnanswered) },
    { name: 'unexpected 5xx = 0', met: unexpected5xx === 0, value: String(unexpected5xx) },
  ]
}

export const floodRow = (
  target: { name: string; runtime: ProcessRuntime; workers: number; sources: 'one' | 'many' },
  m: Measured | { problem: string },
): FloodRow => {
  const base = {
    target: target.name,
    runtime: target.runtime,
    workers: target.workers,
    sources: target.sources,
  }
  if ('problem' in m) return { ...base, unanswered: 0, unexpected5xx: 0, targets: [], problem: m.problem }
  const flood = floodCounts(m.load)
  const clients = [m.legit, m.reads, m.fresh]
  const clientsUnanswered = clients.reduce((n, c) => n + c.unanswered, 0)
  const unanswered = flood.unanswered + clientsUnanswered
  const unexpected5xx =
    Object.entries(flood.serverErrors).reduce((n, [k, v]) => n + (k === LOGIN_BUSY ? 0 : v), 0) +
    clients.reduce((n, c) => n + c.unexpected5xx, 0)
  const targets: TargetResult[] =
    target.sources === 'many'
      ? manyTargets(m, clientsUnanswered, unexpected5xx)
      : oneTargets(m, unanswered, unexpected5xx)
  const row: FloodRow = {
    ...base,
    serverCpu: Number(m.serverCpu.toFixed(2)),
    dbCpu: Number(m.dbCpu.toFixed(2)),
    othersCpu: Number(Math.max(0, m.othersCpu).toFixed(2)),
    clientLagP99: m.clientLagP99,
    legit: m.legit,
    reads: m.reads,
    readsBefore: m.readsBefore,
    legitBefore: m.legitBefore,
    newToken: m.fresh,
    flood,
    unanswered,
    unexpected5xx,
    targets,
    ...(m.guesses && { guesses: m.guesses }),
  }
  if (!m.alive) row.problem = 'the server no longer answers after the flood'
  return row
}

/** The one-address flood's targets (issue 7). */
const oneTargets = (m: Measured, unanswered: number, unexpected5xx: number): TargetResult[] => [
  latencyTarget('legit login', m.legit, 300),
  latencyTarget('reads', m.reads, 10),
  latencyTarget('new token first request', m.fresh, 20),
  { name: 'unanswered = 0', met: unanswered === 0, value: String(unanswered) },
  { name: 'unexpected 5xx = 0', met: unexpected5xx === 0, value: String(unexpected5xx) },
]

const HEADER = [
  'target',
  'legit login p50/p99/max ms',
  'legit statuses',
  'reads p50/p99/max ms (p99 before)',
  'new token p50/p99 ms',
  'flood req (req/s)',
  '401',
  '429',
  '503',
  'other',
  'unanswered',
  'unexpected 5xx',
  'one-user guesses hashed/429/503',
  'server CPU',
  'other jobs CPU',
  'client lag p99 ms',
  'targets',
]

const statusList = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([c, n]) => `${c}x${n}`)
    .join(' ')

const cells = (r: FloodRow): string[] => {
  if (r.problem && !r.flood)
    return [r.target, ...HEADER.slice(1, -1).map(() => '-'), `FAILED: ${r.problem.split('\n')[0]}`]
  const { legit, reads, newToken, flood } = r as Required<FloodRow>
  const missed = r.targets.filter((t) => !t.met).map((t) => t.name.split(' <=')[0]?.split(' =')[0])
  return [
    r.target,
    `${legit.p50} / ${legit.p99} / ${legit.max}`,
    statusList(legit.statuses),
    `${reads.p50} / ${reads.p99} / ${reads.max}${r.readsBefore ? ` (${r.readsBefore.p99})` : ''}`,
    `${newToken.p50} / ${newToken.p99}`,
    `${flood.requests} (${flood.rps})`,
    String(flood.hashed401),
    String(flood.throttled429),
    String(flood.busy503),
    String(flood.other),
    String(r.unanswered),
    String(r.unexpected5xx),
    r.guesses ? `${r.guesses.hashed}/${r.guesses.limited}/${r.guesses.busy} of ${r.guesses.sent}` : '-',
    String(r.serverCpu),
    String(r.othersCpu),
    String(r.clientLagP99),
    r.problem ? `FAILED: ${r.problem}` : missed.length === 0 ? 'all met' : `MISS ${missed.join(', ')}`,
  ]
}

export interface FloodRunInfo {
  startedAt: Date
  opts: BenchOptions
  pinned: boolean
}

const settingsOf = ({ opts, pinned }: FloodRunInfo) => ({
  duration: opts.duration,
  connections: opts.connections,
  floodRequests: opts.floodRequests,
  nodeEntry: opts.entryMode === 'dist' ? 'dist/entry/node.js' : 'tsx src/entry/node.ts',
  smoke: opts.smoke,
  pinning: pinned
    ? `single-process servers on CPU ${SERVER_CPUS}, WORKERS=2 on 0-1, flood and clients on CPU ${LOADGEN_CPUS}`
    : 'none',
  // Whatever LOGIN_* this process has reaches the servers; none set means the app's defaults.
  loginEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('LOGIN_'))),
})

/** Prints the table and the targets, writes the JSON; 1 when a server failed, else 0. */
export const reportFlood = (info: FloodRunInfo, rows: FloodRow[]): number => {
  const environment = environmentOf(info)
  const settings = settingsOf(info)
  console.log(formatGrid(HEADER, rows.map(cells)))
  console.log('')
  for (const r of rows) {
    console.log(`${r.target}:`)
    for (const t of r.targets) console.log(`  ${t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value}`)
    const errors = r.flood ? statusList(r.flood.serverErrors) : ''
    if (errors) console.log(`  flood 5xx: ${errors}`)
  }
  console.log('')
  console.log(
    `${environment.date}  ${environment.cpu} x${environment.cores}  node ${environment.node}  bun ${environment.bun}  ` +
      `${environment.ferretdb}  autocannon ${environment.autocannon}  load avg at start ${environment.loadavgAtStart.join(' ')}`,
  )
  console.log(
    `flood: ${settings.connections} connections, ${settings.duration} s, at most ${settings.floodRequests} requests per target; ` +
      `node entry: ${settings.nodeEntry}; pinning: ${settings.pinning}`,
  )
  writeResults(info, { environment, settings, results: rows }, '-flood')
  const failed = rows.filter((r) => r.problem)
  for (const f of failed) console.error(`FAILED ${f.target}: ${f.problem}`)
  return failed.length > 0 ? 1 : 0
}
