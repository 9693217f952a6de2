// The 2024 layout: the `schedules` collection, one document per stream with `streaming_at` a BSON
// date holding Japan's wall clock *as if it were UTC* (the 2024 collector's habit: 21:00 in Japan
// is stored as …T21:00:00Z), and `streamers`, one per member. Every conversion between the two
// layouts and the three generations' records lives here, once, for every backend.
import { nextDay } from '../days.js'
import type {
  HoloduleRecord,
  ScheduleInput,
  ScheduleQuery,
  ScheduleRecord,
  StreamerRecord,
} from '../records.js'

type Doc = Record<string, unknown>

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v))
const strOrNull = (v: unknown): string | null => (v == null ? null : str(v))

/** A BSON date (or the ISO string a gateway sends) as `YYYY-MM-DDTHH:MM:SS` of its UTC fields. */
export const isoWithoutOffset = (v: unknown): string | null => {
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null
  if (!d || Number.isNaN(d.getTime())) return null
  return d.toISOString().slice(0, 19)
}

/** `YYYYMMDD` → the instant whose UTC fields are that day's Japan midnight (the layout's habit). */
export const wallClockDay = (day: string): Date =>
  new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))))

/** `2024-01-10T21:00:00` → `20240110 210000`, the 2020 layout's `datetime`. */
export const datetimeOf = (streamingAt: string): string =>
  `${streamingAt.slice(0, 4)}${streamingAt.slice(5, 7)}${streamingAt.slice(8, 10)} ${streamingAt.slice(11, 13)}${streamingAt.slice(14, 16)}${streamingAt.slice(17, 19)}`

/** `20240110 210000` → `2024-01-10T21:00:00`. */
export const streamingAtOf = (datetime: string): string =>
  `${datetime.slice(0, 4)}-${datetime.slice(4, 6)}-${datetime.slice(6, 8)}T${datetime.slice(9, 11)}:${datetime.slice(11, 13)}:${datetime.slice(13, 15)}`

/** `key` as the 2024 collector derives it when it stores none: `code + "_" + YYYYMMDD_HHMMSS`. */
const keyOf = (code: string, streamingAt: string): string =>
  `${code}_${datetimeOf(streamingAt).replace(' ', '_')}`

/** A `schedules` document as the third generation's record; a stored `key` wins over the derived one. */
export const scheduleFromDoc = (doc: Doc): ScheduleRecord => {
  const code = str(doc.code)
  const streamingAt = isoWithoutOffset(doc.streaming_at) ?? ''
  return {
    id: str(doc._id),
    code,
    video_id: str(doc.video_id),
    streaming_at: streamingAt,
    name: str(doc.name),
    title: str(doc.title),
    url: str(doc.url),
    description: str(doc.description),
    published_at: isoWithoutOffset(doc.published_at),
    channel_id: strOrNull(doc.channel_id),
    channel_title: strOrNull(doc.channel_title),
    tags: Array.isArray(doc.tags) ? doc.tags.map(str) : [],
    key: typeof doc.key === 'string' && doc.key !== '' ? doc.key : keyOf(code, streamingAt),
  }
}

/**
 * A third-generation record (or an imported 2024 document) as the first two generations see it:
 * `datetime` derived, the 2024-only fields dropped.
 */
export const holoduleFromSchedule = (
  s: Pick<
    ScheduleRecord,
    'key' | 'code' | 'video_id' | 'streaming_at' | 'name' | 'title' | 'url' | 'description'
  >,
): HoloduleRecord => ({
  key: s.key,
  code: s.code,
  video_id: s.video_id,
  datetime: datetimeOf(s.streaming_at),
  name: s.name,
  title: s.title,
  url: s.url,
  description: s.description,
})

/**
 * A 2020 holodule as the third generation sees it: `streaming_at` from its `datetime`, `id` its
 * `_id`, and the fields the 2020 collector never wrote `null` or empty.
 */
export const scheduleFromHolodule = (id: string, h: HoloduleRecord): ScheduleRecord => ({
  id,
  code: h.code,
  video_id: h.video_id,
  streaming_at: streamingAtOf(h.datetime),
  name: h.name,
  title: h.title,
  url: h.url,
  description: h.description,
  published_at: null,
  channel_id: null,
  channel_title: null,
  tags: [],
  key: h.key,
})

