import { nextDay } from '../days.js'
import { DuplicateUserError } from '../errors.js'
import { sameHolodule, toHolodule } from '../layouts/holodules.js'
import { type ScheduleImport, schedulePlanner } from '../layouts/schedule-import.js'
import {
  holoduleDoc,
  holoduleDocFields,
  holoduleFromSchedule,
  matchesSchedule,
  scheduleDoc,
  scheduleDocFields,
  scheduleFromDoc,
  scheduleFromHolodule,
} from '../layouts/schedules.js'
import type {
  AccountChange,
  Holodule,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  ScheduleRecord,
  StreamerInput,
  StreamerRecord,
  UserAccount,
  UserRecord,
} from '../records.js'
import type { Layout, Store, UpsertReport } from '../store.js'
import { accountSet, nextUserId, passwordChange, toUserRecord } from '../users.js'

/** Same ordering as the MongoDB query: datetime, then key, both descending. */
const newestFirst = (a: Holodule, b: Holodule): number =>
  a.datetime === b.datetime ? (a.key < b.key ? 1 : a.key > b.key ? -1 : 0) : a.datetime < b.datetime ? 1 : -1

const streamingAtFirst = (a: ScheduleRecord, b: ScheduleRecord): number =>
  a.streaming_at === b.streaming_at ? (a.id < b.id ? 1 : -1) : a.streaming_at < b.streaming_at ? 1 : -1

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

/** The embedded default and the unit tests' store; holds everything in Maps. */
export class MemoryStore implements Store {
  private readonly users = new Map<string, UserRecord>()
  /** Each user's `_id` and the names only the admin routes read, by username. */
  private readonly accounts = new Map<
    string,
    { id: string; firstname: string | null; lastname: string | null }
  >()
  private readonly holodules = new Map<string, HoloduleRecord>()
  /** `_id` of each 2020 row by key, as a database would have given it one. */
  private readonly holoduleIds = new Map<string, string>()
  private readonly schedules = new Map<string, ScheduleRecord>()
  private streamers: StreamerRecord[]
  /** Ids made up for what a writer inserts, as a database would give one. */
  private nextId = 1
  private readonly layoutInUse: Layout

  constructor(seed: MemorySeed = {}) {
    for (const { firstname, lastname, ...u } of seed.users ?? []) {
      this.users.set(u.username, { ...u })
      Object.assign(this.accountOf(u.username, u.documentId), {
        firstname: firstname ?? null,
        lastname: lastname ?? null,
      })
    }
    for (const { _id, ...h } of seed.holodules ?? []) this.putHolodule({ ...h, key: toHolodule(h).key }, _id)
    for (const s of seed.schedules ?? []) this.schedules.set(s.id, { ...s })
    this.streamers = [...(seed.streamers ?? [])].sort((a, b) =>
      a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
    )
    this.layoutInUse = seed.layout ?? (this.schedules.size > 0 ? 'schedules' : 'holodules')
  }

  private putHolodule(h: HoloduleRecord, id?: string) {
    this.holodules.set(h.key, h)
    if (id !== undefined) this.holoduleIds.set(h.key, id)
    else if (!this.holoduleIds.has(h.key))
      this.holoduleIds.set(h.key, (this.holoduleIds.size + 1).toString(16).padStart(24, 'f'))
  }

  /** Every stream of the layout in use, as the third generation sees it. */
  private allSchedules(): ScheduleRecord[] {
    if (this.layoutInUse === 'schedules') return [...this.schedules.values()]
    return [...this.holodules.values()].map((h) =>
      scheduleFromHolodule(this.holoduleIds.get(h.key) ?? '', toHolodule(h)),
    )
  }

  async layout() {
    return this.layoutInUse
  }

  async findSchedules(query: ScheduleQuery) {
    return this.allSchedules()
      .filter((s) => matchesSchedule(query, s))
      .sort(streamingAtFirst)
      .slice(0, query.limit)
  }

