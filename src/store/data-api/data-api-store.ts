import { DuplicateUserError } from '../errors.js'
import { dayQuery, newestFirst, sameHolodule, toHolodule } from '../layouts/holodules.js'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
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
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  StreamerInput,
  UserRecord,
} from '../records.js'
import type { CollectionCounts, Layout, LayoutSetting, Store, UpsertReport } from '../store.js'
import {
  ACCOUNT_PROJECTION,
  accountSet,
  nextUserId,
  passwordChange,
  toAccount,
  toUserRecord,
  USER_PROJECTION,
} from '../users.js'

import {
  DataApiClient,
  type DataApiClientOptions,
  DataApiConfigError,
  DataApiRequestError,
} from './client.js'

type JsonObject = Record<string, unknown>

const USERS = 'users'
const HOLODULES = 'holodules'
const SCHEDULES = 'schedules'
const STREAMERS = 'streamers'
const OBJECT_ID = /^[0-9a-f]{24}$/i

/** Dates in a query as Extended JSON, which the gateway turns back into BSON dates. */
const ejsonDates = (value: unknown): JsonObject =>
  JSON.parse(
    JSON.stringify(value, (_k, v) => v),
    (_k, v) =>
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) ? { $date: v } : v,
  ) as JsonObject

/**
 * The store over HTTPS for runtimes without TCP sockets: each port method is one or a few Data API
 * v1 actions. Its semantics match MongoStore's (same filters, sorts, projections, compare-and-swap).
 */
export class DataApiStore implements Store {
  /** The HTTP client under this store; the login counters share it (data-api/login-limiters.ts). */
  readonly client: DataApiClient

  /** SCHEDULE_LAYOUT's `auto`, once the gateway has answered; forgotten on failure, so asked again. */
  private layoutChoice: Promise<Layout> | undefined
  private readonly layoutSetting: LayoutSetting

  constructor(options: DataApiClientOptions & { layout?: LayoutSetting }) {
    this.client = new DataApiClient(options)
    this.layoutSetting = options.layout ?? 'auto'
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
    if ((await this.layout()) === 'schedules') {
      const docs = await this.find(SCHEDULES, ejsonDates(scheduleDayQuery(date)))
      return newestFirst(docs.map((d) => holoduleFromSchedule(scheduleFromDoc(d))))
    }
    const docs = await this.find(HOLODULES, dayQuery(date))
    return docs.map(toHolodule)
  }

  layout(): Promise<Layout> {
    if (this.layoutSetting !== 'auto') return Promise.resolve(this.layoutSetting)
    if (!this.layoutChoice) {
      // A key granted no `schedules` (one made before the 2024 layout) reads the 2020 layout, as a
      // database without that collection does: an upgrade never turns every read into a 503.
      const choice: Promise<Layout> = this.findOne(SCHEDULES, {}, { _id: 1 }).then(
        (one) => (one ? 'schedules' : 'holodules'),
        (e: unknown) => {
          if (e instanceof DataApiConfigError && e.status === 403) return 'holodules'
          throw e
        },
      )
      this.layoutChoice = choice
      choice.catch(() => {
        this.layoutChoice = undefined
      })
    }
    return this.layoutChoice
  }

  async findSchedules(query: ScheduleQuery) {
    if ((await this.layout()) === 'schedules') {
      const docs = await this.find(SCHEDULES, ejsonDates(schedulesQuery(query)))
      return docs.map(scheduleFromDoc)
    }
    const docs = await this.find(HOLODULES, holodulesRangeQuery(query))
    return docs.map((d) => scheduleFromHolodule(String(d._id), toHolodule(d)))
  }

  async findScheduleById(id: string) {
    if (!OBJECT_ID.test(id)) return null
    if ((await this.layout()) === 'schedules') {
      const doc = await this.findOne(SCHEDULES, { _id: { $oid: id } }, {})
      return doc ? scheduleFromDoc(doc) : null
    }
    const doc = await this.findOne(HOLODULES, { _id: { $oid: id } }, {})
    return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
  }

  async findStreamers(group?: string) {
    const docs = await this.find(STREAMERS, {
      filter: group === undefined ? {} : { group },
      sort: { code: 1, _id: 1 },
    })
    return docs.map(streamerFromDoc)
  }

  async findStreamerById(id: string) {
    if (!OBJECT_ID.test(id)) return null
    const doc = await this.findOne(STREAMERS, { _id: { $oid: id } }, {})
    return doc ? streamerFromDoc(doc) : null
  }

  /** Inserts a document and answers it with the id the gateway gave it. */
  private async insert(collection: string, doc: JsonObject): Promise<JsonObject> {
    const r = await this.action<{ insertedId?: unknown }>('insertOne', collection, {
      document: ejsonDates(doc),
    })
    return { ...doc, _id: r.insertedId }
  }

