import { toHolodule } from '../layouts/holodules.js'
import type { ScheduleImport } from '../layouts/schedule-import.js'
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  ScheduleRecord,
  StreamerInput,
  StreamerRecord,
  UserRecord,
} from '../records.js'
import type { Layout, Store, UpsertReport } from '../store.js'
import * as accounts from './accounts.js'
import { accountOf, type MemoryData, putHolodule } from './data.js'
import { countDocuments, upsertHolodules, upsertSchedules } from './import.js'
import * as schedules from './schedules.js'
import * as users from './users.js'

export interface MemorySeed {
  /** Users; `firstname`/`lastname` as the 2024 service stored them, read by the admin routes only. */
  users?: Array<UserRecord & { firstname?: string; lastname?: string }>
  /** The 2020 layout's rows; `_id` as a database would hold it (absent: one is made up). */
  holodules?: Array<HoloduleRecord & { _id?: string }>
  /** The 2024 layout's rows, as the third generation answers them. */
  schedules?: ScheduleRecord[]
  streamers?: StreamerRecord[]
  /** Absent: `schedules` when seeded with schedules, else `holodules` (SCHEDULE_LAYOUT=auto). */
  layout?: Layout
}

/**
 * The embedded default and the unit tests' store; holds everything in Maps (data.ts). Each method
 * runs one part (users.ts, accounts.ts, schedules.ts, import.ts) on them.
 */
export class MemoryStore implements Store {
  private readonly data: MemoryData

  constructor(seed: MemorySeed = {}) {
    const d: MemoryData = {
      users: new Map(),
      accounts: new Map(),
      holodules: new Map(),
      holoduleIds: new Map(),
      schedules: new Map(),
      streamers: [],
      nextId: 1,
      layoutInUse: seed.layout ?? ((seed.schedules ?? []).length > 0 ? 'schedules' : 'holodules'),
    }
    for (const { firstname, lastname, ...u } of seed.users ?? []) {
      d.users.set(u.username, { ...u })
      Object.assign(accountOf(d, u.username, u.documentId), {
        firstname: firstname ?? null,
        lastname: lastname ?? null,
      })
    }
    for (const { _id, ...h } of seed.holodules ?? []) putHolodule(d, { ...h, key: toHolodule(h).key }, _id)
    for (const s of seed.schedules ?? []) d.schedules.set(s.id, { ...s })
    d.streamers = [...(seed.streamers ?? [])].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    this.data = d
  }

  async layout() {
    return this.data.layoutInUse
  }

  findSchedules(query: ScheduleQuery) {
    return schedules.findSchedules(this.data, query)
  }

  findScheduleById(id: string) {
    return schedules.findScheduleById(this.data, id)
  }

  findStreamers(group?: string) {
    return schedules.findStreamers(this.data, group)
  }

  findStreamerById(id: string) {
    return schedules.findStreamerById(this.data, id)
  }

  findUserByUsername(username: string) {
    return users.findUserByUsername(this.data, username)
  }

  updatePasswordHash(username: string, expected: string, hash: string) {
    return users.updatePasswordHash(this.data, username, expected, hash)
  }

  findHolodulesByDate(date: string) {
    return schedules.findHolodulesByDate(this.data, date, this)
  }

  async ping() {}

  addUser(username: string, passwordHash: string, createdAtMs?: number) {
    return users.addUser(this.data, username, passwordHash, createdAtMs)
  }

  setPassword(username: string, passwordHash: string, changedAtMs: number) {
    return users.setPassword(this.data, username, passwordHash, changedAtMs)
  }

  removeUser(username: string) {
    return users.removeUser(this.data, username)
  }

  listAccounts() {
    return accounts.listAccounts(this.data, this)
  }

  findAccount(id: string) {
    return accounts.findAccount(this.data, id)
  }

  findAccountByUsername(username: string) {
    return accounts.findAccountByUsername(this.data, username)
  }

  updateAccount(id: string, change: AccountChange) {
    return accounts.updateAccount(this.data, id, change)
  }

  removeAccount(id: string) {
    return accounts.removeAccount(this.data, id)
  }

  listUsers() {
    return users.listUsers(this.data)
  }

  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport> {
    return upsertHolodules(this.data, records, onProgress)
  }

  upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void) {
    return upsertSchedules(this.data, records, onProgress)
  }

  countDocuments() {
    return countDocuments(this.data)
  }

  insertSchedule(input: ScheduleInput) {
    return schedules.insertSchedule(this.data, input)
  }

  updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    return schedules.updateSchedule(this.data, id, fields)
  }

  deleteSchedule(id: string) {
    return schedules.deleteSchedule(this.data, id)
  }

  insertStreamer(input: StreamerInput) {
    return schedules.insertStreamer(this.data, input)
  }

  updateStreamer(id: string, fields: Partial<StreamerInput>) {
    return schedules.updateStreamer(this.data, id, fields)
  }

  deleteStreamer(id: string) {
    return schedules.deleteStreamer(this.data, id)
  }

  async ensureIndexes() {}
  async close() {}
}
