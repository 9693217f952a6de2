import { type Db, MongoClient, type MongoClientOptions } from 'mongodb'
import { StoreUnavailableError } from '../errors.js'
import type { FeedStore } from '../feeds.js'
import type { ScheduleImport } from '../layouts/schedule-import.js'
import type { LoginLimitersFor } from '../login-limiters.js'
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  StreamerInput,
} from '../records.js'
import type { Layout, LayoutSetting, Store, UpsertReport } from '../store.js'
import * as accounts from './accounts.js'
import type { MongoContext, UserDoc } from './context.js'
import { isUnavailable, reconnecting } from './errors.js'
import { MongoFeedStore } from './feeds.js'
import { countCollections, upsertHolodules, upsertScheduleDocs } from './import.js'
import { ensureIndexes } from './indexes.js'
import { mongoLoginLimiters } from './login-limiters.js'
import * as schedules from './schedules.js'
import * as users from './users.js'

/** Bounded waits: a dead database answers 503 in about two seconds instead of hanging a request. */
export const MONGO_CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 2000,
  connectTimeoutMS: 2000,
  socketTimeoutMS: 10_000,
  maxPoolSize: 50,
  appName: 'holodule-api',
}

/**
 * Past server selection (2 s), so the driver's own error usually wins; well under Bun.serve's 10 s
 * idle timeout. MONGODB_REQUEST_TIMEOUT_MS changes it.
 */
export const DEFAULT_REQUEST_DEADLINE_MS = 5000

/**
 * The store on the official driver. One MongoClient per process: it pools connections and
 * reconnects by itself, so the service recovers when the database comes back.
 *
 * Each method runs one part (users.ts, accounts.ts, schedules.ts, import.ts, indexes.ts) on the
 * store's context under run(): the request path's with the request deadline, the CLI's and the
 * admin routes' accounts without.
 */
export class MongoStore implements Store {
  private readonly ctx: MongoContext
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
    this.ctx = {
      db,
      users: db.collection<UserDoc>('users'),
      holodules: db.collection<HoloduleRecord>('holodules'),
      schedules: db.collection('schedules'),
      streamers: db.collection('streamers'),
      layout: () => this.layout(),
    }
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

  /** run() under the request deadline: what a client waits for. */
  private request<T>(op: () => Promise<T>): Promise<T> {
    return this.run(op, this.requestDeadlineMs)
  }

  layout(): Promise<Layout> {
    if (this.layoutSetting !== 'auto') return Promise.resolve(this.layoutSetting)
    if (!this.layoutChoice) {
      const choice = this.request(async () => {
        const one = await this.ctx.schedules.findOne({}, { projection: { _id: 1 } })
        return one ? 'schedules' : 'holodules'
      }) as Promise<Layout>
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

  findUserByUsername(username: string) {
    return this.request(() => users.findUserByUsername(this.ctx, username))
  }

  updatePasswordHash(username: string, expected: string, hash: string) {
    return this.request(() => users.updatePasswordHash(this.ctx, username, expected, hash))
  }

  findHolodulesByDate(date: string) {
    return this.request(() => schedules.findHolodulesByDate(this.ctx, date))
  }

  findSchedules(query: ScheduleQuery) {
    return this.request(() => schedules.findSchedules(this.ctx, query))
  }

  findScheduleById(id: string) {
    return this.request(() => schedules.findScheduleById(this.ctx, id))
  }

  findStreamers(group?: string) {
    return this.request(() => schedules.findStreamers(this.ctx, group))
  }

  findStreamerById(id: string) {
    return this.request(() => schedules.findStreamerById(this.ctx, id))
  }

  insertSchedule(input: ScheduleInput) {
    return this.request(() => schedules.insertSchedule(this.ctx, input))
  }

  updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    return this.request(() => schedules.updateSchedule(this.ctx, id, fields))
  }

  deleteSchedule(id: string) {
    return this.request(() => schedules.deleteSchedule(this.ctx, id))
  }

  insertStreamer(input: StreamerInput) {
    return this.request(() => schedules.insertStreamer(this.ctx, input))
  }

  updateStreamer(id: string, fields: Partial<StreamerInput>) {
    return this.request(() => schedules.updateStreamer(this.ctx, id, fields))
  }

  deleteStreamer(id: string) {
    return this.request(() => schedules.deleteStreamer(this.ctx, id))
  }

  listAccounts() {
    return this.run(() => accounts.listAccounts(this.ctx))
  }

  findAccount(id: string) {
    return this.run(() => accounts.findAccount(this.ctx, id))
  }

  findAccountByUsername(username: string) {
    return this.run(() => accounts.findAccountByUsername(this.ctx, username))
  }

  updateAccount(id: string, change: AccountChange) {
    return this.run(() => accounts.updateAccount(this.ctx, id, change))
  }

  removeAccount(id: string) {
    return this.run(() => accounts.removeAccount(this.ctx, id))
  }

  ping() {
    return this.request(async () => {
      await this.client.db('admin').command({ ping: 1 })
    })
  }

  addUser(username: string, passwordHash: string, createdAtMs?: number) {
    return this.run(() => users.addUser(this.ctx, username, passwordHash, createdAtMs))
  }

  setPassword(username: string, passwordHash: string, changedAtMs: number) {
    return this.run(() => users.setPassword(this.ctx, username, passwordHash, changedAtMs))
  }

  removeUser(username: string) {
    return this.run(() => users.removeUser(this.ctx, username))
  }

  listUsers() {
    return this.run(() => users.listUsers(this.ctx))
  }

  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return this.run(() => upsertHolodules(this.ctx.holodules, records, onProgress))
  }

  upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return this.run(() => upsertScheduleDocs(this.ctx.schedules, records, onProgress))
  }

  countDocuments() {
    return this.run(() => countCollections(this.db))
  }

  ensureIndexes() {
    return this.run(() => ensureIndexes(this.ctx, this.feeds()))
  }

  /** Calendar feeds in this database, under the same deadline, reconnect and error mapping. */
  feeds(): FeedStore {
    return new MongoFeedStore(this.db, (op) => this.request(op))
  }

  /**
   * The login counters in this database (rate-limiter-flexible on this client), each operation
   * under the same deadline, reconnect and error mapping as the store's own.
   */
  loginLimiters(): LoginLimitersFor {
    return mongoLoginLimiters(this.db, (op) => this.request(op))
  }

  close() {
    return this.driver.close()
  }
}
