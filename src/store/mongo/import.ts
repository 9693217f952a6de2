// MongoStore's bulk imports (`holodule import`) into either layout's collection, and the counts
// `holodule status` shows, beside the store so its file stays about the port's everyday methods.
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  MongoBulkWriteError,
  ObjectId,
} from 'mongodb'
import { dayQuery, sameHolodule } from '../layouts/holodules.js'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
import { scheduleFromDoc } from '../layouts/schedules.js'
import type { HoloduleRecord } from '../records.js'
import type { CollectionCounts, UpsertReport } from '../store.js'
import { DUPLICATE_KEY } from './errors.js'

/** Below FerretDB 1.x's limit on one update command (see upsertHolodules). */
export const UPSERT_BATCH = 50
const OBJECT_ID = /^[0-9a-f]{24}$/i

const writeBatch = async (
  holodules: Collection<HoloduleRecord>,
  ops: AnyBulkWriteOperation<HoloduleRecord>[],
  report: UpsertReport,
) => {
  try {
    const r = await holodules.bulkWrite(ops, { ordered: false })
    report.inserted += r.insertedCount
    report.updated += r.matchedCount
  } catch (e) {
    if (!(e instanceof MongoBulkWriteError)) throw e
    report.inserted += e.result.insertedCount
    report.updated += e.result.matchedCount
    const raced = new Set(
      (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors])
        .filter((w) => w.code === DUPLICATE_KEY)
        .map((w) => w.index),
    )
    if (raced.size === 0 || raced.size !== (Array.isArray(e.writeErrors) ? e.writeErrors.length : 1)) throw e
    for (const index of raced) {
      const op = ops[index]
      if (!op || !('insertOne' in op)) continue
      const doc = op.insertOne.document as HoloduleRecord
      await holodules.replaceOne({ key: doc.key }, doc, { upsert: true })
      report.updated++
    }
  }
}

/**
 * One scan of the stored rows (`key` → `_id` and fields), then writes by `_id` only: FerretDB
 * pushes down nothing but `_id` equality, so an upsert filtered by `key` scanned the whole
 * collection for every record and an import was quadratic (under 10 rows/s at a few thousand).
 * Rows stored exactly as given are not written at all. A key inserted meanwhile by another
 * writer (duplicate key) is replaced by `key` instead.
 */
export const upsertHolodules = async (
  holodules: Collection<HoloduleRecord>,
  records: HoloduleRecord[],
  onProgress?: (done: number) => void,
): Promise<UpsertReport> => {
  const report = { inserted: 0, updated: 0, unchanged: 0 }
  if (records.length === 0) return report
  const stored = new Map<string, HoloduleRecord & { _id: unknown }>()
  for await (const doc of holodules.find({}, { projection: { ...dayQuery('').projection, _id: 1 } })) {
    const row = doc as unknown as HoloduleRecord & { _id: unknown }
    if (typeof row.key === 'string') stored.set(row.key, row)
  }
  // FerretDB 1.x (SQLite) never answers one update command of 100+ statements that hit existing
  // documents (99 took 1.3 s, 100 hung past 60 s), so writes go in batches below that.
  for (let i = 0; i < records.length; i += UPSERT_BATCH) {
    const ops: AnyBulkWriteOperation<HoloduleRecord>[] = []
    for (const doc of records.slice(i, i + UPSERT_BATCH)) {
      const old = stored.get(doc.key)
      if (!old) ops.push({ insertOne: { document: { ...doc } } })
      else if (sameHolodule(old, doc)) report.unchanged++
      else ops.push({ replaceOne: { filter: { _id: old._id } as Filter<HoloduleRecord>, replacement: doc } })
    }
    if (ops.length > 0) await writeBatch(holodules, ops, report)
    onProgress?.(Math.min(i + UPSERT_BATCH, records.length))
  }
  return report
}

/**
 * One scan of the stored streams, then writes by `_id` only (FerretDB pushes down nothing else, so
 * a filter by `key` per record made an import quadratic): `insertOne` for new records (under the
 * dump's `_id` when it is free), `$set` of the fields given for changed ones, nothing for the rest.
 */
export const upsertScheduleDocs = async (
  schedules: Collection,
  records: ScheduleImport[],
  onProgress?: (done: number) => void,
): Promise<UpsertReport> => {
  const report = { inserted: 0, updated: 0, unchanged: 0 }
  if (records.length === 0) return report
  // The stored `_id` as the driver gave it, by its text: a collector's ObjectId or anything else.
  const ids = new Map<string, unknown>()
  const stored = []
  for await (const doc of schedules.find({})) {
    const s = scheduleFromDoc(doc)
    ids.set(s.id, doc._id)
    stored.push(s)
  }
  const plan = schedulePlanner(stored)
  for (let i = 0; i < records.length; i += UPSERT_BATCH) {
    const ops: AnyBulkWriteOperation<Document>[] = []
    for (const record of records.slice(i, i + UPSERT_BATCH)) {
      const step = plan(record)
      if (step.op === 'unchanged') report.unchanged++
      else if (step.op === 'update')
        ops.push({
          updateOne: { filter: { _id: ids.get(step.id) } as Filter<Document>, update: { $set: step.set } },
        })
      else {
        const _id =
          step.id === undefined ? undefined : OBJECT_ID.test(step.id) ? new ObjectId(step.id) : step.id
        ops.push({ insertOne: { document: _id === undefined ? step.doc : { _id, ...step.doc } } })
      }
    }
    if (ops.length > 0) {
      const r = await schedules.bulkWrite(ops, { ordered: false })
      report.inserted += r.insertedCount
      report.updated += r.matchedCount
    }
    onProgress?.(Math.min(i + UPSERT_BATCH, records.length))
  }
  return report
}

export const countCollections = async (db: Db): Promise<CollectionCounts> => {
  const count = (name: string) => db.collection(name).countDocuments({})
  const [holodules, schedules, streamers, users] = await Promise.all(
    ['holodules', 'schedules', 'streamers', 'users'].map(count),
  )
  return {
    holodules: holodules ?? 0,
    schedules: schedules ?? 0,
    streamers: streamers ?? 0,
    users: users ?? 0,
  }
}
