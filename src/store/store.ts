/** A stream as the API returns it; the key order is the wire order. */
export interface Holodule {
  key: string
  video_id: string
  datetime: string
  name: string
  title: string
  url: string
  description: string
}

/** A stream as it is stored: `code` is kept so `key` can be derived when a legacy row lacks it. */
export interface HoloduleRecord extends Holodule {
  code: string
}

export interface UserRecord {
  id: string
  username: string
  /** A PHC hash string, or the plain text a legacy record still holds. */
  password: string
  /**
   * Seconds since the epoch when the password was last set (`password_changed_at`); tokens issued
   * before that second are refused. Absent on records the old service wrote and never changed.
   */
  passwordChangedAt?: number
}

/** A MongoDB database name as the server, the gateway and its keys accept it. */
export const DB_NAME_PATTERN = /^[A-Za-z0-9_-]{1,63}$/

export interface UpsertReport {
  inserted: number
  updated: number
  /** Records that were stored already exactly as given: nothing written. */
  unchanged: number
}

/** Whether a stored row already holds exactly these fields (a re-import writes nothing for it). */
export const sameHolodule = (
  stored: Partial<Record<keyof HoloduleRecord, unknown>>,
  record: HoloduleRecord,
) => (Object.keys(record) as Array<keyof HoloduleRecord>).every((k) => stored[k] === record[k])

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
  ping(): Promise<void>

  addUser(username: string, passwordHash: string): Promise<UserRecord>
  /** Sets the password and the second it changed (`changedAtMs`), so older tokens stop working. */
  setPassword(username: string, passwordHash: string, changedAtMs: number): Promise<boolean>
  removeUser(username: string): Promise<boolean>
  listUsers(): Promise<Array<Pick<UserRecord, 'id' | 'username'>>>
  /**
   * Inserts new keys and replaces changed rows, in one pass however many records (linear on
   * FerretDB too, which scans for anything but `_id`); `onProgress` hears how many are done.
   */
  upsertHolodules(records: HoloduleRecord[], onProgress?: (done: number) => void): Promise<UpsertReport>
  ensureIndexes(): Promise<void>
  close(): Promise<void>
}

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
  /**
   * True when the database (or the gateway before it) refused our credentials: not an outage that
   * passes but a deployment mistake an operator must mend, logged as an error rather than a warning.
   */
  readonly misconfigured: boolean = false
}

export class DuplicateUserError extends Error {
  override name = 'DuplicateUserError'
  constructor(username: string) {
    super(`user ${JSON.stringify(username)} already exists`)
  }
}

/** `key` is `code + "_" + datetime` with the space replaced, as the old service wrote it. */
export const deriveKey = (code: string, datetime: string): string => `${code}_${datetime.replace(' ', '_')}`

const utcDay = (date: string, offsetDays = 0): Date => {
  const d = new Date(0)
  d.setUTCFullYear(
    Number(date.slice(0, 4)),
    Number(date.slice(4, 6)) - 1,
    Number(date.slice(6, 8)) + offsetDays,
  )
  return d
}

const formatDay = (d: Date): string =>
  String(d.getUTCFullYear()).padStart(4, '0') +
  String(d.getUTCMonth() + 1).padStart(2, '0') +
  String(d.getUTCDate()).padStart(2, '0')

/** True for `YYYYMMDD` naming a day that exists (no 20210230). */
export const isCalendarDate = (date: string): boolean =>
  /^\d{8}$/.test(date) && formatDay(utcDay(date)) === date

/** The exclusive upper bound of a day's range on the `datetime` string. */
export const nextDay = (date: string): string => formatDay(utcDay(date, 1))

/**
 * The day query both MongoDB adapters send: a range on the `datetime` string that the
 * `datetime_1` index serves (never a regex built from input), newest first, wire fields only.
 */
export const dayQuery = (date: string) => ({
  filter: { datetime: { $gte: date, $lt: nextDay(date) } },
  projection: {
    _id: 0,
    key: 1,
    code: 1,
    video_id: 1,
    datetime: 1,
    name: 1,
    title: 1,
    url: 1,
    description: 1,
  },
  sort: { datetime: -1, key: -1 } as { datetime: -1; key: -1 },
})

/**
 * Turns whatever a document holds into a record, in the second generation's wire order (the first
 * generation's drops `code`); legacy rows may lack `key`.
 */
export const toHolodule = (doc: Partial<Record<keyof HoloduleRecord, unknown>>): HoloduleRecord => {
  const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v))
  const datetime = str(doc.datetime)
  const code = str(doc.code)
  return {
    key: typeof doc.key === 'string' && doc.key !== '' ? doc.key : deriveKey(code, datetime),
    code,
    video_id: str(doc.video_id),
    datetime,
    name: str(doc.name),
    title: str(doc.title),
    url: str(doc.url),
    description: str(doc.description),
  }
}
