// What MongoStore's parts (users, accounts, schedules, import, indexes) share: the store's database,
// its collections and the layout in use. The store runs each part under its own run() (deadline,
// reconnect, the port's errors), so the parts are plain driver code.
import { type Collection, type Db, ObjectId } from 'mongodb'
import type { HoloduleRecord } from '../records.js'
import type { Layout } from '../store.js'

export interface UserDoc {
  id: string
  username: string
  password: string
}

export interface MongoContext {
  readonly db: Db
  readonly users: Collection<UserDoc>
  readonly holodules: Collection<HoloduleRecord>
  readonly schedules: Collection
  readonly streamers: Collection
  /** The store's layout(): `auto` asked of the database once. */
  layout(): Promise<Layout>
}

/** The id a path names, as the `_id` it means; null for anything that is not an ObjectId. */
export const objectId = (id: string): ObjectId | null =>
  /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null