/** `"['gen0', 'jp']"` (the older collector's Python repr) or an array → the array it means. */
export const affiliationsOf = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.map(str)
  if (typeof v !== 'string') return []
  const inner = v.trim().replace(/^\[/, '').replace(/\]$/, '').trim()
  if (inner === '') return []
  return inner.split(',').map((part) => part.trim().replace(/^(['"])(.*)\1$/, '$2'))
}

/** `"False"` / `"True"` (Python's str of a bool) or a boolean → the boolean it means. */
export const booleanOf = (v: unknown): boolean =>
  typeof v === 'boolean' ? v : typeof v === 'string' ? v.trim().toLowerCase() === 'true' : false

export const streamerFromDoc = (doc: Doc): StreamerRecord => ({
  id: str(doc._id),
  code: str(doc.code),
  name: str(doc.name),
  group: str(doc.group),
  affiliations: affiliationsOf(doc.affiliations),
  image_name: str(doc.image_name),
  channel_id: str(doc.channel_id),
  is_retired: booleanOf(doc.is_retired),
})

/** Text matched literally: every pattern character escaped (the 2024 service passed it raw). */
export const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

/** The filter parts both layouts share: codes and keyword. */
const codeAndKeyword = (q: ScheduleQuery): Doc => {
  const filter: Doc = {}
  if (q.codes) filter.code = { $in: q.codes }
  if (q.keyword !== undefined && q.keyword !== '') {
    const match = { $regex: escapeRegex(q.keyword), $options: 'i' }
    filter.$or = [{ title: match }, { name: match }, { description: match }]
  }
  return filter
}

/** `GET /schedules` on the 2024 layout: a range on `streaming_at` that its index serves, newest first. */
export const schedulesQuery = (q: ScheduleQuery) => {
  const range: Doc = {}
  if (q.from) range.$gte = wallClockDay(q.from)
  if (q.to) range.$lt = wallClockDay(nextDay(q.to))
  const filter = codeAndKeyword(q)
  if (q.from || q.to) filter.streaming_at = range
  return { filter, sort: { streaming_at: -1 as const, _id: -1 as const }, limit: q.limit }
}

/** `GET /schedules` on the 2020 layout: the same range on the `datetime` string. */
export const holodulesRangeQuery = (q: ScheduleQuery) => {
  const range: Doc = {}
  if (q.from) range.$gte = q.from
  if (q.to) range.$lt = nextDay(q.to)
  const filter = codeAndKeyword(q)
  if (q.from || q.to) filter.datetime = range
  return { filter, sort: { datetime: -1 as const, key: -1 as const }, limit: q.limit }
}

/** A day of the first two generations on the 2024 layout: `streaming_at` within that Japan day. */
export const scheduleDayQuery = (date: string) => schedulesQuery({ from: date, to: date, limit: 0 })

/** In memory: the same selection as the queries above, for the embedded store. */
export const matchesSchedule = (q: ScheduleQuery, s: ScheduleRecord): boolean => {
  const day = s.streaming_at.slice(0, 10).replaceAll('-', '')
  if (q.from && day < q.from) return false
  if (q.to && day > q.to) return false
  if (q.codes && !q.codes.includes(s.code)) return false
  if (q.keyword) {
    const k = q.keyword.toLowerCase()
    if (![s.title, s.name, s.description].some((t) => t.toLowerCase().includes(k))) return false
  }
  return true
}

/** A wall-clock `YYYY-MM-DDTHH:MM:SS` as the BSON date the 2024 collector stores for it. */
const wallClockDate = (iso: string): Date => new Date(`${iso}Z`)

/** The fields a writer sent, as the `schedules` collection stores them (dates as BSON dates). */
export const scheduleDocFields = (fields: Partial<ScheduleInput>): Doc => {
  const doc: Doc = {}
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue
    if (k === 'streaming_at') doc[k] = wallClockDate(v as string)
    else if (k === 'published_at') doc[k] = v === null ? null : new Date(`${v as string}Z`)
    else doc[k] = v
  }
  return doc
}

/** A new stream as a `schedules` document: `key` derived as the 2024 collector derives it. */
export const scheduleDoc = (input: ScheduleInput): Doc =>
  scheduleDocFields({ ...input, key: input.key ?? keyOf(input.code, input.streaming_at) })

/**
 * The fields a writer sent, as the 2020 `holodules` collection stores them: `datetime` from
 * `streaming_at`; the fields that layout never had (published_at, channel_*, tags) are not kept.
 */
export const holoduleDocFields = (fields: Partial<ScheduleInput>): Doc => {
  const doc: Doc = {}
  for (const k of ['key', 'code', 'video_id', 'name', 'title', 'url', 'description'] as const) {
    if (fields[k] !== undefined) doc[k] = fields[k]
  }
  if (fields.streaming_at !== undefined) doc.datetime = datetimeOf(fields.streaming_at)
  return doc
}

/** A new stream as a `holodules` document. */
export const holoduleDoc = (input: ScheduleInput): HoloduleRecord => {
  const datetime = datetimeOf(input.streaming_at)
  return {
    key: input.key ?? `${input.code}_${datetime.replace(' ', '_')}`,
    code: input.code,
    video_id: input.video_id,
    datetime,
    name: input.name,
    title: input.title,
    url: input.url,
    description: input.description,
  }
}
