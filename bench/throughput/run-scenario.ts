/**
 * One scenario on one running server: its one request checked, a warm-up, then the measured run
 * with wrk (autocannon where wrk is not installed: bench/lib/load.ts), every response's status
 * counted, while the server's and FerretDB's CPU time is read from /proc. The result is a Row.
 */
import type { ProcessRuntime } from '#harness/server-process.js'
import { loadToolFor, runLoad } from '../lib/load.js'
import type { LoadSpec, LoadTool } from '../lib/load-spec.js'
import { errorText } from '../lib/log.js'
import type { BenchOptions } from '../lib/options.js'
import { databaseCpuSeconds, type RunningServer, serverCpuSeconds } from '../lib/procs.js'
import { planScenario, type ScenarioName } from './scenarios.js'
import type { Target } from './targets.js'
import type { Workload } from './workload.js'

/** One scenario's result on one target: a line of the table. */
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
  /** Bytes read per answer, headers included (wrk only): what a ratio of two scenarios also weighs. */
  bytesPerAnswer?: number
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
  /** schedules-week and feed only: to the app's hot day on the same engine, in the same run (issue 20). */
  ratioHot?: number
  /** To Hono answering the same bytes on the same runtime (hot and spread only). */
  ratioSameBody?: number
  /** To Hono answering the same bytes with the app's headers on the same engine (hot only, issue 20). */
  ratioMirror?: number
  ratioMirrorPerCpu?: number
  /** req/s of each round, when measured in rounds. */
  rounds?: number[]
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
  const boundBySlowWork =
    scenario === 'auth' || scenario === 'spread' || scenario === 'schedules-week' || scenario === 'feed'
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
  if (r.bytesPerAnswer !== undefined) out.bytesPerAnswer = r.bytesPerAnswer
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
  const plan = await planScenario(server, scenario, workload, opts)
  const load: LoadSpec = { ...plan.load, timeout: opts.requestTimeoutS }
  const row = emptyRow(target, scenario, loadToolFor(load))
  const checkStarted = performance.now()
  const problem = await plan.check().catch((e: unknown) => `check failed: ${errorText(e)}`)
  row.checkMs = Math.round(performance.now() - checkStarted)
  if (problem) return { ...row, ok: false, problem, rssMb: server.peakRssMb() }
  if (opts.warmup > 0 && scenario !== 'auth') await runLoad({ ...load, duration: opts.warmup })
  return { ...row, ...(await measure(server, load, scenario, plan.expected, opts.smoke)) }
}
