// Bulk import into the 2024 layout (`holodule schedules import`, and `holodules import` on a database
// in that layout): which stored stream each record is, and whether anything about it changed. Once,
// for every backend; each backend only scans and writes.
import type { ScheduleInput, ScheduleRecord } from '../records.js'
import { scheduleDocFields } from './schedules.js'

/** The fields a 2020 row lacks: absent on an import record means "leave what is stored". */
const OPTIONAL = ['published_at', 'channel_id', 'channel_title', 'tags'] as const

/**
 * A stream to import: `key` resolved (stored or derived), the 2024-only fields when the source had
 * them, and `id`, the `_id` a dump gave it (kept when that `_id` is free).
 */
export type ScheduleImport = Omit<ScheduleInput, (typeof OPTIONAL)[number]> &
  Partial<Pick<ScheduleInput, (typeof OPTIONAL)[number]>> & { key: string; id?: string }

/** What becomes of one record: a new document, a `$set` on a stored one (by its id), or nothing. */
export type ImportStep =
  | { op: 'insert'; doc: Record<string, unknown>; id?: string }
  | { op: 'update'; id: string; set: Record<string, unknown> }
  | { op: 'unchanged' }

/** The record's fields as a writer sends them (its `id` is where it goes, not what it holds). */
const fieldsOf = ({ id: _id, ...fields }: ScheduleImport): Partial<ScheduleInput> & { key: string } => fields

/** A record as the `schedules` collection stores a new one: what it lacks empty, as the collector leaves it. */
export const importedScheduleDoc = (r: ScheduleImport): Record<string, unknown> =>
  scheduleDocFields({ published_at: null, channel_id: null, channel_title: null, tags: [], ...fieldsOf(r) })

const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b

/** Whether the stored stream already holds every field the record gives (a re-import writes nothing). */
export const sameSchedule = (stored: ScheduleRecord, r: ScheduleImport): boolean =>
  Object.entries(fieldsOf(r)).every(([k, v]) => v === undefined || same(stored[k as keyof ScheduleRecord], v))

/**
 * Plans an import against the streams stored (as records, `id` their `_id` as text): a record is the
 * stored stream with its `key` (a stored `key`, else the derived one), else the one whose `_id` the
 * dump gave it (a stream the collector moved: its derived key changed), else new. A new record keeps
 * its dump's `_id` unless that is taken. Records planned are remembered, so a file is planned whole.
 */
export const schedulePlanner = (stored: Iterable<ScheduleRecord>) => {
  const byKey = new Map<string, ScheduleRecord>()
  const byId = new Map<string, ScheduleRecord>()
  for (const s of stored) {
    if (!byKey.has(s.key)) byKey.set(s.key, s)
    byId.set(s.id, s)
  }
  return (r: ScheduleImport): ImportStep => {
    const old = byKey.get(r.key) ?? (r.id === undefined ? undefined : byId.get(r.id))
    if (old) {
      if (sameSchedule(old, r)) return { op: 'unchanged' }
      const changed = { ...old, ...fieldsOf(r) } as ScheduleRecord
      for (const k of OPTIONAL) if (r[k] === undefined) (changed as Record<string, unknown>)[k] = old[k]
      byKey.set(r.key, changed)
      return { op: 'update', id: old.id, set: scheduleDocFields(fieldsOf(r)) }
    }
    const id = r.id !== undefined && !byId.has(r.id) ? r.id : undefined
    const placeholder = { ...fieldsOf(r), id: id ?? `new:${r.key}` } as ScheduleRecord
    byKey.set(r.key, placeholder)
    if (id !== undefined) byId.set(id, placeholder)
    return { op: 'insert', doc: importedScheduleDoc(r), ...(id === undefined ? {} : { id }) }
  }
}
