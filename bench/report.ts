/**
 * What the run prints and writes: the ratios to the ceiling and the peer, the table, the explain,
 * the targets met or missed, the machine and the settings; and the same as JSON.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { ferretdbBinary } from '../test/support/ferretdb.js'
import type { ProcessRuntime } from '../test/support/server-process.js'
import type { Explained } from './lib/database.js'
import { log } from './lib/log.js'
import type { BenchOptions } from './options.js'
import type { Row, ScenarioName, Workload } from './scenarios.js'
import { bunBinary, LOADGEN_CPUS, ROOT, SERVER_CPUS } from './targets.js'

const require = createRequire(import.meta.url)

export interface RunInfo {
  startedAt: Date
  opts: BenchOptions
  workload: Workload
  explain: Explained
  /** Whether taskset pinned the servers and the load generator. */
  pinned: boolean
}

const perCpu = (r: Row): number => (r.serverCpu > 0 ? r.rps / r.serverCpu : 0)

/** Ratios: to Hono's hello on the same runtime, and to the Fastify peer's same scenario. */
export const addRatios = (rows: Row[]): void => {
  const ceiling = (runtime: ProcessRuntime) =>
    rows.find((r) => r.scenario === 'hello' && r.runtime === runtime && r.ok && r.rps > 0)
  const peer = (scenario: ScenarioName) =>
    rows.find((r) => r.target === 'fastify-node' && r.scenario === scenario && r.ok && r.rps > 0)
  const sameBody = (runtime: ProcessRuntime) =>
    rows.find((r) => r.scenario === 'payload' && r.runtime === runtime && r.ok && r.rps > 0)
  for (const r of rows) {
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
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits))

const HEADER = [
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

const cells = (r: Row): string[] => [
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
]

/** A Markdown table of `lines` under `header`, each column as wide as its widest cell. */
export const formatGrid = (header: string[], lines: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const line = (cs: string[]) => `| ${cs.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n')
}

export const formatTable = (rows: Row[]): string => formatGrid(HEADER, rows.map(cells))

export interface TargetResult {
  name: string
  met: boolean | null
  value: string
}

/** Pushes one target's result: not measured when the row is missing or answered nothing. */
const checker =
  (out: TargetResult[]) =>
  (
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

/** The hot GET targets of one runtime. */
const hotTargets = (rows: Row[], runtime: ProcessRuntime, out: TargetResult[]): void => {
  const check = checker(out)
  const peerHot = rows.find((r) => r.target === 'fastify-node' && r.scenario === 'hot')
  const hot = rows.find((r) => r.target === `app-${runtime}` && r.scenario === 'hot')
  const silentPeer = peerHot !== undefined && peerHot.requests === 0 && hot !== undefined && hot.requests > 0
  const peerFactor = runtime === 'node' ? '1.0' : '1.5'
  if (silentPeer) {
    // FerretDB scans the whole collection for every uncached day: the peer answers nothing in time.
    out.push({
      name: `hot GET on ${runtime} >= ${peerFactor} x Fastify peer`,
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
      `hot GET on ${runtime} >= ${peerFactor} x Fastify peer`,
      hot,
      (r) => r.ratioPeer,
      (v) => v >= Number(peerFactor),
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
      `  the same per server CPU-second: >= ${peerFactor} x Fastify peer`,
      hot,
      (r) => r.ratioPeerPerCpu,
      (v) => v >= Number(peerFactor),
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

export const evaluateTargets = (rows: Row[], indexUsed: boolean): TargetResult[] => {
  const out: TargetResult[] = []
  for (const runtime of ['node', 'bun'] as const) hotTargets(rows, runtime, out)
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

const version = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000 }).trim().split('\n')[0] ?? ''
  } catch {
    return 'unknown'
  }
}

/** The machine, the versions and the pinning of a run. */
export const environmentOf = ({ startedAt, pinned }: Pick<RunInfo, 'startedAt' | 'pinned'>) => ({
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
})

const settingsOf = ({ opts, workload }: RunInfo) => ({
  rows: opts.rows,
  days: workload.plan.days.length,
  hotDay: workload.hot.date,
  hotDayRows: workload.hot.count,
  connections: opts.connections,
  duration: opts.duration,
  warmup: opts.warmup,
  rounds: opts.rounds,
  nodeEntry: opts.entryMode,
  cacheTtl: opts.ttl ?? 'default',
})

const printReport = (
  info: RunInfo,
  rows: Row[],
  targetsMet: TargetResult[],
  environment: ReturnType<typeof environmentOf>,
): void => {
  const { explain, opts, workload } = info
  const { hot } = workload
  console.log(formatTable(rows))
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
    `rows ${opts.rows} over ${workload.plan.days.length} days, hot day ${hot.date} (${hot.count} rows), ${opts.connections} connections, ` +
      `${opts.duration} s per scenario after ${opts.warmup} s warm-up, ${opts.rounds} rounds of the cheap scenarios (median shown), ` +
      `node entry: ${opts.entryMode}, cache TTL: ${opts.ttl ?? 'default'}`,
  )
}

/** Prints the report, writes its JSON, and returns the exit code. */
export const report = (info: RunInfo, rows: Row[]): number => {
  const { explain, opts, startedAt } = info
  const environment = environmentOf(info)
  const targetsMet = evaluateTargets(rows, explain.indexUsed)
  printReport(info, rows, targetsMet, environment)
  const json = {
    environment,
    settings: settingsOf(info),
    explain: { filter: explain.filter, indexUsed: explain.indexUsed, plan: explain.raw },
    results: rows,
    targets: targetsMet,
  }
  const stamp = `${startedAt.toISOString().replaceAll(':', '-').slice(0, 19)}${opts.smoke ? '-smoke' : ''}`
  const outFile = opts.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`)
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`)
  log(`results written to ${outFile}`)

  const failed = rows.filter((r) => !r.ok)
  for (const f of failed) console.error(`FAILED ${f.target}/${f.scenario}: ${f.problem}`)
  // In a full run a baseline that cannot keep up (the peer's full scans on FerretDB) is a result,
  // shown in the table; only our own servers failing fails it. The smoke run checks them all.
  return failed.some((f) => opts.smoke || f.target.startsWith('app-')) ? 1 : 0
}
