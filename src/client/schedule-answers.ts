// The third generation's answers read into the client's types: streams, members, token refusals.
import { type Answer, field, text } from './answers.js'

/**
 * One stream as the third generation (`GET /schedules`, `/schedules/{id}`) sends it, key for key.
 * `streaming_at` is Japan's wall clock without an offset (`2024-01-10T21:00:00`); `published_at` is
 * UTC without an offset; both as the 2024 service printed them.
 */
export interface ScheduleItem {
  readonly id: string
  readonly code: string
  readonly video_id: string
  readonly streaming_at: string
  readonly name: string
  readonly title: string
  readonly url: string
  readonly description: string
  readonly published_at: string | null
  readonly channel_id: string | null
  readonly channel_title: string | null
  readonly tags: readonly string[]
  /** `code_YYYYMMDD_HHMMSS`, as the first two generations' `key`. */
  readonly key: string
}

/** One member as the third generation (`GET /streamers`, `/streamers/{id}`) sends it, key for key. */
export interface Streamer {
  readonly id: string
  readonly code: string
  readonly name: string
  /** `hololive`, `hololive_en`, `hololive_id`, `hololive_DEV_IS`, … */
  readonly group: string
  readonly affiliations: readonly string[]
  readonly image_name: string
  readonly channel_id: string
  readonly is_retired: boolean
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined

const texts = (value: unknown): readonly string[] =>
  Object.freeze(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])

const nullableText = (r: Record<string, unknown>, name: string): string | null => {
  const value = r[name]
  return typeof value === 'string' ? value : null
}

/** A stream of the third generation; undefined when a field that identifies it is not a string. */
export const toScheduleItem = (value: unknown): ScheduleItem | undefined => {
  const r = record(value)
  if (!r) return undefined
  for (const name of ['id', 'code', 'streaming_at', 'key']) if (typeof r[name] !== 'string') return undefined
  return Object.freeze({
    id: r.id as string,
    code: r.code as string,
    video_id: text(r, 'video_id'),
    streaming_at: r.streaming_at as string,
    name: text(r, 'name'),
    title: text(r, 'title'),
    url: text(r, 'url'),
    description: text(r, 'description'),
    published_at: nullableText(r, 'published_at'),
    channel_id: nullableText(r, 'channel_id'),
    channel_title: nullableText(r, 'channel_title'),
    tags: texts(r.tags),
    key: r.key as string,
  })
}

/** A member of the third generation; undefined when its id or code is not a string. */
export const toStreamer = (value: unknown): Streamer | undefined => {
  const r = record(value)
  if (!r || typeof r.id !== 'string' || typeof r.code !== 'string') return undefined
  return Object.freeze({
    id: r.id,
    code: r.code,
    name: text(r, 'name'),
    group: text(r, 'group'),
    affiliations: texts(r.affiliations),
    image_name: text(r, 'image_name'),
    channel_id: text(r, 'channel_id'),
    is_retired: r.is_retired === true,
  })
}

/** The items of `{"<name>": [...]}`, each read by `read`; undefined when the body or an item is off. */
export const listOf = <T>(
  body: unknown,
  name: string,
  read: (item: unknown) => T | undefined,
): T[] | undefined => {
  const list = record(body)?.[name]
  if (!Array.isArray(list)) return undefined
  const items: T[] = []
  for (const value of list) {
    const item = read(value)
    if (item === undefined) return undefined
    items.push(item)
  }
  return items
}

/** The third generation's one refusal of a token it was sent (the 2024 service's words). */
export const isRefusedBearer = (a: Answer): boolean =>
  a.status === 401 && field(a.body, 'message') === 'Could not validate credentials'

/**
 * Whether a JWT's `exp` has passed by this machine's clock: the third generation's 401 does not say
 * why a token was refused. False when the token cannot be read (not a JWT, no numeric `exp`).
 */
export const hasExpired = (token: string | undefined, nowMs = Date.now()): boolean => {
  const payload = token?.split('.')[1]
  if (!payload) return false
  try {
    const base64 = payload.replaceAll('-', '+').replaceAll('_', '/')
    const exp = (JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as { exp?: unknown })
      .exp
    return typeof exp === 'number' && exp * 1000 <= nowMs
  } catch {
    return false
  }
}
