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
   * Seconds since the epoch when the password was last set (`password_changed_at`); tokens issued
   * before that second are refused. Absent on records the old service wrote and never changed.
   */
  passwordChangedAt?: number
}
