// DataApiStore's bulk imports (`holodule import`) into either layout's collection, and the counts
// `holodule status` shows: the Data API has no bulkWrite and no count, so each is spelled in actions.
import { sameHolodule } from '../layouts/holodules.js'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
import { scheduleFromDoc } from '../layouts/schedules.js'
import type { HoloduleRecord } from '../records.js'
import type { CollectionCounts, UpsertReport } from '../store.js'
import type { DataApiClient } from './client.js'
import { ejsonDates, HOLODULES, type JsonObject, OBJECT_ID, SCHEDULES, STREAMERS, USERS } from './context.js'

/** No bulkWrite in the Data API: one upserting replaceOne per record, as the driver's bulk would do. */
export const upsertHolodules = async (
  client: DataApiClient,
  records: HoloduleRecord[],
  onProgress?: (done: number) => void,
): Promise<UpsertReport> => {
  const report = { inserted: 0, updated: 0, unchanged: 0 }
  let done = 0
  for (const doc of records) {
    const stored = await client.findOne(HOLODULES, { key: doc.key }, { _id: 0 })
    if (stored && sameHolodule(stored, doc)) report.unchanged++
    else {
      await client.action('replaceOne', HOLODULES, {
        filter: { key: doc.key },
        replacement: { ...doc },
        upsert: true,
      })
      if (stored) report.updated++
      else report.inserted++
    }
    if (++done % 50 === 0) onProgress?.(done)
  }
  onProgress?.(done)
  return report
}

/**
 * One scan, then an `insertMany` per 50 new records and an `updateOne` by `_id` per changed one
 * (no bulkWrite in the Data API).
 */
export const upsertSchedules = async (
  client: DataApiClient,
  records: ScheduleImport[],
  onProgress?: (done: number) => void,
) => {
  const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 }
  if (records.length === 0) return report
  const plan = schedulePlanner((await client.find(SCHEDULES, { filter: {} })).map(scheduleFromDoc))
  const idOf = (id: string) => (OBJECT_ID.test(id) ? { $oid: id } : id)
  for (let i = 0; i < records.length; i += 50) {
    const inserts: JsonObject[] = []
    for (const r of records.slice(i, i + 50)) {
      const step = plan(r)
      if (step.op === 'unchanged') report.unchanged++
      else if (step.op === 'insert')
        inserts.push(ejsonDates(step.id === undefined ? step.doc : { _id: idOf(step.id), ...step.doc }))
      else {
        const u = await client.action<{ matchedCount?: unknown }>('updateOne', SCHEDULES, {
          filter: { _id: idOf(step.id) },
          update: { $set: ejsonDates(step.set) },
        })
        if (u.matchedCount === 1) report.updated++
      }
    }
    if (inserts.length > 0) {
      const r = await client.action<{ insertedIds?: unknown }>('insertMany', SCHEDULES, {
        documents: inserts,
      })
      report.inserted += Array.isArray(r.insertedIds) ? r.insertedIds.length : inserts.length
    }
    onProgress?.(Math.min(i + 50, records.length))
  }
  return report
}

/** Each collection counted by an aggregation (the Data API has no count action). */
export const countDocuments = async (client: DataApiClient): Promise<CollectionCounts> => {
  const count = async (collection: string) => {
    const r = await client.action<{ documents?: unknown }>('aggregate', collection, {
      pipeline: [{ $count: 'n' }],
    })
    const first = Array.isArray(r.documents) ? (r.documents[0] as { n?: unknown } | undefined) : undefined
    return typeof first?.n === 'number' ? first.n : 0
  }
  const [holodules, schedules, streamers, users] = await Promise.all(
    [HOLODULES, SCHEDULES, STREAMERS, USERS].map(count),
  )
  return {
    holodules: holodules ?? 0,
    schedules: schedules ?? 0,
    streamers: streamers ?? 0,
    users: users ?? 0,
  }
}
