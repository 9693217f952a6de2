/**
 * What the throughput run prints and writes: the table, the explain, the targets met or missed
 * (bench/throughput/targets-met.ts), the machine and the settings; and the same as JSON.
 */

import type { BenchOptions } from '../lib/options.js'
import type { TargetResult } from '../lib/results.js'
import { environmentOf, formatGrid, writeResults } from '../lib/results.js'
import type { Explained } from './database.js'
import { perCpu } from './ratios.js'
import type { Row } from './run-scenario.js'
import { evaluateTargets } from './targets-met.js'
import type { Workload } from './workload.js'

export interface RunInfo {
  startedAt: Date
  opts: BenchOptions
  workload: Workload
  explain: Explained
  /** The /schedules week's query on the 2024 layout, when a selected scenario reads it. */
  explainWeek?: Explained | undefined
  /** Whether taskset pinned the servers and the load generator. */
  pinned: boolean
}

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits))

const HEADER = [
  'target',
  'scenario',
  'load',
  'req/s',
  'p50 ms',
  'p99 ms',
  'KB/answer',
  'peak RSS MB',
  'server CPU',
  'db CPU',
  'req/CPU-s',
  'x ceiling',
  'x mirror',
  'x same body',
  'x peer',
  'x hot',
  'x ceiling/CPU',
  'x mirror/CPU',
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
  r.bytesPerAnswer === undefined ? '-' : (r.bytesPerAnswer / 1024).toFixed(1),
  r.rssMb.toFixed(0),
  r.serverCpu.toFixed(2),
  r.dbCpu.toFixed(2),
  perCpu(r).toFixed(0),
  fmt(r.ratioCeiling),
  fmt(r.ratioMirror),
  fmt(r.ratioSameBody),
  fmt(r.ratioPeer),
  fmt(r.ratioHot),
  fmt(r.ratioCeilingPerCpu),
  fmt(r.ratioMirrorPerCpu),
  fmt(r.ratioPeerPerCpu),
  r.rounds ? r.rounds.join(' ') : '-',
  String(r.checkMs ?? '-'),
  r.ok
    ? Object.entries(r.statuses)
        .map(([c, n]) => `${c}x${n}`)
        .join(' ') + (r.timeouts ? ` timeouts ${r.timeouts}` : '')
    : `FAIL: ${r.problem}`,
]

export const formatTable = (rows: Row[]): string => formatGrid(HEADER, rows.map(cells))

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
  if (info.explainWeek) {
    const week = info.explainWeek
    console.log(`explain of the /schedules week query, 2024 layout (${week.filter}):`)
    console.log(week.summary)
    console.log(`index used: ${week.indexUsed ? 'yes' : 'NO'}`)
  }
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
  const { explain, opts } = info
  const environment = environmentOf(info)
  const targetsMet = evaluateTargets(rows, explain.indexUsed, opts.entryMode)
  printReport(info, rows, targetsMet, environment)
  const json = {
    environment,
    settings: settingsOf(info),
    explain: { filter: explain.filter, indexUsed: explain.indexUsed, plan: explain.raw },
    ...(info.explainWeek
      ? {
          explainWeek: {
            filter: info.explainWeek.filter,
            indexUsed: info.explainWeek.indexUsed,
            plan: info.explainWeek.raw,
          },
        }
      : {}),
    results: rows,
    // A smoke run does not judge the targets: `met` is null there.
    targets: opts.smoke ? targetsMet.map((t) => ({ ...t, met: null })) : targetsMet,
  }
  writeResults(info, json)

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
