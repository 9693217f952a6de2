/**
 * The throughput run (`npm run bench`): starts FerretDB, seeds it, starts the servers of
 * bench/throughput/targets.ts, measures the scenarios of scenarios.ts in the order of measure.ts,
 * and prints and writes the report (report.ts).
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startMongo } from '#harness/ferretdb.js'
import { log } from '../lib/log.js'
import { LOADGEN_CPUS, SECRET } from '../lib/machine.js'
import type { BenchOptions } from '../lib/options.js'
import { hasTaskset, pin, processTree } from '../lib/procs.js'
import { seedDatabase } from '../lib/seed.js'
import { SCHEDULE_DB_NAME, seedSchedules } from '../lib/seed-2024.js'
import { explainSpreadQuery, explainWeekQuery, resetDatabase } from './database.js'
import { captureHotAnswer } from './hot-answer.js'
import { measureAll } from './measure.js'
import { addRatios } from './ratios.js'
import { report } from './report.js'
import { benchTargets, buildNodeEntry, DB_NAME, type ServerPool, serverPool, type Target } from './targets.js'
import { planWorkload, type Workload } from './workload.js'

/**
 * The load generator (this process) keeps CPU 0 and each server gets CPU 1, so neither starves
 * the other. FerretDB, started before this, may run on both; `unpinDatabase` lets a restarted one.
 */
const pinLoadGenerator = () => {
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
  return { pinned, unpinDatabase }
}

/**
 * The 2020 layout into DB_NAME; and, when a selected scenario reads it, the 2024 layout (the same
 * days and counts) into SCHEDULE_DB_NAME.
 */
const seed = async (uri: string, opts: BenchOptions, workload: Workload, targets: Target[]) => {
  const { rows } = opts
  const days = workload.plan.days.length
  log(`seeding ${rows} rows over ${days} days (10-60 a day) into FerretDB`)
  let t0 = Date.now()
  const seeded = await seedDatabase(uri, DB_NAME, workload.plan, 600_000)
  log(`seeded ${seeded} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (seeded !== rows) throw new Error(`seeded ${seeded} rows, expected ${rows}`)
  const readsSchedules = targets.some((t) =>
    t.scenarios.some(
      (s) => (s === 'schedules-week' || s === 'feed') && (!opts.only || opts.only.test(`${t.name}/${s}`)),
    ),
  )
  if (!readsSchedules) return false
  const { schedulesPlan } = workload
  const [first, last] = [schedulesPlan.days[0]?.date, schedulesPlan.days.at(-1)?.date]
  log(
    `seeding the 2024 layout (${rows} schedules, the same ${days} days moved to ${first}-${last}, ` +
      `the hot day today) into ${SCHEDULE_DB_NAME}`,
  )
  t0 = Date.now()
  const schedules = await seedSchedules(uri, schedulesPlan, 600_000)
  log(`seeded ${schedules} schedules in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (schedules !== rows) throw new Error(`seeded ${schedules} schedules, expected ${rows}`)
  return true
}

/**
 * When a ceiling that serves the hot day's answer is selected: that answer from the app on this
 * Node (its run keeps it up when it measures it), before the peers that serve it start.
 */
const captureAnswer = async (
  targets: Target[],
  pool: ServerPool,
  workload: Workload,
  files: { payloadFile: string; mirrorFile: string },
  opts: BenchOptions,
) => {
  const chosen = (t: Target, s: string) => !opts.only || opts.only.test(`${t.name}/${s}`)
  const needed = targets.some((t) =>
    t.scenarios.some((s) => (s === 'payload' || s === 'mirror') && chosen(t, s)),
  )
  const app = targets.find((t) => t.name === 'app-node')
  if (!needed || !app) return
  const server = await pool.start(app)
  try {
    const request = {
      path: `/holodules/${workload.hot.date}`,
      headers: workload.auth,
      timeoutS: opts.requestTimeoutS,
    }
    workload.hotAnswer = await captureHotAnswer(server, request, files)
  } finally {
    // Kept up when its own run measures it next.
    if (!app.scenarios.some((s) => chosen(app, s))) await pool.stop(app)
  }
}

export const runThroughput = async (opts: BenchOptions): Promise<number> => {
  const startedAt = new Date()
  const workload = await planWorkload(opts.rows, SECRET)
  if (opts.entryMode === 'dist') buildNodeEntry()

  const mongo = await startMongo()
  const pool = serverPool()
  // The hot day's answer, byte for byte and with the app's headers, for the ceilings of its size.
  const files = {
    payloadFile: join(tmpdir(), `holodule-bench-payload-${process.pid}.json`),
    mirrorFile: join(tmpdir(), `holodule-bench-mirror-${process.pid}.json`),
  }
  const cleanup = async () => {
    for (const file of Object.values(files)) rmSync(file, { force: true })
    await pool.stopAll()
    await mongo.dispose()
  }
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const { pinned, unpinDatabase } = pinLoadGenerator()

  try {
    const targets = benchTargets(opts, mongo.uri, files)
    const seeded2024 = await seed(mongo.uri, opts, workload, targets)
    const explain = await explainSpreadQuery(mongo.uri, DB_NAME, workload.spreadDays[0] as string)
    const explainWeek = seeded2024
      ? await explainWeekQuery(mongo.uri, SCHEDULE_DB_NAME, workload.week)
      : undefined
    await captureAnswer(targets, pool, workload, files, opts)
    const rows = await measureAll({
      targets,
      pool,
      workload,
      opts,
      resetDatabase: (server, hasReadyz) => resetDatabase(mongo, unpinDatabase, server, hasReadyz),
    })
    addRatios(rows)
    return report({ startedAt, opts, workload, explain, explainWeek, pinned }, rows)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanup()
  }
}
