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
import { explainSpreadQuery, resetDatabase, writeDayPayload } from './database.js'
import { measureAll } from './measure.js'
import { addRatios } from './ratios.js'
import { report } from './report.js'
import { benchTargets, buildNodeEntry, DB_NAME, serverPool } from './targets.js'
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

const seed = async (uri: string, rows: number, workload: Workload) => {
  log(`seeding ${rows} rows over ${workload.plan.days.length} days (10-60 a day) into FerretDB`)
  const t0 = Date.now()
  const seeded = await seedDatabase(uri, DB_NAME, workload.plan, 600_000)
  log(`seeded ${seeded} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  if (seeded !== rows) throw new Error(`seeded ${seeded} rows, expected ${rows}`)
}

export const runThroughput = async (opts: BenchOptions): Promise<number> => {
  const startedAt = new Date()
  const workload = await planWorkload(opts.rows, SECRET)
  if (opts.entryMode === 'dist') buildNodeEntry()

  const mongo = await startMongo()
  const pool = serverPool()
  // The hot day's response, byte for byte, for the same-body ceiling.
  const payloadFile = join(tmpdir(), `holodule-bench-payload-${process.pid}.json`)
  const cleanup = async () => {
    rmSync(payloadFile, { force: true })
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
    await seed(mongo.uri, opts.rows, workload)
    const explain = await explainSpreadQuery(mongo.uri, DB_NAME, workload.spreadDays[0] as string)
    await writeDayPayload(mongo.uri, DB_NAME, workload.hot.date, payloadFile, opts.requestTimeoutS)
    const rows = await measureAll({
      targets: benchTargets(opts, mongo.uri, payloadFile),
      pool,
      workload,
      opts,
      resetDatabase: (server, hasReadyz) => resetDatabase(mongo, unpinDatabase, server, hasReadyz),
    })
    addRatios(rows)
    return report({ startedAt, opts, workload, explain, pinned }, rows)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanup()
  }
}