  async findScheduleById(id: string) {
    return this.allSchedules().find((s) => s.id === id) ?? null
  }

  async findStreamers(group?: string) {
    return this.streamers.filter((s) => group === undefined || s.group === group).map((s) => ({ ...s }))
  }

  async findStreamerById(id: string) {
    const s = this.streamers.find((x) => x.id === id)
    return s ? { ...s } : null
  }

  async findUserByUsername(username: string) {
    const u = this.users.get(username)
    return u ? { ...u } : null
  }

  async updatePasswordHash(username: string, expected: string, hash: string) {
    const u = this.users.get(username)
    if (!u || u.password !== expected) return false
    u.password = hash
    return true
  }

  async findHolodulesByDate(date: string) {
    if (this.layoutInUse === 'schedules')
      return this.findSchedules({ from: date, to: date, limit: Number.MAX_SAFE_INTEGER }).then((rows) =>
        rows.map(holoduleFromSchedule).sort(newestFirst),
      )
    const end = nextDay(date)
    const out: HoloduleRecord[] = []
    for (const h of this.holodules.values()) {
      if (h.datetime >= date && h.datetime < end) out.push(toHolodule(h))
    }
    return out.sort(newestFirst)
  }

  async ping() {}

  async addUser(username: string, passwordHash: string) {
    if (this.users.has(username)) throw new DuplicateUserError(username)
    const user = { id: nextUserId(this.users.values()), username, password: passwordHash }
    this.users.set(username, user)
    this.accountOf(username)
    return { ...user }
  }

  async setPassword(username: string, passwordHash: string, changedAtMs: number) {
    const u = this.users.get(username)
    if (!u) return false
    // Through the same conversion as a stored document, so the three stores answer alike.
    const changed = toUserRecord({ ...u, _id: u.documentId, ...passwordChange(passwordHash, changedAtMs) })
    if (changed) this.users.set(username, changed)
    return true
  }

  async removeUser(username: string) {
    this.accounts.delete(username)
    return this.users.delete(username)
  }

  /** Sorted by username, as both MongoDB adapters sort (code-unit order, not locale). */
  private accountOf(username: string, id?: string) {
    let a = this.accounts.get(username)
    if (!a) {
      a = { id: id ?? this.newId(), firstname: null, lastname: null }
      this.accounts.set(username, a)
    }
    return a
  }

  private account(username: string): UserAccount | null {
    const u = this.users.get(username)
    if (!u) return null
    const { id, firstname, lastname } = this.accountOf(username)
    return { id, username, firstname, lastname, disabled: u.disabled === true, admin: u.admin === true }
  }

  private usernameOf(id: string): string | undefined {
    return [...this.accounts].find(([name, a]) => a.id === id && this.users.has(name))?.[0]
  }

  async listAccounts() {
    return (await this.listUsers()).flatMap((u) => this.account(u.username) ?? [])
  }

  async findAccount(id: string) {
    const name = this.usernameOf(id)
    return name === undefined ? null : this.account(name)
  }

  async findAccountByUsername(username: string) {
    return this.account(username)
  }

  async updateAccount(id: string, change: AccountChange) {
    const name = this.usernameOf(id)
    const u = name === undefined ? undefined : this.users.get(name)
    if (name === undefined || !u) return null
    const a = this.accountOf(name)
    if (change.firstname !== undefined) a.firstname = change.firstname
    if (change.lastname !== undefined) a.lastname = change.lastname
    const doc = { ...u, password_changed_at: u.passwordChangedAt, _id: a.id, ...accountSet(change) }
    const changed = toUserRecord(doc)
    if (changed) this.users.set(name, changed)
    return this.account(name)
  }

  async removeAccount(id: string) {
    const name = this.usernameOf(id)
    if (name === undefined) return false
    this.accounts.delete(name)
    return this.users.delete(name)
  }

