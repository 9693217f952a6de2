// The 2020 layout: the `holodules` collection, one document per stream with a `datetime` string in
// Japan time. Its document shape and its day query live here, once, for every backend that reads it;
// the 2024 layout (`schedules`, `streamers`) gets a file of its own beside this one.
import { nextDay } from '../days.js'
import type { HoloduleRecord } from '../records.js'

/** `key` is `code + "_" + datetime` with the space replaced, as the old service wrote it. */
export const deriveKey = (code: string, datetime: string): string => `${code}_${datetime.replace(' ', '_')}`

/** Whether a stored row already holds exactly these fields (a re-import writes nothing for it). */
export const sameHolodule = (
  stored: Partial<Record<keyof HoloduleRecord, unknown>>,
  record: HoloduleRecord,
) => (Object.keys(record) as Array<keyof HoloduleRecord>).every((k) => stored[k] === record[k])

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

/** The day query's order, for records converted after the query: datetime, then key, both descending. */
export const newestFirst = <T extends { datetime: string; key: string }>(rows: T[]): T[] =>
  rows.sort((a, b) =>
    a.datetime === b.datetime
      ? a.key < b.key
        ? 1
        : a.key > b.key
          ? -1
          : 0
      : a.datetime < b.datetime
        ? 1
        : -1,
  )
