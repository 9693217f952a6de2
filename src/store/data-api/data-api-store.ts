import { DuplicateUserError } from '../errors.js'
import { dayQuery, sameHolodule, toHolodule } from '../layouts/holodules.js'
import type { HoloduleRecord, UserRecord } from '../records.js'
import type { Store, UpsertReport } from '../store.js'
import { nextUserId, passwordChange, toUserRecord, USER_PROJECTION } from '../users.js'

import { DataApiClient, type DataApiClientOptions, DataApiRequestError } from './client.js'

type JsonObject = Record<string, unknown>

const USERS = 'users'
const HOLODULES = 'holodules'

/**
 * The store over HTTPS for runtimes without TCP sockets: each port method is one or a few Data API
 * v1 actions. Its semantics match MongoStore's (same filters, sorts, projections, compare-and-swap).
 */
export class DataApiStore implements Store {
  /** The HTTP client under this store; the login counters share it (data-api/login-limiters.ts). */
  readonly client: DataApiClient

  constructor(options: DataApiClientOptions) {
    this.client = new DataApiClient(options)
  }

  private action<T extends JsonObject>(name: string, collection: string, body: JsonObject): Promise<T> {
    return this.client.action<T>(name, collection, body)
  }

  private findOne(collection: string, filter: JsonObject, projection: JsonObject) {
    return this.client.findOne(collection, filter, projection)
  }

  private find(collection: string, body: JsonObject): Promise<JsonObject[]> {
    return this.client.find(collection, body)
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    return toUserRecord(await this.findOne(USERS, { username }, USER_PROJECTION))
  }

  async updatePasswordHash(username: string, expected: string, hash: string): Promise<boolean> {
    const r = await this.action<{ modifiedCount?: unknown }>('updateOne', USERS, {
      filter: { username, password: expected },
      update: { $set: { password: hash } },
    })
    return r.modifiedCount === 1
  }

  async findHolodulesByDate(date: string) {
    const docs = await this.find(HOLODULES, dayQuery(date))
    return docs.map(toHolodule)
  }

  /** The Data API has no ping: a query that an index answers and that matches nothing. */
  async ping(): Promise<void> {
    await this.findOne(HOLODULES, { _id: null }, { _id: 1 })
  }

  async addUser(username: string, passwordHash: string): Promise<UserRecord> {
    if (await this.findOne(USERS, { username }, { _id: 1 })) throw new DuplicateUserError(username)
    const ids = await this.find(USERS, { filter: {}, projection: { _id: 0, id: 1 } })
    const user: UserRecord = { id: nextUserId(ids), username, password: passwordHash }
    try {
      await this.action('insertOne', USERS, { document: { ...user } })
    } catch (e) {
      if (e instanceof DataApiRequestError && e.errorCode === 'DuplicateKey')
        throw new DuplicateUserError(username)
      throw e
    }
    return user
  }

  async setPassword(username: string, passwordHash: string, changedAtMs: number): Promise<boolean> {
    const r = await this.action<{ matchedCount?: unknown }>('updateOne', USERS, {
      filter: { username },
      update: { $set: passwordChange(passwordHash, changedAtMs) },
    })
    return r.matchedCount === 1
  }

  async removeUser(username: string): Promise<boolean> {
    const r = await this.action<{ deletedCount?: unknown }>('deleteOne', USERS, { filter: { username } })
    return r.deletedCount === 1
  }

  async listUsers() {
    const docs = await this.find(USERS, {
      filter: {},
      projection: { _id: 0, id: 1, username: 1 },
      sort: { username: 1 },
    })
    return docs.map((d) => ({ id: String(d.id ?? ''), username: String(d.username ?? '') }))
  }

  /** No bulkWrite in the Data API: one upserting replaceOne per record, as the driver's bulk would do. */
  async upsertHolodules(
    records: HoloduleRecord[],
    onProgress?: (done: number) => void,
  ): Promise<UpsertReport> {
    const report = { inserted: 0, updated: 0, unchanged: 0 }
    let done = 0
    for (const doc of records) {
      const stored = await this.findOne(HOLODULES, { key: doc.key }, { _id: 0 })
      if (stored && sameHolodule(stored, doc)) report.unchanged++
      else {
        await this.action('replaceOne', HOLODULES, {
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

  /** The Data API has no index commands; `holodule db init` creates them through the driver. */
  async ensureIndexes(): Promise<void> {
    throw new Error('the Data API cannot create indexes: run `holodule db init` with MONGODB_URI')
  }

  /** Nothing to release: every call is a single fetch. */
  async close(): Promise<void> {}
}
