// The port between the app (and the CLI) and a database: one interface every backend implements.

import type { ScheduleImport } from './layouts/schedule-import.js'
import type {
  AccountChange,
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  ScheduleRecord,
  StreamerInput,
  StreamerRecord,
  UserAccount,
  UserRecord,
} from './records.js'

/**
 * Where the schedule is kept: `holodules` (2020–2023, `datetime` strings) or `schedules` (2024,
 * BSON dates, with `streamers`). Every generation's routes read whichever is in use.
 */
export type Layout = 'holodules' | 'schedules'
/** SCHEDULE_LAYOUT: a layout, or `auto` (`schedules` when that collection holds documents at start). */
export type LayoutSetting = Layout | 'auto'
export const LAYOUT_SETTINGS: readonly LayoutSetting[] = ['auto', 'holodules', 'schedules']

/** A MongoDB database name as the server, the gateway and its keys accept it. */
export const DB_NAME_PATTERN = /^[A-Za-z0-9_-]{1,63}$/

export interface UpsertReport {
  inserted: number
  updated: number
  /** Records that were stored already exactly as given: nothing written. */
  unchanged: number
}

/** How many documents each collection holds (`holodule status`). */
export interface CollectionCounts {
  holodules: number
  schedules: number
  streamers: number
  users: number
}

/**
 * The one port the app and the CLI talk to. Every adapter throws StoreUnavailableError when the
 * database cannot be reached, so the app can answer 503 without knowing which backend it has.
 */
export interface Store {
  findUserByUsername(username: string): Promise<UserRecord | null>
  /** Swaps `expected` for `hash` only if the record still holds `expected` (no lost update). */
  updatePasswordHash(username: string, expected: string, hash: string): Promise<boolean>
  /** Streams whose `datetime` starts with `date` (YYYYMMDD), newest first, `code` included. */
  findHolodulesByDate(date: string): Promise<HoloduleRecord[]>
  /** The layout in use, `auto` resolved (asked of the database once it answers). */
  layout(): Promise<Layout>
  /** Streams of the third generation's query, newest `streaming_at` first, at most `limit`. */
  findSchedules(query: ScheduleQuery): Promise<ScheduleRecord[]>
  /** One stream by its `_id`; null for an unknown id or one that is not an id at all. */
  findScheduleById(id: string): Promise<ScheduleRecord | null>
  /** Members, of one `group` when given, sorted by `code`. */
  findStreamers(group?: string): Promise<StreamerRecord[]>
  findStreamerById(id: string): Promise<StreamerRecord | null>
  /** A new stream in the layout in use; answers it as stored. */
  insertSchedule(input: ScheduleInput): Promise<ScheduleRecord>
  /** Only the fields given change; null when no such id. */
  updateSchedule(id: string, fields: Partial<ScheduleInput>): Promise<ScheduleRecord | null>
  deleteSchedule(id: string): Promise<boolean>
  insertStreamer(input: StreamerInput): Promise<StreamerRecord>
  updateStreamer(id: string, fields: Partial<StreamerInput>): Promise<StreamerRecord | null>
  deleteStreamer(id: string): Promise<boolean>
  ping(): Promise<void>

  /**
   * A new user. `createdAtMs` is recorded as its password's change (improved: a token of a removed
   * user of the same name, issued before it, in its second too, is refused instead of answering
   * again; users.ts tokensValidFrom).
   */
  addUser(username: string, passwordHash: string, createdAtMs?: number): Promise<UserRecord>
  /** Sets the password and records its change at `changedAtMs`, so every token issued before stops working. */
  setPassword(username: string, passwordHash: string, changedAtMs: number): Promise<boolean>
  removeUser(username: string): Promise<boolean>
  listUsers(): Promise<Array<Pick<UserRecord, 'id' | 'username'>>>
  /** Every user as the admin routes answer it, sorted by username. */
  listAccounts(): Promise<UserAccount[]>
  /** One user by its `_id`; null for an unknown id or one that is not an ObjectId. */
  findAccount(id: string): Promise<UserAccount | null>
  /** One user by name, as an account (`holodule user` and a POST /users answer). */
  findAccountByUsername(username: string): Promise<UserAccount | null>
  /** Only the fields given change; null when no such id. */
  updateAccount(id: string, change: AccountChange): Promise<UserAccount | null>
  removeAccount(id: string): Promise<boolean>
  /**
   * Inserts new keys and replaces changed rows, in one pass however many records (linear on
   * FerretDB too, which scans for anything but `_id`); `onProgress` hears how many are done.
   */
  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport>
  /**
   * The same into the `schedules` collection, whichever layout is in use (the CLI picks): a record
   * is the stream with its `key` (else its dump's `_id`); only the fields it gives change. One scan,
   * then batched writes by `_id`, as upsertHolodules.
   */
  upsertSchedules(records: ScheduleImport[], onProgress?: (done: number) => void): Promise<UpsertReport>
  countDocuments(): Promise<CollectionCounts>
  ensureIndexes(): Promise<void>
  close(): Promise<void>
}