  /** `$set` of the fields given, then the document as it is now; null when no such id. */
  private async update(collection: string, id: string, set: JsonObject): Promise<JsonObject | null> {
    if (!OBJECT_ID.test(id)) return null
    const filter = { _id: { $oid: id } }
    if (Object.keys(set).length > 0) {
      const r = await this.action<{ matchedCount?: unknown }>('updateOne', collection, {
        filter,
        update: { $set: ejsonDates(set) },
      })
      if (r.matchedCount !== 1) return null
    }
    return this.findOne(collection, filter, {})
  }

  private async remove(collection: string, id: string): Promise<boolean> {
    if (!OBJECT_ID.test(id)) return false
    const r = await this.action<{ deletedCount?: unknown }>('deleteOne', collection, {
      filter: { _id: { $oid: id } },
    })
    return r.deletedCount === 1
  }

  async insertSchedule(input: ScheduleInput) {
    if ((await this.layout()) === 'schedules')
      return scheduleFromDoc(await this.insert(SCHEDULES, scheduleDoc(input)))
    const doc = holoduleDoc(input)
    const stored = await this.insert(HOLODULES, { ...doc })
    return scheduleFromHolodule(String(stored._id), doc)
  }

  async updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    if ((await this.layout()) === 'schedules') {
      const doc = await this.update(SCHEDULES, id, scheduleDocFields(fields))
      return doc ? scheduleFromDoc(doc) : null
    }
    const doc = await this.update(HOLODULES, id, holoduleDocFields(fields))
    return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
  }

  async deleteSchedule(id: string) {
    return this.remove((await this.layout()) === 'schedules' ? SCHEDULES : HOLODULES, id)
  }

  async insertStreamer(input: StreamerInput) {
    return streamerFromDoc(await this.insert(STREAMERS, { ...input }))
  }

  async updateStreamer(id: string, fields: Partial<StreamerInput>) {
    const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
    const doc = await this.update(STREAMERS, id, set)
    return doc ? streamerFromDoc(doc) : null
  }

  async deleteStreamer(id: string) {
    return this.remove(STREAMERS, id)
  }

  async listAccounts() {
    const docs = await this.find(USERS, { filter: {}, projection: ACCOUNT_PROJECTION, sort: { username: 1 } })
    return docs.map(toAccount)
  }

  async findAccount(id: string) {
    if (!OBJECT_ID.test(id)) return null
    const doc = await this.findOne(USERS, { _id: { $oid: id } }, ACCOUNT_PROJECTION)
    return doc ? toAccount(doc) : null
  }

  async findAccountByUsername(username: string) {
    const doc = await this.findOne(USERS, { username }, ACCOUNT_PROJECTION)
    return doc ? toAccount(doc) : null
  }

  async updateAccount(id: string, change: AccountChange) {
    const doc = await this.update(USERS, id, accountSet(change))
    return doc ? toAccount(doc) : null
  }

  async removeAccount(id: string) {
    return this.remove(USERS, id)
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

  /**
   * One scan, then an `insertMany` per 50 new records and an `updateOne` by `_id` per changed one
   * (no bulkWrite in the Data API).
   */
  async upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void) {
    const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 }
    if (records.length === 0) return report
    const plan = schedulePlanner((await this.find(SCHEDULES, { filter: {} })).map(scheduleFromDoc))
    const idOf = (id: string) => (OBJECT_ID.test(id) ? { $oid: id } : id)
    for (let i = 0; i < records.length; i += 50) {
      const inserts: JsonObject[] = []
      for (const r of records.slice(i, i + 50)) {
        const step = plan(r)
        if (step.op === 'unchanged') report.unchanged++
        else if (step.op === 'insert')
          inserts.push(ejsonDates(step.id === undefined ? step.doc : { _id: idOf(step.id), ...step.doc }))
        else {
          const u = await this.action<{ matchedCount?: unknown }>('updateOne', SCHEDULES, {
            filter: { _id: idOf(step.id) },
            update: { $set: ejsonDates(step.set) },
          })
          if (u.matchedCount === 1) report.updated++
        }
      }
      if (inserts.length > 0) {
        const r = await this.action<{ insertedIds?: unknown }>('insertMany', SCHEDULES, {
          documents: inserts,
        })
        report.inserted += Array.isArray(r.insertedIds) ? r.insertedIds.length : inserts.length
      }
      onProgress?.(Math.min(i + 50, records.length))
    }
    return report
  }

  /** Each collection counted by an aggregation (the Data API has no count action). */
  async countDocuments(): Promise<CollectionCounts> {
    const count = async (collection: string) => {
      const r = await this.action<{ documents?: unknown }>('aggregate', collection, {
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

  /** The Data API has no index commands; `holodule db init` creates them through the driver. */
  async ensureIndexes(): Promise<void> {
    throw new Error('the Data API cannot create indexes: run `holodule db init` with MONGODB_URI')
  }

  /** Nothing to release: every call is a single fetch. */
  async close(): Promise<void> {}
}
