// MemoryStore's reads and writes of the schedule in whichever layout is in use (the 2020
// generation's day, the third generation's /schedules), and of the 2024 layout's `streamers`.
import { nextDay } from '../days.js'
import { toHolodule } from '../layouts/holodules.js'
import {
  holoduleDoc,
  holoduleDocFields,
  holoduleFromSchedule,
  matchesSchedule,
  scheduleDoc,
  scheduleDocFields,
  scheduleFromDoc,
  scheduleFromHolodule,
} from '../layouts/schedules.js'
import type {
  Holodule,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  ScheduleRecord,
  StreamerInput,
  StreamerRecord,
} from '../records.js'
import type { Store } from '../store.js'
import { allSchedules, type MemoryData, newId, putHolodule } from './data.js'

/** Same ordering as the MongoDB query: datetime, then key, both descending. */
const newestFirst = (a: Holodule, b: Holodule): number =>
  a.datetime === b.datetime ? (a.key < b.key ? 1 : a.key > b.key ? -1 : 0) : a.datetime < b.datetime ? 1 : -1

const streamingAtFirst = (a: ScheduleRecord, b: ScheduleRecord): number =>
  a.streaming_at === b.streaming_at ? (a.id < b.id ? 1 : -1) : a.streaming_at < b.streaming_at ? 1 : -1

const sortStreamers = (d: MemoryData) => {
  d.streamers.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

export const findSchedules = async (d: MemoryData, query: ScheduleQuery) =>
  allSchedules(d)
    .filter((s) => matchesSchedule(query, s))
    .sort(streamingAtFirst)
    .slice(0, query.limit)

export const findScheduleById = async (d: MemoryData, id: string) =>
  allSchedules(d).find((s) => s.id === id) ?? null

/** The 2024 layout's day through `store.findSchedules` (the store itself, so a subclass's is asked). */
export const findHolodulesByDate = async (
  d: MemoryData,
  date: string,
  store: Pick<Store, 'findSchedules'>,
) => {
  if (d.layoutInUse === 'schedules')
    return store
      .findSchedules({ from: date, to: date, limit: Number.MAX_SAFE_INTEGER })
      .then((rows) => rows.map(holoduleFromSchedule).sort(newestFirst))
  const end = nextDay(date)
  const out: HoloduleRecord[] = []
  for (const h of d.holodules.values()) {
    if (h.datetime >= date && h.datetime < end) out.push(toHolodule(h))
  }
  return out.sort(newestFirst)
}

/** Through the same conversions as a database's documents, so the stores answer alike. */
export const insertSchedule = async (d: MemoryData, input: ScheduleInput) => {
  const id = newId(d)
  if (d.layoutInUse === 'schedules') {
    const s = scheduleFromDoc({ ...scheduleDoc(input), _id: id })
    d.schedules.set(id, s)
    return { ...s }
  }
  const h = holoduleDoc(input)
  putHolodule(d, h, id)
  return scheduleFromHolodule(id, h)
}

export const updateSchedule = async (d: MemoryData, id: string, fields: Partial<ScheduleInput>) => {
  if (d.layoutInUse === 'schedules') {
    const old = d.schedules.get(id)
    if (!old) return null
    const { id: _id, ...stored } = old
    const s = scheduleFromDoc({ ...scheduleDoc(stored), ...scheduleDocFields(fields), _id: id })
    d.schedules.set(id, s)
    return { ...s }
  }
  const key = [...d.holoduleIds].find(([, v]) => v === id)?.[0]
  const old = key === undefined ? undefined : d.holodules.get(key)
  if (key === undefined || !old) return null
  const h = toHolodule({ ...old, ...holoduleDocFields(fields) })
  d.holodules.delete(key)
  d.holoduleIds.delete(key)
  putHolodule(d, h, id)
  return scheduleFromHolodule(id, h)
}

export const deleteSchedule = async (d: MemoryData, id: string) => {
  if (d.layoutInUse === 'schedules') return d.schedules.delete(id)
  const key = [...d.holoduleIds].find(([, v]) => v === id)?.[0]
  if (key === undefined) return false
  d.holoduleIds.delete(key)
  return d.holodules.delete(key)
}

export const findStreamers = async (d: MemoryData, group?: string) =>
  d.streamers.filter((s) => group === undefined || s.group === group).map((s) => ({ ...s }))

export const findStreamerById = async (d: MemoryData, id: string) => {
  const s = d.streamers.find((x) => x.id === id)
  return s ? { ...s } : null
}

export const insertStreamer = async (d: MemoryData, input: StreamerInput) => {
  const s = { id: newId(d), ...input }
  d.streamers.push(s)
  sortStreamers(d)
  return { ...s }
}

export const updateStreamer = async (d: MemoryData, id: string, fields: Partial<StreamerInput>) => {
  const i = d.streamers.findIndex((s) => s.id === id)
  const old = d.streamers[i]
  if (!old) return null
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  const s: StreamerRecord = { ...old, ...defined, id }
  d.streamers[i] = s
  sortStreamers(d)
  return { ...s }
}

export const deleteStreamer = async (d: MemoryData, id: string) => {
  const before = d.streamers.length
  d.streamers = d.streamers.filter((s) => s.id !== id)
  return d.streamers.length < before
}
