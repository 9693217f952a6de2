// What DataApiStore's parts (users, accounts, schedules, import) share: the client, the collections'
// names, Extended JSON dates, and the by-`_id` writes several of them make.
import type { Layout } from '../store.js'
import type { DataApiClient } from './client.js'

export type JsonObject = Record<string, unknown>

export const USERS = 'users'
export const HOLODULES = 'holodules'
export const SCHEDULES = 'schedules'
export const STREAMERS = 'streamers'
export const OBJECT_ID = /^[0-9a-f]{24}$/i

export interface DataApiContext {
  readonly client: DataApiClient
  /** The store's layout(): `auto` asked of the gateway once. */
  layout(): Promise<Layout>
}

/** Dates in a query as Extended JSON, which the gateway turns back into BSON dates. */
export const ejsonDates = (value: unknown): JsonObject =>
  JSON.parse(
    JSON.stringify(value, (_k, v) => v),
    (_k, v) =>
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) ? { $date: v } : v,
  ) as JsonObject

/** Inserts a document and answers it with the id the gateway gave it. */
export const insert = async (
  client: DataApiClient,
  collection: string,
  doc: JsonObject,
): Promise<JsonObject> => {
  const r = await client.action<{ insertedId?: unknown }>('insertOne', collection, {
    document: ejsonDates(doc),
  })
  return { ...doc, _id: r.insertedId }
}

/** `$set` of the fields given, then the document as it is now; null when no such id. */
export const update = async (
  client: DataApiClient,
  collection: string,
  id: string,
  set: JsonObject,
): Promise<JsonObject | null> => {
  if (!OBJECT_ID.test(id)) return null
  const filter = { _id: { $oid: id } }
  if (Object.keys(set).length > 0) {
    const r = await client.action<{ matchedCount?: unknown }>('updateOne', collection, {
      filter,
      update: { $set: ejsonDates(set) },
    })
    if (r.matchedCount !== 1) return null
  }
  return client.findOne(collection, filter, {})
}

export const remove = async (client: DataApiClient, collection: string, id: string): Promise<boolean> => {
  if (!OBJECT_ID.test(id)) return false
  const r = await client.action<{ deletedCount?: unknown }>('deleteOne', collection, {
    filter: { _id: { $oid: id } },
  })
  return r.deletedCount === 1
}
