import { writeFileSync } from 'node:fs'
import { MongoClient } from 'mongodb'
import type { MongoServer } from '#harness/ferretdb.js'
import { nextDay } from '#src/store/days.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'
import type { RunningServer } from '../lib/procs.js'

export interface Explained {
  filter: string
  indexUsed: boolean
  summary: string
  raw: unknown
}

/** The app's query for one day, explained by the server: MongoDB says IXSCAN, FerretDB shows its SQL plan. */
export const explainSpreadQuery = async (uri: string, database: string, date: string): Promise<Explained> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const filter = { datetime: { $gte: date, $lt: nextDay(date) } }
    const plan = (await client
      .db(database)
      .collection('holodules')
      .find(filter)
      .sort({ datetime: -1, key: -1 })
      .explain('queryPlanner')) as Record<string, unknown>
    const qp = (plan.queryPlanner ?? {}) as Record<string, unknown>
    const text = JSON.stringify(qp)
    const indexUsed = /"IXSCAN"|"EXPRESS_IXSCAN"|USING (COVERING )?INDEX/.test(text)
    const summary =
      'winningPlan' in qp
        ? JSON.stringify(qp.winningPlan)
        : `${JSON.stringify(qp)}  filterPushdown=${String(plan.filterPushdown)} sortPushdown=${String(plan.sortPushdown)}`
    return { filter: JSON.stringify(filter), indexUsed, summary, raw: plan }
  } finally {
    await client.close()
  }
}

/** The hot day's response, byte for byte, for the same-body ceiling (the hello peers serve it). */
export const writeDayPayload = async (
  uri: string,
  database: string,
  date: string,
  file: string,
  timeoutS: number,
): Promise<void> => {
  const store = MongoStore.connect(uri, database, { socketTimeoutMS: timeoutS * 1000 })
  try {
    const list = await store.findHolodulesByDate(date)
    writeFileSync(file, JSON.stringify({ result: list.length, holodules: list }))
  } finally {
    await store.close()
  }
}

/**
 * Restarts FerretDB (same data) so no queued scan outlives the run that caused it, then waits for
 * `server` to be ready again when it has /readyz. `afterStart` re-pins the new FerretDB process.
 */
export const resetDatabase = async (
  mongo: MongoServer,
  afterStart: () => void,
  server: RunningServer | null,
  hasReadyz: boolean,
): Promise<void> => {
  if (process.env.MONGODB_URI) return
  await mongo.stop()
  await mongo.start()
  afterStart()
  if (!server || !hasReadyz) return
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const res = await fetch(`${server.url}/readyz`).catch(() => null)
    await res?.arrayBuffer()
    if (res?.status === 200) return
    await new Promise((r) => setTimeout(r, 100))
  }
}