  async listUsers() {
    return [...this.users.values()]
      .map(({ id, username }) => ({ id, username }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
  }

  async upsertHolodules(
    records: HoloduleRecord[],
    onProgress?: (done: number) => void,
  ): Promise<UpsertReport> {
    const report = { inserted: 0, updated: 0, unchanged: 0 }
    for (const r of records) {
      const stored = this.holodules.get(r.key)
      if (!stored) report.inserted++
      else if (sameHolodule(stored, r)) report.unchanged++
      else report.updated++
      this.putHolodule({ ...r })
    }
    onProgress?.(records.length)
    return report
  }

  /** Through the same planner as the databases, so the three stores count alike. */
  async upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void) {
    const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 }
    const plan = schedulePlanner(this.schedules.values())
    for (const r of records) {
      const step = plan(r)
      if (step.op === 'unchanged') report.unchanged++
      else if (step.op === 'update') {
        const { id, ...stored } = this.schedules.get(step.id) as ScheduleRecord
        this.schedules.set(id, scheduleFromDoc({ ...scheduleDoc(stored), ...step.set, _id: id }))
        report.updated++
      } else {
        const id = step.id ?? this.newId()
        this.schedules.set(id, scheduleFromDoc({ ...step.doc, _id: id }))
        report.inserted++
      }
    }
    onProgress?.(records.length)
    return report
  }

  async countDocuments() {
    return {
      holodules: this.holodules.size,
      schedules: this.schedules.size,
      streamers: this.streamers.length,
      users: this.users.size,
    }
  }

  private newId(): string {
    return `e${(this.nextId++).toString(16).padStart(23, '0')}`
  }

  private sortStreamers() {
    this.streamers.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  }

  /** Through the same conversions as a database's documents, so the stores answer alike. */
  async insertSchedule(input: ScheduleInput) {
    const id = this.newId()
    if (this.layoutInUse === 'schedules') {
      const s = scheduleFromDoc({ ...scheduleDoc(input), _id: id })
      this.schedules.set(id, s)
      return { ...s }
    }
    const h = holoduleDoc(input)
    this.putHolodule(h, id)
    return scheduleFromHolodule(id, h)
  }

  async updateSchedule(id: string, fields: Partial<ScheduleInput>) {
    if (this.layoutInUse === 'schedules') {
      const old = this.schedules.get(id)
      if (!old) return null
      const { id: _id, ...stored } = old
      const s = scheduleFromDoc({ ...scheduleDoc(stored), ...scheduleDocFields(fields), _id: id })
      this.schedules.set(id, s)
      return { ...s }
    }
    const key = [...this.holoduleIds].find(([, v]) => v === id)?.[0]
    const old = key === undefined ? undefined : this.holodules.get(key)
    if (key === undefined || !old) return null
    const h = toHolodule({ ...old, ...holoduleDocFields(fields) })
    this.holodules.delete(key)
    this.holoduleIds.delete(key)
    this.putHolodule(h, id)
    return scheduleFromHolodule(id, h)
  }

  async deleteSchedule(id: string) {
    if (this.layoutInUse === 'schedules') return this.schedules.delete(id)
    const key = [...this.holoduleIds].find(([, v]) => v === id)?.[0]
    if (key === undefined) return false
    this.holoduleIds.delete(key)
    return this.holodules.delete(key)
  }

  async insertStreamer(input: StreamerInput) {
    const s = { id: this.newId(), ...input }
    this.streamers.push(s)
    this.sortStreamers()
    return { ...s }
  }

  async updateStreamer(id: string, fields: Partial<StreamerInput>) {
    const i = this.streamers.findIndex((s) => s.id === id)
    const old = this.streamers[i]
    if (!old) return null
    const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
    const s: StreamerRecord = { ...old, ...defined, id }
    this.streamers[i] = s
    this.sortStreamers()
    return { ...s }
  }

  async deleteStreamer(id: string) {
    const before = this.streamers.length
    this.streamers = this.streamers.filter((s) => s.id !== id)
    return this.streamers.length < before
  }

  async ensureIndexes() {}
  async close() {}
}
