import type { ScheduleImport } from '../layouts/schedule-import.js'
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  StreamerInput,
  UserRecord,
} from '../records.js'
import type { CollectionCounts, Layout, LayoutSetting, Store, UpsertReport } from '../store.js'
import * as accounts from './accounts.js'
import { DataApiClient, type DataApiClientOptions, DataApiConfigError } from './client.js'
import { type DataApiContext, HOLODULES, SCHEDULES } from './context.js'
import { countDocuments, upsertHolodules, upsertSchedules } from './import.js'
import * as schedules from './schedules.js'
import * as users from './users.js'

/**
 * The store over HTTPS for runtimes without TCP sockets: each port method is one or a few Data API
 * v1 actions. Its semantics match MongoStore's (same filters, sorts, projections, compare-and-swap).
 * Each method runs one part (users.ts, accounts.ts, schedules.ts, import.ts) on the store's context.
 */
export class DataApiStore implements Store {
  /** The HTTP client under this store; the login counters share it (data-api/login-limiters.ts). */
  readonly client: DataApiClient

  /** SCHEDULE_LAYOUT's `auto`, once the gateway has answered; forgotten on failure, so asked again. */
  private layoutChoice: Promise<Layout> | undefined
  private readonly layoutSetting: LayoutSetting
  private readonly ctx: DataApiContext

  constructor(options: DataApiClientOptions & { layout?: LayoutSetting }) {
    this.client = new DataApiClient(options)
    this.layoutSetting = options.layout ?? 'auto'
    this.ctx = { client: this.client, layout: () => this.layout() }
  }

  layout(): Promise<Layout> {
    if (this.layoutSetting !== 'auto') return Promise.resolve(this.layoutSetting)
    if (!this.layoutChoice) {
      // A key granted no `schedules` (one made before the 2024 layout) reads the 2020 layout, as a
      // database without that collection does: an upgrade never turns every read into a 503.
      const choice: Promise<Layout> = this.client.findOne(SCHEDULES, {}, { _id: 1 }).then(
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

  findUserByUsername(username: string): Promise<UserRecord | null> {
    return users.findUserByUsername(this.ctx, username)
  }

  updatePasswordHash(username: string, expected: string, hash: string): Promise<boolean> {
    return users.updatePasswordHash(this.ctx, username, expected, hash)
  }

  findHolodulesByDate(date: string) {
    return schedules.findHolodulesByDate(this.ctx, date)
  }

  findSchedules(query: ScheduleQuery) {
    return schedules.findSchedules(this.ctx, query)
  }

  findScheduleById(id: string) {
    return schedules.findScheduleById(this.ctx, id)
  }

  findStreamers(group?: string) {
    return schedules.findStreamers(this.ctx, group)
  }

  findStreamerById(id: string) {
    return schedules.findStreamerById(this.ctx, id)
  }

  insertSchedule(input: ScheduleInput) {
    return schedules.insertSchedule(this.ctx, input)
  }

  updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    return schedules.updateSchedule(this.ctx, id, fields)
  }

  deleteSchedule(id: string) {
    return schedules.deleteSchedule(this.ctx, id)
  }

  insertStreamer(input: StreamerInput) {
    return schedules.insertStreamer(this.ctx, input)
  }

  updateStreamer(id: string, fields: Partial<StreamerInput>) {
    return schedules.updateStreamer(this.ctx, id, fields)
  }

  deleteStreamer(id: string) {
    return schedules.deleteStreamer(this.ctx, id)
  }

  listAccounts() {
    return accounts.listAccounts(this.ctx)
  }

  findAccount(id: string) {
    return accounts.findAccount(this.ctx, id)
  }

  findAccountByUsername(username: string) {
    return accounts.findAccountByUsername(this.ctx, username)
  }

  updateAccount(id: string, change: AccountChange) {
    return accounts.updateAccount(this.ctx, id, change)
  }

  removeAccount(id: string) {
    return accounts.removeAccount(this.ctx, id)
  }

  /** The Data API has no ping: a query that an index answers and that matches nothing. */
  async ping(): Promise<void> {
    await this.client.findOne(HOLODULES, { _id: null }, { _id: 1 })
  }

  addUser(username: string, passwordHash: string, createdAtMs?: number): Promise<UserRecord> {
    return users.addUser(this.ctx, username, passwordHash, createdAtMs)
  }

  setPassword(username: string, passwordHash: string, changedAtMs: number): Promise<boolean> {
    return users.setPassword(this.ctx, username, passwordHash, changedAtMs)
  }

  removeUser(username: string): Promise<boolean> {
    return users.removeUser(this.ctx, username)
  }

  listUsers() {
    return users.listUsers(this.ctx)
  }

  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return upsertHolodules(this.client, records, onProgress)
  }

  upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void) {
    return upsertSchedules(this.client, records, onProgress)
  }

  countDocuments(): Promise<CollectionCounts> {
    return countDocuments(this.client)
  }

  /** The Data API has no index commands; `holodule db init` creates them through the driver. */
  async ensureIndexes(): Promise<void> {
    throw new Error('the Data API cannot create indexes: run `holodule db init` with MONGODB_URI')
  }

  /** Nothing to release: every call is a single fetch. */
  async close(): Promise<void> {}
}
