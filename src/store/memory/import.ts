// MemoryStore's bulk imports (`holodule import`) into either layout's Map, and the counts
// `holodule status` shows.
import { sameHolodule } from '../layouts/holodules.js'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
import { scheduleDoc, scheduleFromDoc } from '../layouts/schedules.js'
import type { HoloduleRecord, ScheduleRecord } from '../records.js'
import type { UpsertReport } from '../store.js'
import { type MemoryData, newId, putHolodule } from './data.js'

export const upsertHolodules = async (
  d: MemoryData,
  records: HoloduleRecord[],
  onProgress?: (done: number) => void,
): Promise<UpsertReport> => {
  const report = { inserted: 0, updated: 0, unchanged: 0 }
  for (const r of records) {
    const stored = d.holodules.get(r.key)
    if (!stored) report.inserted++
    else if (sameHolodule(stored, r)) report.unchanged++
    else report.updated++
    putHolodule(d, { ...r })
  }
  onProgress?.(records.length)
  return report
}

/** Through the same planner as the databases, so the three stores count alike. */
export const upsertSchedules = async (
  d: MemoryData,
  records: ScheduleImport[],
  onProgress?: (done: number) => void,
) => {
  const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 }
  const plan = schedulePlanner(d.schedules.values())
  for (const r of records) {
    const step = plan(r)
    if (step.op === 'unchanged') report.unchanged++
    else if (step.op === 'update') {
      const { id, ...stored } = d.schedules.get(step.id) as ScheduleRecord
      d.schedules.set(id, scheduleFromDoc({ ...scheduleDoc(stored), ...step.set, _id: id }))
      report.updated++
    } else {
      const id = step.id ?? newId(d)
      d.schedules.set(id, scheduleFromDoc({ ...step.doc, _id: id }))
      report.inserted++
    }
  }
  onProgress?.(records.length)
  return report
}

export const countDocuments = async (d: MemoryData) => ({
  holodules: d.holodules.size,
  schedules: d.schedules.size,
  streamers: d.streamers.length,
  users: d.users.size,
})
