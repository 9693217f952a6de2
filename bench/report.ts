/**
 * What the run prints and writes: the ratios to the ceiling and the peer, the table, the explain,
 * the targets met or missed, the machine and the settings; and the same as JSON.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { ferretdbBinary } from '#harness/ferretdb.js'
import { node24Binary } from '#harness/node24.js'
import type { Explained } from './lib/database.js'
import { log } from './lib/log.js'
import { wrkBinary } from './lib/wrk.js'
import type { BenchOptions } from './options.js'
import type { Row, ScenarioName, Workload } from './scenarios.js'
import { bunBinary, hostNodeEngine, LOADGEN_CPUS, ROOT, SERVER_CPUS } from './targets.js'

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

/**
 * Ratios: to Hono's hello on the same engine (node20, node24, bun), and to the Fastify peer's same
 * scenario on the same Node (Bun's rows to the peer on the machine's Node: Fastify runs on Node).
 */
export const addRatios = (rows: Row[]): void => {
  const measured = (r: Row) => r.ok && r.rps > 0
  const ceiling = (engine: string) =>
    rows.find((r) => r.scenario === 'hello' && r.engine === engine && measured(r))
  const sameBody = (engine: string) =>
    rows.find((r) => r.scenario === 'payload' && r.engine === engine && measured(r))
  const peerOf = (engine: string, scenario: ScenarioName) => {
    const peerEngine = engine === 'bun' ? hostNodeEngine : engine
    return rows.find(
      (r) =>
        r.target.startsWith('fastify-') && r.engine === peerEngine && r.scenario === scenario && measured(r),
    )
  }
  for (const r of rows) {
    const b = sameBody(r.engine)
    if (b && (r.scenario === 'hot' || r.scenario === 'spread')) r.ratioSameBody = r.rps / b.rps
    const c = ceiling(r.engine)
    if (c && r.scenario !== 'hello') {
      r.ratioCeiling = r.rps / c.rps
      if (perCpu(c) > 0) r.ratioCeilingPerCpu = perCpu(r) / perCpu(c)
    }
    const p = peerOf(r.engine, r.scenario)
    if (p && !r.target.startsWith('fastify-')) {
      r.ratioPeer = r.rps / p.rps
      if (perCpu(p) > 0) r.ratioPeerPerCpu = perCpu(r) / perCpu(p)
    }
  }
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits))

const HEADER = [
  'target',
  'scenario',
  'load',
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
  r.tool === 'wrk' ? 'wrk' : 'autocannon (no wrk)',
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

/** The targets of one engine (issue 10): hot and 401 against hello, the peer, p99, RSS. */
const engineTargets = (rows: Row[], engine: string, out: TargetResult[]): void => {
  const check = checker(out)
  const app = (scenario: ScenarioName) =>
    rows.find(
      (r) =>
        r.target.startsWith('app-') &&
        !r.target.endsWith('-workers') &&
        !r.target.endsWith('-metrics') &&
        r.engine === engine &&
        r.scenario === scenario,
    )
  const hot = app('hot')
  const hello = rows.find((r) => r.scenario === 'hello' && r.engine === engine && r.ok && r.requests > 0)
  const peerFactor = engine === 'bun' ? 1.5 : 1.0
  check(
    `hot GET on ${engine} >= 0.7 x hello`,
    hot,
    (r) => r.ratioCeiling,
    (v) => v >= 0.7,
  )
  check(
    `401 on ${engine} >= 0.8 x hello`,
    app('401'),
    (r) => r.ratioCeiling,
    (v) => v >= 0.8,
  )
  check(
    `hot GET on ${engine} >= ${peerFactor.toFixed(1)} x the cached Fastify peer`,
    hot,
    (r) => r.ratioPeer,
    (v) => v >= peerFactor,
  )
  check(
    `  the same against Hono answering the same bytes: >= 0.7`,
    hot,
    (r) => r.ratioSameBody,
    (v) => v >= 0.7,
  )
  check(
    `  per server CPU-second: >= 0.7 x hello`,
    hot,
    (r) => r.ratioCeilingPerCpu,
    (v) => v >= 0.7,
  )
  check(
    `  per server CPU-second: >= ${peerFactor.toFixed(1)} x the peer`,
    hot,
    (r) => r.ratioPeerPerCpu,
    (v) => v >= peerFactor,
  )
  check(
    `hot GET p99 on ${engine} <= 1.5 x hello's p99 (${hello ? `${hello.p99} ms` : 'no hello'})`,
    hello ? hot : undefined,
    (r) => (hello && hello.p99 > 0 ? r.p99 / hello.p99 : undefined),
    (v) => v <= 1.5,
    ' x',
  )
  // What metrics cost (issue 8): not a target, a price.
  const withMetrics = rows.find(
    (r) => r.target.endsWith('-metrics') && r.engine === engine && r.scenario === 'hot' && r.rps > 0,
  )
  if (hot && withMetrics && hot.rps > 0)
    out.push({
      name: `hot GET on ${engine} with METRICS=on, x without (a price, not a target)`,
      met: null,
      value: `${(withMetrics.rps / hot.rps).toFixed(2)} (${withMetrics.rps.toFixed(0)} vs ${hot.rps.toFixed(0)} req/s)`,
    })
  if (engine === 'bun') return
  const rss = rows.filter((r) => r.target === `app-${engine === hostNodeEngine ? 'node' : engine}`)
  out.push({
    name: `peak RSS on ${engine} <= 120 MB`,
    met: rss.length ? Math.max(...rss.map((r) => r.rssMb)) <= 120 : null,
    value: rss.length ? `${Math.max(...rss.map((r) => r.rssMb)).toFixed(0)} MB` : 'not measured',
  })
}

export const evaluateTargets = (rows: Row[], indexUsed: boolean): TargetResult[] => {
  const out: TargetResult[] = []
  const engines = [...new Set(rows.filter((r) => r.target.startsWith('app-')).map((r) => r.engine))]
  for (const engine of engines) engineTargets(rows, engine, out)
  out.push({
    name: 'spread query served by the index',
    met: indexUsed,
    value: indexUsed ? 'index scan' : 'collection scan',
  })
  return out
}

/** The first line a tool prints about itself (wrk -v exits 1 after printing it). */
const version = (cmd: string | null, args: string[]): string => {
  if (!cmd) return 'not installed'
  const run = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 })
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] || 'unknown'
}

