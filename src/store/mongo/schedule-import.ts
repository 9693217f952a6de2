// MongoStore's bulk import into the `schedules` collection and its counts, beside the store so its
// file stays about the port's everyday methods.
import {
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Document,
  type Filter,
  ObjectId,
} from 'mongodb'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
import { scheduleFromDoc } from '../layouts/schedules.js'
import type { CollectionCounts, UpsertReport } from '../store.js'

/** Below FerretDB 1.x's limit on one update command (see upsertHolodules). */
const BATCH = 50
const OBJECT_ID = /^[0-9a-f]{24}$/i

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
  for (let i = 0; i < records.length; i += BATCH) {
    const ops: AnyBulkWriteOperation<Document>[] = []
    for (const record of records.slice(i, i + BATCH)) {
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
    onProgress?.(Math.min(i + BATCH, records.length))
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
