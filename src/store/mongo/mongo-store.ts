import {
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type Filter,
  MongoBulkWriteError,
  MongoClient,
  type MongoClientOptions,
  MongoServerError,
  ObjectId,
} from 'mongodb'
import { DuplicateUserError, StoreUnavailableError } from '../errors.js'
import type { FeedStore } from '../feeds.js'
import { dayQuery, newestFirst, sameHolodule, toHolodule } from '../layouts/holodules.js'
import type { ScheduleImport } from '../layouts/schedule-import.js'
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
import { LOGIN_ATTEMPTS, type LoginLimitersFor } from '../login-limiters.js'
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  StreamerInput,
  UserRecord,
} from '../records.js'
import type { Layout, LayoutSetting, Store, UpsertReport } from '../store.js'
import {
  ACCOUNT_PROJECTION,
  accountSet,
  nextUserId,
  passwordChange,
  toAccount,
  toUserRecord,
  USER_PROJECTION,
} from '../users.js'
import { DUPLICATE_KEY, isUnavailable, reconnecting } from './errors.js'
import { MongoFeedStore } from './feeds.js'
import { mongoLoginLimiters } from './login-limiters.js'
import { countCollections, upsertScheduleDocs } from './schedule-import.js'

/** Bounded waits: a dead database answers 503 in about two seconds instead of hanging a request. */
export const MONGO_CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 2000,
  connectTimeoutMS: 2000,
  socketTimeoutMS: 10_000,
  maxPoolSize: 50,
  appName: 'holodule-api',
}

export const UPSERT_BATCH = 50
/**
 * Past server selection (2 s), so the driver's own error usually wins; well under Bun.serve's 10 s
 * idle timeout. MONGODB_REQUEST_TIMEOUT_MS changes it.
 */
export const DEFAULT_REQUEST_DEADLINE_MS = 5000

interface UserDoc {
  id: string
  username: string
  password: string
}

/**
 * The store on the official driver. One MongoClient per process: it pools connections and
 * reconnects by itself, so the service recovers when the database comes back.
 */
export class MongoStore implements Store {
  private readonly users: Collection<UserDoc>
  private readonly holodules: Collection<HoloduleRecord>
  private readonly schedules: Collection
  private readonly streamers: Collection
  private readonly driver: ReturnType<typeof reconnecting>
  /** SCHEDULE_LAYOUT's `auto`, once the database has answered; forgotten on failure, so asked again. */
  private layoutChoice: Promise<Layout> | undefined

  constructor(
    private readonly client: MongoClient,
    /** The database, for what shares this connection (the login counters). */
    readonly db: Db,
    /** The bound on each request-path operation (see run()). */
    private readonly requestDeadlineMs = DEFAULT_REQUEST_DEADLINE_MS,
    /** SCHEDULE_LAYOUT; `onLayout` hears what `auto` chose (the entry logs it). */
    private readonly layoutSetting: LayoutSetting = 'auto',
    private readonly onLayout?: (layout: Layout) => void,
  ) {
    this.users = db.collection<UserDoc>('users')
    this.holodules = db.collection<HoloduleRecord>('holodules')
    this.schedules = db.collection('schedules')
    this.streamers = db.collection('streamers')
    // A server that started before its database recovers once the database is up.
    this.driver = reconnecting(client)
  }

  static connect(
    uri: string,
    dbName: string,
    options: MongoClientOptions = {},
    requestDeadlineMs = DEFAULT_REQUEST_DEADLINE_MS,
    layout: LayoutSetting = 'auto',
    onLayout?: (layout: Layout) => void,
  ): MongoStore {
    // No explicit connect(): the driver connects on first use, so start-up never blocks on the database.
    const client = new MongoClient(uri, { ...MONGO_CLIENT_OPTIONS, ...options })
    return new MongoStore(client, client.db(dbName), requestDeadlineMs, layout, onLayout)
  }