/** The machine, the versions and the pinning of a run. */
export const environmentOf = ({ startedAt, pinned }: Pick<RunInfo, 'startedAt' | 'pinned'>) => ({
  date: startedAt.toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  node: process.version,
  node24: version(node24Binary(), ['--version']),
  bun: version(bunBinary(), ['--version']),
  ferretdb: process.env.MONGODB_URI
    ? 'MONGODB_URI'
    : `FerretDB ${version(ferretdbBinary(), ['--version']).replace('Version: ', '')}`,
  autocannon: require('autocannon/package.json').version as string,
  wrk: version(wrkBinary(), ['-v']).split(' ').slice(0, 2).join(' '),
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

/**
 * The targets, judged in a full run. A smoke run (a second per scenario on a small collection, on a
 * shared machine) proves every server answers right, not how fast: its values are printed for
 * reference under a line that says so, never as met or missed.
 */
const printTargets = (smoke: boolean, targetsMet: TargetResult[]): void => {
  if (smoke) {
    console.log(
      'targets: not judged in a --smoke run (it checks answers, not speed); the values it measured:',
    )
    for (const t of targetsMet) console.log(`  -     ${t.name}: ${t.value}`)
    return
  }
  console.log('targets (single process):')
  for (const t of targetsMet)
    console.log(`  ${t.met === null ? 'n/a ' : t.met ? 'met ' : 'MISS'}  ${t.name}: ${t.value}`)
}

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
  printTargets(opts.smoke, targetsMet)
  console.log('')
  const load = rows.every((r) => r.tool === 'wrk')
    ? environment.wrk
    : `autocannon ${environment.autocannon} where wrk is absent (${environment.wrk})`
  console.log(
    `${environment.date}  ${environment.cpu} x${environment.cores}  node ${environment.node}  node24 ${environment.node24}  ` +
      `bun ${environment.bun}  ${environment.ferretdb}  load: ${load}  load avg at start ${environment.loadavgAtStart.join(' ')}`,
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
    // A smoke run does not judge the targets: `met` is null there.
    targets: opts.smoke ? targetsMet.map((t) => ({ ...t, met: null })) : targetsMet,
  }
  const stamp = `${startedAt.toISOString().replaceAll(':', '-').slice(0, 19)}${opts.smoke ? '-smoke' : ''}`
  const outFile = opts.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`)
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`)
  log(`results written to ${outFile}`)

  const failed = rows.filter((r) => !r.ok)
  for (const f of failed) console.error(`FAILED ${f.target}/${f.scenario}: ${f.problem}`)
  if (opts.smoke) {
    console.log(
      failed.length === 0
        ? `smoke: PASS: every server started and answered all ${rows.length} scenario${rows.length === 1 ? '' : 's'} right`
        : `smoke: FAIL: ${failed.length} of ${rows.length} scenarios failed (above)`,
    )
  }
  // In a full run a baseline that cannot keep up (the peer on a slow database) is a result, shown
  // in the table; only our own servers failing fails it. The smoke run checks them all.
  return failed.some((f) => opts.smoke || f.target.startsWith('app-')) ? 1 : 0
}
