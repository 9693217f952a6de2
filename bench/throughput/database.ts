import { MongoClient } from 'mongodb'
import type { MongoServer } from '#harness/ferretdb.js'
import { nextDay } from '#src/store/days.js'
import { schedulesQuery } from '#src/store/layouts/schedules.js'
import type { RunningServer } from '../lib/procs.js'

export interface Explained {
  filter: string
  indexUsed: boolean
  summary: string
  raw: unknown
}

type Doc = Record<string, unknown>

/** A find explained by the server: MongoDB says IXSCAN, FerretDB shows its SQL plan. */
const explainFind = async (
  client: MongoClient,
  database: string,
  collection: string,
  filter: Doc,
  sort: Record<string, 1 | -1>,
): Promise<Explained> => {
  const plan = (await client
    .db(database)
    .collection(collection)
    .find(filter)
    .sort(sort)
    .explain('queryPlanner')) as Doc
  const qp = (plan.queryPlanner ?? {}) as Doc
  const text = JSON.stringify(qp)
  const indexUsed = /"IXSCAN"|"EXPRESS_IXSCAN"|USING (COVERING )?INDEX/.test(text)
  const summary =
    'winningPlan' in qp
      ? JSON.stringify(qp.winningPlan)
      : `${JSON.stringify(qp)}  filterPushdown=${String(plan.filterPushdown)} sortPushdown=${String(plan.sortPushdown)}`
  return { filter: JSON.stringify(filter), indexUsed, summary, raw: plan }
}

/** The app's query for one day (the 2020 layout), explained by the server. */
export const explainSpreadQuery = async (uri: string, database: string, date: string): Promise<Explained> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const filter = { datetime: { $gte: date, $lt: nextDay(date) } }
    return await explainFind(client, database, 'holodules', filter, { datetime: -1, key: -1 })
  } finally {
    await client.close()
  }
}

/**
 * The /schedules week's range query on the 2024 layout, as the app builds it (the group's codes
 * read from `streamers` first), explained by the server.
 */
export const explainWeekQuery = async (
  uri: string,
  database: string,
  week: { group: string; from: string; to: string },
): Promise<Explained> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const streamers = await client.db(database).collection('streamers').find({ group: week.group }).toArray()
    const codes = streamers.map((s) => String(s.code)).sort()
    const { filter, sort } = schedulesQuery({ from: week.from, to: week.to, codes, limit: 1000 })
    return await explainFind(client, database, 'schedules', filter, sort)
  } finally {
    await client.close()
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
