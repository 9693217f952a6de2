/**
 * In what order the scenarios run: first the cheap ones with every server up, in rounds; then the
 * rest one server at a time, with FerretDB restarted around them.
 */
import { log } from '../lib/log.js'
import type { BenchOptions } from '../lib/options.js'
import type { RunningServer } from '../lib/procs.js'
import { type Row, runScenario } from './run-scenario.js'
import type { ScenarioName } from './scenarios.js'
import type { ServerPool, Target } from './targets.js'
import type { Workload } from './workload.js'

/** The pairs of a target that --only lets through. */
const selected = (t: Target, only: RegExp | null): ScenarioName[] =>
  t.scenarios.filter((s) => !only || only.test(`${t.name}/${s}`))

/**
 * Scenarios that cost no FerretDB scan per request are measured with every server up at once, in
 * turn, in rounds. The app and the Fastify peer cache the hot day alike.
 */
const interleaved = (t: Target, s: ScenarioName): boolean =>
  s === 'hello' ||
  s === 'payload' ||
  s === 'mirror' ||
  s === '401' ||
  (!t.name.startsWith('hono-') && (s === 'hot' || s === 'hot-304'))

export interface Schedule {
  targets: Target[]
  pool: ServerPool
  workload: Workload
  opts: BenchOptions
  /** Restarts the database; then waits for `server` when it has /readyz. */
  resetDatabase(server: RunningServer | null, hasReadyz: boolean): Promise<void>
}

const say = (row: Row, round = '') =>
  log(
    `${row.target}/${row.scenario}${round}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms` +
      (row.ok ? '' : `  FAILED: ${row.problem}`),
  )

/**
 * Scenarios that cost no FerretDB scan per request are measured with every server up at once,
 * in turn, `rounds` times; each row keeps the round with the median req/s. Other jobs on this
 * machine come and go, and this way the ceiling and the app see the same moments.
 */
const measureInRounds = async (s: Schedule, rowsByKey: Map<string, Row>): Promise<void> => {
  const { opts } = s
  const scenariosOf = (t: Target): ScenarioName[] =>
    selected(t, opts.only).filter((scenario) => interleaved(t, scenario))
  const phase1 = s.targets.filter((t) => scenariosOf(t).length > 0)
  for (const t of phase1) await s.pool.start(t)
  const samples = new Map<string, Row[]>()
  for (let round = 1; round <= opts.rounds; round++) {
    for (const target of phase1) {
      for (const scenario of scenariosOf(target)) {
        const row = await runScenario(s.pool.get(target) as RunningServer, target, scenario, s.workload, opts)
        say(row, opts.rounds > 1 ? ` (round ${round})` : '')
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
}

/** The rest, one server at a time: FerretDB is restarted around them so no queued scan leaks. */
const measureOneByOne = async (s: Schedule, rowsByKey: Map<string, Row>): Promise<void> => {
  for (const target of s.targets) {
    const rest = selected(target, s.opts.only).filter((scenario) => !interleaved(target, scenario))
    if (rest.length === 0) {
      await s.pool.stop(target)
      continue
    }
    const server = await s.pool.start(target)
    try {
      for (const scenario of rest) {
        // A spread or /schedules run starts on an idle database, not behind scans a previous run
        // left queued.
        if (scenario === 'spread' || scenario === 'schedules-week' || scenario === 'feed')
          await s.resetDatabase(server, target.name.startsWith('app-'))
        const row = await runScenario(server, target, scenario, s.workload, s.opts)
        say(row)
        rowsByKey.set(`${target.name}/${scenario}`, row)
      }
    } finally {
      await s.pool.stop(target)
    }
    if (target.usesDb) await s.resetDatabase(null, false)
  }
}

/** Every selected scenario of every target, one row each, in target then scenario order. */
export const measureAll = async (s: Schedule): Promise<Row[]> => {
  const rowsByKey = new Map<string, Row>()
  await measureInRounds(s, rowsByKey)
  await measureOneByOne(s, rowsByKey)
  return s.targets.flatMap((t) =>
    selected(t, s.opts.only).flatMap((scenario) => {
      const row = rowsByKey.get(`${t.name}/${scenario}`)
      return row ? [row] : []
    }),
  )
}
