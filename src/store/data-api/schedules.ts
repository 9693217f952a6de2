// DataApiStore's reads and writes of the schedule in whichever layout is in use (the 2020
// generation's day, the third generation's /schedules), and of the 2024 layout's `streamers`.
import { dayQuery, newestFirst, toHolodule } from '../layouts/holodules.js'
import {
  holoduleDoc,
  holoduleDocFields,
  holoduleFromSchedule,
  holodulesRangeQuery,
  scheduleDayQuery,
  scheduleDoc,
  scheduleDocFields,
  scheduleFromDoc,
  scheduleFromHolodule,
  schedulesQuery,
  streamerFromDoc,
} from '../layouts/schedules.js'
import type { ScheduleInput, ScheduleQuery, StreamerInput } from '../records.js'
import {
  type DataApiContext,
  ejsonDates,
  HOLODULES,
  insert,
  OBJECT_ID,
  remove,
  SCHEDULES,
  STREAMERS,
  update,
} from './context.js'

export const findHolodulesByDate = async (c: DataApiContext, date: string) => {
  if ((await c.layout()) === 'schedules') {
    const docs = await c.client.find(SCHEDULES, ejsonDates(scheduleDayQuery(date)))
    return newestFirst(docs.map((d) => holoduleFromSchedule(scheduleFromDoc(d))))
  }
  const docs = await c.client.find(HOLODULES, dayQuery(date))
  return docs.map(toHolodule)
}

export const findSchedules = async (c: DataApiContext, query: ScheduleQuery) => {
  if ((await c.layout()) === 'schedules') {
    const docs = await c.client.find(SCHEDULES, ejsonDates(schedulesQuery(query)))
    return docs.map(scheduleFromDoc)
  }
  const docs = await c.client.find(HOLODULES, holodulesRangeQuery(query))
  return docs.map((d) => scheduleFromHolodule(String(d._id), toHolodule(d)))
}

export const findScheduleById = async (c: DataApiContext, id: string) => {
  if (!OBJECT_ID.test(id)) return null
  if ((await c.layout()) === 'schedules') {
    const doc = await c.client.findOne(SCHEDULES, { _id: { $oid: id } }, {})
    return doc ? scheduleFromDoc(doc) : null
  }
  const doc = await c.client.findOne(HOLODULES, { _id: { $oid: id } }, {})
  return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
}

export const insertSchedule = async (c: DataApiContext, input: ScheduleInput) => {
  if ((await c.layout()) === 'schedules')
    return scheduleFromDoc(await insert(c.client, SCHEDULES, scheduleDoc(input)))
  const doc = holoduleDoc(input)
  const stored = await insert(c.client, HOLODULES, { ...doc })
  return scheduleFromHolodule(String(stored._id), doc)
}

export const updateSchedule = async (c: DataApiContext, id: string, fields: Partial<ScheduleInput>) => {
  if ((await c.layout()) === 'schedules') {
    const doc = await update(c.client, SCHEDULES, id, scheduleDocFields(fields))
    return doc ? scheduleFromDoc(doc) : null
  }
  const doc = await update(c.client, HOLODULES, id, holoduleDocFields(fields))
  return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
}

export const deleteSchedule = async (c: DataApiContext, id: string) =>
  remove(c.client, (await c.layout()) === 'schedules' ? SCHEDULES : HOLODULES, id)

export const findStreamers = async ({ client }: DataApiContext, group?: string) => {
  const docs = await client.find(STREAMERS, {
    filter: group === undefined ? {} : { group },
    sort: { code: 1, _id: 1 },
  })
  return docs.map(streamerFromDoc)
}

export const findStreamerById = async ({ client }: DataApiContext, id: string) => {
  if (!OBJECT_ID.test(id)) return null
  const doc = await client.findOne(STREAMERS, { _id: { $oid: id } }, {})
  return doc ? streamerFromDoc(doc) : null
}

export const insertStreamer = async ({ client }: DataApiContext, input: StreamerInput) =>
  streamerFromDoc(await insert(client, STREAMERS, { ...input }))

export const updateStreamer = async (
  { client }: DataApiContext,
  id: string,
  fields: Partial<StreamerInput>,
) => {
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  const doc = await update(client, STREAMERS, id, set)
  return doc ? streamerFromDoc(doc) : null
}

export const deleteStreamer = async ({ client }: DataApiContext, id: string) => remove(client, STREAMERS, id)