  /**
   * Runs an operation and turns "cannot reach the database" into the port's error. Request-path
   * calls also get a hard deadline: under Bun a pooled socket to a server that just died can stay
   * silent past every driver timeout, and a client must get its 503 instead of a hang.
   */
  private async run<T>(op: () => Promise<T>, deadlineMs?: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline =
      deadlineMs === undefined
        ? undefined
        : new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new StoreUnavailableError(`no answer from the database in ${deadlineMs} ms`)),
              deadlineMs,
            )
          })
    try {
      return await (deadline ? Promise.race([this.driver.run(op), deadline]) : this.driver.run(op))
    } catch (e) {
      if (isUnavailable(e)) throw new StoreUnavailableError((e as Error).message)
      throw e
    } finally {
      clearTimeout(timer)
    }
  }

  findUserByUsername(username: string) {
    return this.run(async () => {
      return toUserRecord(await this.users.findOne({ username }, { projection: USER_PROJECTION }))
    }, this.requestDeadlineMs)
  }

  updatePasswordHash(username: string, expected: string, hash: string) {
    return this.run(async () => {
      const r = await this.users.updateOne({ username, password: expected }, { $set: { password: hash } })
      return r.modifiedCount === 1
    }, this.requestDeadlineMs)
  }

  findHolodulesByDate(date: string) {
    return this.run(async () => {
      if ((await this.layout()) === 'schedules') {
        const { filter, sort } = scheduleDayQuery(date)
        const docs = await this.schedules.find(filter).sort(sort).toArray()
        return newestFirst(docs.map((d) => holoduleFromSchedule(scheduleFromDoc(d))))
      }
      const { filter, projection, sort } = dayQuery(date)
      const docs = await this.holodules.find(filter, { projection }).sort(sort).toArray()
      return docs.map(toHolodule)
    }, this.requestDeadlineMs)
  }

  layout(): Promise<Layout> {
    if (this.layoutSetting !== 'auto') return Promise.resolve(this.layoutSetting)
    if (!this.layoutChoice) {
      const choice = this.run(async () => {
        const one = await this.schedules.findOne({}, { projection: { _id: 1 } })
        return one ? 'schedules' : 'holodules'
      }, this.requestDeadlineMs) as Promise<Layout>
      this.layoutChoice = choice
      choice.then(
        (layout) => this.onLayout?.(layout),
        () => {
          this.layoutChoice = undefined
        },
      )
    }
    return this.layoutChoice
  }

  findSchedules(query: ScheduleQuery) {
    return this.run(async () => {
      if ((await this.layout()) === 'schedules') {
        const { filter, sort, limit } = schedulesQuery(query)
        const docs = await this.schedules.find(filter).sort(sort).limit(limit).toArray()
        return docs.map(scheduleFromDoc)
      }
      const { filter, sort, limit } = holodulesRangeQuery(query)
      const docs = await this.holodules.find(filter).sort(sort).limit(limit).toArray()
      return docs.map((d) => scheduleFromHolodule(String(d._id), toHolodule(d)))
    }, this.requestDeadlineMs)
  }

  findScheduleById(id: string) {
    return this.run(async () => {
      if (!ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null
      const _id = new ObjectId(id)
      if ((await this.layout()) === 'schedules') {
        const doc = await this.schedules.findOne({ _id })
        return doc ? scheduleFromDoc(doc) : null
      }
      const doc = await this.holodules.findOne({ _id } as Filter<HoloduleRecord>)
      return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
    }, this.requestDeadlineMs)
  }

  findStreamers(group?: string) {
    return this.run(async () => {
      const docs = await this.streamers
        .find(group === undefined ? {} : { group })
        .sort({ code: 1, _id: 1 })
        .toArray()
      return docs.map(streamerFromDoc)
    }, this.requestDeadlineMs)
  }

  findStreamerById(id: string) {
    return this.run(async () => {
      if (!/^[0-9a-f]{24}$/i.test(id)) return null
      const doc = await this.streamers.findOne({ _id: new ObjectId(id) })
      return doc ? streamerFromDoc(doc) : null
    }, this.requestDeadlineMs)
  }

  /** The id a path names, as the `_id` it means; null for anything that is not an ObjectId. */
  private static objectId(id: string): ObjectId | null {
    return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null
  }

  insertSchedule(input: ScheduleInput) {
    return this.run(async () => {
      if ((await this.layout()) === 'schedules') {
        const doc = scheduleDoc(input)
        const { insertedId } = await this.schedules.insertOne(doc)
        return scheduleFromDoc({ ...doc, _id: insertedId })
      }
      const doc = holoduleDoc(input)
      const { insertedId } = await this.holodules.insertOne({ ...doc })
      return scheduleFromHolodule(String(insertedId), doc)
    }, this.requestDeadlineMs)
  }

  updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      if (!_id) return null
      if ((await this.layout()) === 'schedules') {
        const set = scheduleDocFields(fields)
        const doc =
          Object.keys(set).length === 0
            ? await this.schedules.findOne({ _id })
            : await this.schedules.findOneAndUpdate({ _id }, { $set: set }, { returnDocument: 'after' })
        return doc ? scheduleFromDoc(doc) : null
      }
      const set = holoduleDocFields(fields)
      const filter = { _id } as Filter<HoloduleRecord>
      const doc =
        Object.keys(set).length === 0
          ? await this.holodules.findOne(filter)
          : await this.holodules.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'after' })
      return doc ? scheduleFromHolodule(id, toHolodule(doc)) : null
    }, this.requestDeadlineMs)
  }

  deleteSchedule(id: string) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      if (!_id) return false
      const deleted =
        (await this.layout()) === 'schedules'
          ? await this.schedules.deleteOne({ _id })
          : await this.holodules.deleteOne({ _id } as Filter<HoloduleRecord>)
      return deleted.deletedCount === 1
    }, this.requestDeadlineMs)
  }

  insertStreamer(input: StreamerInput) {
    return this.run(async () => {
      const doc = { ...input }
      const { insertedId } = await this.streamers.insertOne(doc)
      return streamerFromDoc({ ...doc, _id: insertedId })
    }, this.requestDeadlineMs)
  }

  updateStreamer(id: string, fields: Partial<StreamerInput>) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      if (!_id) return null
      const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
      const doc =
        Object.keys(set).length === 0
          ? await this.streamers.findOne({ _id })
          : await this.streamers.findOneAndUpdate({ _id }, { $set: set }, { returnDocument: 'after' })
      return doc ? streamerFromDoc(doc) : null
    }, this.requestDeadlineMs)
  }

  deleteStreamer(id: string) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      return _id ? (await this.streamers.deleteOne({ _id })).deletedCount === 1 : false
    }, this.requestDeadlineMs)
  }

  listAccounts() {
    return this.run(async () => {
      const docs = await this.users
        .find({}, { projection: ACCOUNT_PROJECTION })
        .sort({ username: 1 })
        .toArray()
      return docs.map((d) => toAccount(d as unknown as Record<string, unknown>))
    })
  }

  findAccount(id: string) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      const doc =
        _id && (await this.users.findOne({ _id } as Filter<UserDoc>, { projection: ACCOUNT_PROJECTION }))
      return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
    })
  }

  findAccountByUsername(username: string) {
    return this.run(async () => {
      const doc = await this.users.findOne({ username }, { projection: ACCOUNT_PROJECTION })
      return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
    })
  }

  updateAccount(id: string, change: AccountChange) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      if (!_id) return null
      const set = accountSet(change)
      if (Object.keys(set).length > 0) {
        const r = await this.users.updateOne({ _id } as Filter<UserDoc>, { $set: set })
        if (r.matchedCount !== 1) return null
      }
      const doc = await this.users.findOne({ _id } as Filter<UserDoc>, { projection: ACCOUNT_PROJECTION })
      return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
    })
  }

  removeAccount(id: string) {
    return this.run(async () => {
      const _id = MongoStore.objectId(id)
      return _id ? (await this.users.deleteOne({ _id } as Filter<UserDoc>)).deletedCount === 1 : false
    })
  }

  ping() {
    return this.run(async () => {
      await this.client.db('admin').command({ ping: 1 })
    }, this.requestDeadlineMs)
  }

  addUser(username: string, passwordHash: string) {
    return this.run(async () => {
      if (await this.users.findOne({ username })) throw new DuplicateUserError(username)
      const ids = await this.users.find({}, { projection: { _id: 0, id: 1 } }).toArray()
      const user: UserRecord = { id: nextUserId(ids), username, password: passwordHash }
      try {
        await this.users.insertOne({ ...user })
      } catch (e) {
        if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) throw new DuplicateUserError(username)
        throw e
      }
      return user
    })
  }

  setPassword(username: string, passwordHash: string, changedAtMs: number) {
    return this.run(async () => {
      const r = await this.users.updateOne({ username }, { $set: passwordChange(passwordHash, changedAtMs) })
      return r.matchedCount === 1
    })
  }

  removeUser(username: string) {
    return this.run(async () => (await this.users.deleteOne({ username })).deletedCount === 1)
  }

  listUsers() {
    return this.run(async () => {
      const docs = await this.users
        .find({}, { projection: { _id: 0, id: 1, username: 1 } })
        .sort({ username: 1 })
        .toArray()
      return docs.map((d) => ({ id: String(d.id ?? ''), username: d.username }))
    })
  }

  /**
   * One scan of the stored rows (`key` → `_id` and fields), then writes by `_id` only: FerretDB
   * pushes down nothing but `_id` equality, so an upsert filtered by `key` scanned the whole
   * collection for every record and an import was quadratic (under 10 rows/s at a few thousand).
   * Rows stored exactly as given are not written at all. A key inserted meanwhile by another
   * writer (duplicate key) is replaced by `key` instead.
   */
  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return this.run(async () => {
      const report = { inserted: 0, updated: 0, unchanged: 0 }
      if (records.length === 0) return report
      const stored = new Map<string, HoloduleRecord & { _id: unknown }>()
      for await (const doc of this.holodules.find(
        {},
        { projection: { ...dayQuery('').projection, _id: 1 } },
      )) {
        const row = doc as unknown as HoloduleRecord & { _id: unknown }
        if (typeof row.key === 'string') stored.set(row.key, row)
      }
      // FerretDB 1.x (SQLite) never answers one update command of 100+ statements that hit existing
      // documents (99 took 1.3 s, 100 hung past 60 s), so writes go in batches below that.
      for (let i = 0; i < records.length; i += UPSERT_BATCH) {
        const ops: AnyBulkWriteOperation<HoloduleRecord>[] = []
        for (const doc of records.slice(i, i + UPSERT_BATCH)) {
          const old = stored.get(doc.key)
          if (!old) ops.push({ insertOne: { document: { ...doc } } })
          else if (sameHolodule(old, doc)) report.unchanged++
          else
            ops.push({ replaceOne: { filter: { _id: old._id } as Filter<HoloduleRecord>, replacement: doc } })
        }
        if (ops.length > 0) await this.writeBatch(ops, report)
        onProgress?.(Math.min(i + UPSERT_BATCH, records.length))
      }
      return report
    })
  }

  private async writeBatch(ops: AnyBulkWriteOperation<HoloduleRecord>[], report: UpsertReport) {
    try {
      const r = await this.holodules.bulkWrite(ops, { ordered: false })
      report.inserted += r.insertedCount
      report.updated += r.matchedCount
    } catch (e) {
      if (!(e instanceof MongoBulkWriteError)) throw e
      report.inserted += e.result.insertedCount
      report.updated += e.result.matchedCount
      const raced = new Set(
        (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors])
          .filter((w) => w.code === DUPLICATE_KEY)
          .map((w) => w.index),
      )
      if (raced.size === 0 || raced.size !== (Array.isArray(e.writeErrors) ? e.writeErrors.length : 1))
        throw e
      for (const index of raced) {
        const op = ops[index]
        if (!op || !('insertOne' in op)) continue
        const doc = op.insertOne.document as HoloduleRecord
        await this.holodules.replaceOne({ key: doc.key }, doc, { upsert: true })
        report.updated++
      }
    }
  }

  upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return this.run(() => upsertScheduleDocs(this.schedules, records, onProgress))
  }

  countDocuments() {
    return this.run(() => countCollections(this.db))
  }

  ensureIndexes() {
    return this.run(async () => {
      await this.holodules.createIndex({ datetime: 1 }, { name: 'datetime_1' })
      await this.holodules.createIndex({ key: 1 }, { name: 'key_1', unique: true })
      await this.users.createIndex({ username: 1 }, { name: 'username_1', unique: true })
      // The 2024 layout: /schedules reads a range of streaming_at newest first (served by the
      // descending index, with `code $in` filtered on it), a group's codes from streamers.
      await this.schedules.createIndex({ streaming_at: -1 }, { name: 'streaming_at_-1' })
      await this.schedules.createIndex({ code: 1, streaming_at: -1 }, { name: 'code_1_streaming_at_-1' })
      await this.streamers.createIndex({ group: 1, code: 1 }, { name: 'group_1_code_1' })
      await this.streamers.createIndex({ code: 1 }, { name: 'code_1' })
      await this.feeds().ensureIndexes()
      // rate-limiter-flexible's schema for the login counters (store/login-limiters.ts).
      const attempts = this.db.collection(LOGIN_ATTEMPTS)
      try {
        await attempts.createIndex({ expire: -1 }, { name: 'expire_-1', expireAfterSeconds: 0 })
      } catch (e) {
        // FerretDB 1.x has no TTL indexes ("not implemented"). rate-limiter-flexible treats an
        // expired record as absent, so counting stays right; only the clean-up is lost there.
        if (!(e instanceof MongoServerError && /expireAfterSeconds/.test(e.message))) throw e
        await attempts.createIndex({ expire: -1 }, { name: 'expire_-1' })
      }
      await attempts.createIndex({ key: 1 }, { name: 'key_1', unique: true })
    })
  }

  /**
   * The login counters in this database (rate-limiter-flexible on this client), each operation
   * under the same deadline, reconnect and error mapping as the store's own.
   */
  /** Calendar feeds in this database, under the same deadline, reconnect and error mapping. */
  feeds(): FeedStore {
    return new MongoFeedStore(this.db, (op) => this.run(op, this.requestDeadlineMs))
  }

  loginLimiters(): LoginLimitersFor {
    return mongoLoginLimiters(this.db, (op) => this.run(op, this.requestDeadlineMs))
  }

  close() {
    return this.driver.close()
  }
}
