// MongoStore's reads and writes of the schedule in whichever layout is in use (the 2020 generation's
// day, the third generation's /schedules), and of the 2024 layout's `streamers`.
import { type Filter, ObjectId } from 'mongodb'
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
import type { HoloduleRecord, ScheduleInput, ScheduleQuery, StreamerInput } from '../records.js'
import { type MongoContext, objectId } from './context.js'

export const findHolodulesByDate = async (c: MongoContext, date: string) => {
  if ((await c.layout()) === 'schedules') {
    const { filter, sort } = scheduleDayQuery(date)
    const docs = await c.schedules.find(filter).sort(sort).toArray()
    return newestFirst(docs.map((d) => holoduleFromSchedule(scheduleFromDoc(d))))
  }
  const { filter, projection, sort } = dayQuery(date)
  const docs = await c.holodules.find(filter, { projection }).sort(sort).toArray()
  return docs.map(toHolodule)
}

export const findSchedules = async (c: MongoContext, query: ScheduleQuery) => {
  if ((await c.layout()) === 'schedules') {
    const { filter, sort, limit } = schedulesQuery(query)
    const docs = await c.schedules.find(filter).sort(sort).limit(limit).toArray()
    return docs.map(scheduleFromDoc)
  }
  const { filter, sort, limit } = holodulesRangeQuery(query)
  const docs = await c.holodules.find(filter).sort(sort).limit(limit).toArray()
  return docs.map((d) => scheduleFromHolodule(String(d._id), toHolodule(d)))
}

export const findScheduleById = async (c: MongoContext, id: string) => {
  if (!ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null
  const _id = new ObjectId(id)
  if ((await c.layout()) === 'schedules') {
    const doc = await c.schedules.findOne({ _id })
    return doc ? scheduleFromDoc(doc) : null
  }
  const doc = await c.holodules.findOne({ _id } as Filter<HoloduleRecord>)
  return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
}

export const insertSchedule = async (c: MongoContext, input: ScheduleInput) => {
  if ((await c.layout()) === 'schedules') {
    const doc = scheduleDoc(input)
    const { insertedId } = await c.schedules.insertOne(doc)
    return scheduleFromDoc({ ...doc, _id: insertedId })
  }
  const doc = holoduleDoc(input)
  const { insertedId } = await c.holodules.insertOne({ ...doc })
  return scheduleFromHolodule(String(insertedId), doc)
}

export const updateSchedule = async (c: MongoContext, id: string, fields: Partial<ScheduleInput>) => {
  const _id = objectId(id)
  if (!_id) return null
  if ((await c.layout()) === 'schedules') {
    const set = scheduleDocFields(fields)
    const doc =
      Object.keys(set).length === 0
        ? await c.schedules.findOne({ _id })
        : await c.schedules.findOneAndUpdate({ _id }, { $set: set }, { returnDocument: 'after' })
    return doc ? scheduleFromDoc(doc) : null
  }
  const set = holoduleDocFields(fields)
  const filter = { _id } as Filter<HoloduleRecord>
  const doc =
    Object.keys(set).length === 0
      ? await c.holodules.findOne(filter)
      : await c.holodules.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' })
  return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
}

export const deleteSchedule = async (c: MongoContext, id: string) => {
  const _id = objectId(id)
  if (!_id) return false
  const deleted =
    (await c.layout()) === 'schedules'
      ? await c.schedules.deleteOne({ _id })
      : await c.holodules.deleteOne({ _id } as Filter<HoloduleRecord>)
  return deleted.deletedCount === 1
}

export const findStreamers = async ({ streamers }: MongoContext, group?: string) => {
  const docs = await streamers
    .find(group === undefined ? {} : { group })
    .sort({ code: 1, _id: 1 })
    .toArray()
  return docs.map(streamerFromDoc)
}

export const findStreamerById = async ({ streamers }: MongoContext, id: string) => {
  if (!/^[0-9a-f]{24}$/i.test(id)) return null
  const doc = await streamers.findOne({ _id: new ObjectId(id) })
  return doc ? streamerFromDoc(doc) : null
}

export const insertStreamer = async ({ streamers }: MongoContext, input: StreamerInput) => {
  const doc = { ...input }
  const { insertedId } = await streamers.insertOne(doc)
  return streamerFromDoc({ ...doc, _id: insertedId })
}

export const updateStreamer = async (
  { streamers }: MongoContext,
  id: string,
  fields: Partial<StreamerInput>,
) => {
  const _id = objectId(id)
  if (!_id) return null
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  const doc =
    Object.keys(set).length === 0
      ? await streamers.findOne({ _id })
      : await streamers.findOneAndUpdate({ _id }, { $set: set }, { returnDocument: 'after' })
  return doc ? streamerFromDoc(doc) : null
}

export const deleteStreamer = async ({ streamers }: MongoContext, id: string) => {
  const _id = objectId(id)
  return _id ? (await streamers.deleteOne({ _id })).deletedCount === 1 : false
}
