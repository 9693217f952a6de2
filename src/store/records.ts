// What the store hands the app, whatever the layout a database holds: the records and their wire order.

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
   * `password_changed_at`: the first whole second (since the epoch) after the password was last set
   * or the user created (users.ts tokensValidFrom); tokens whose `iat` is earlier are refused, those
   * issued in the second of the change included. Absent on records the old service wrote and never
   * changed. (Records written before this rule hold the second of the change itself.)
   */
  passwordChangedAt?: number
  /** `"disabled": true` (the 2024 service's flag): refused by every generation. */
  disabled?: boolean
  /** May write the schedule, the streamers and the users (`"admin": true`, set with the CLI). */
  admin?: boolean
  /** A disabled user's document `_id` as text: the third generation's `Inactive user` names it. */
  documentId?: string
}

/**
 * A stream as the third generation answers it (`GET /schedules`), from either layout; the key order
 * is the wire order. Datetimes are ISO 8601 without offset, as the 2024 service printed them:
 * `streaming_at` on Japan's wall clock, `published_at` in UTC.
 */
export type ScheduleRecord = {
  id: string
  code: string
  video_id: string
  streaming_at: string
  name: string
  title: string
  url: string
  description: string
  published_at: string | null
  channel_id: string | null
  channel_title: string | null
  tags: string[]
  key: string
}

/** A member as `GET /streamers` answers it; the key order is the wire order. */
export type StreamerRecord = {
  id: string
  code: string
  name: string
  group: string
  affiliations: string[]
  image_name: string
  channel_id: string
  is_retired: boolean
}

/** What `GET /schedules` asks of a store, its parameters already checked and resolved. */
export interface ScheduleQuery {
  /** First Japan day, `YYYYMMDD`, inclusive. */
  from?: string
  /** Last Japan day, `YYYYMMDD`, inclusive. */
  to?: string
  /** Only these codes; absent: any code. */
  codes?: string[]
  /** Case-insensitive text in title, name or description, matched as text (never a pattern). */
  keyword?: string
  limit: number
}

/** What a writer sends for a stream: the record less its id; `key` derived when absent. */
export type ScheduleInput = Omit<ScheduleRecord, 'id' | 'key'> & { key?: string }
/** What a writer sends for a member: the record less its id. */
export type StreamerInput = Omit<StreamerRecord, 'id'>

/** A user as the third generation's admin routes answer it: never the password. */
export type UserAccount = {
  id: string
  username: string
  firstname: string | null
  lastname: string | null
  disabled: boolean
  admin: boolean
}

/** What an admin may change of a user; `password` is a hash already, with the second it changed. */
export type AccountChange = {
  firstname?: string | null
  lastname?: string | null
  disabled?: boolean
  admin?: boolean
  password?: { hash: string; changedAtMs: number }
}
