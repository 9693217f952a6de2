// What MemoryStore's parts (users, accounts, schedules, import) share: the Maps it holds everything
// in, and the ids and rows they make as a database would.
import { toHolodule } from '../layouts/holodules.js'
import { scheduleFromHolodule } from '../layouts/schedules.js'
import type { HoloduleRecord, ScheduleRecord, StreamerRecord, UserRecord } from '../records.js'
import type { Layout } from '../store.js'

export interface MemoryData {
  readonly users: Map<string, UserRecord>
  /** Each user's `_id` and the names only the admin routes read, by username. */
  readonly accounts: Map<string, { id: string; firstname: string | null; lastname: string | null }>
  readonly holodules: Map<string, HoloduleRecord>
  /** `_id` of each 2020 row by key, as a database would have given it one. */
  readonly holoduleIds: Map<string, string>
  readonly schedules: Map<string, ScheduleRecord>
  streamers: StreamerRecord[]
  /** Ids made up for what a writer inserts, as a database would give one. */
  nextId: number
  readonly layoutInUse: Layout
}

export const newId = (d: MemoryData): string => `e${(d.nextId++).toString(16).padStart(23, '0')}`

export const putHolodule = (d: MemoryData, h: HoloduleRecord, id?: string) => {
  d.holodules.set(h.key, h)
  if (id !== undefined) d.holoduleIds.set(h.key, id)
  else if (!d.holoduleIds.has(h.key))
    d.holoduleIds.set(h.key, (d.holoduleIds.size + 1).toString(16).padStart(24, 'f'))
}

/** Every stream of the layout in use, as the third generation sees it. */
export const allSchedules = (d: MemoryData): ScheduleRecord[] => {
  if (d.layoutInUse === 'schedules') return [...d.schedules.values()]
  return [...d.holodules.values()].map((h) =>
    scheduleFromHolodule(d.holoduleIds.get(h.key) ?? '', toHolodule(h)),
  )
}

/** A user's account, made (with a new `_id` unless given) on first use. */
export const accountOf = (d: MemoryData, username: string, id?: string) => {
  let a = d.accounts.get(username)
  if (!a) {
    a = { id: id ?? newId(d), firstname: null, lastname: null }
    d.accounts.set(username, a)
  }
  return a
}
