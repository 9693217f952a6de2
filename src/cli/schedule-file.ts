// The 2024 collector's documents as a file (`holodule schedules import`): as it writes them, or as
// mongoexport dumps them (Extended JSON: `{"$oid": …}`, `{"$date": …}`).
import { z } from 'zod'
import { deriveKey } from '../store/layouts/holodules.js'
import type { ScheduleImport } from '../store/layouts/schedule-import.js'
import { datetimeOf } from '../store/layouts/schedules.js'
import { checkUrl, code, key, MAX, nullableText, text, videoId } from './fields.js'
import { type ParsedFile, parseRecordFile, requiredAs } from './record-file.js'

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/
const JAPAN_MS = 9 * 3600_000

/** `YYYY-MM-DDTHH:MM:SS` of a date's UTC fields. */
const fieldsOf = (d: Date): string => d.toISOString().slice(0, 19)

/** An Extended JSON date (`{"$date": "…"}`, `{"$date": 1704920400000}`, `{"$date": {"$numberLong": "…"}}`). */
const extendedDate = (v: unknown): Date | null => {
  if (typeof v !== 'object' || v === null || !('$date' in v)) return null
  const inner = (v as { $date: unknown }).$date
  const raw =
    typeof inner === 'object' && inner !== null && '$numberLong' in inner
      ? Number((inner as { $numberLong: unknown }).$numberLong)
      : inner
  const d = typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : null
  return d && !Number.isNaN(d.getTime()) ? d : null
}

/**
 * A datetime as `YYYY-MM-DDTHH:MM:SS`. A BSON date (`$date`), or text without an offset or with `Z`,
 * gives its own fields: for `streaming_at` that is Japan's wall clock, as the collector stores it.
 * Text with another offset is an instant, shown on `clock` (Japan for streaming_at, UTC otherwise).
 */
const datetime = (clockOffsetMs: number) =>
  z.unknown().transform((v, ctx) => {
    const fromDate = extendedDate(v)
    if (fromDate) return fieldsOf(fromDate)
    const m = typeof v === 'string' ? ISO.exec(v) : null
    const [, y, mo, d, h, mi, s = '00', offset] = m ?? []
    const fields = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)))
    const real = m !== null && fieldsOf(fields) === `${y}-${mo}-${d}T${h}:${mi}:${s}` && Number(h) < 24
    if (!real) {
      ctx.addIssue({
        code: 'custom',
        message: v === undefined ? 'is required' : 'must be an ISO date and time or {"$date": …}, a real one',
      })
      return z.NEVER
    }
    if (!offset || /^(Z|[+-]00:?00)$/.test(offset)) return fieldsOf(fields)
    return fieldsOf(new Date(new Date(v as string).getTime() + clockOffsetMs))
  })

const optionalText = (max: number) => text(max, 'a string or null').nullable().optional()

/** `{"$oid": "…"}` or the hex text of an ObjectId, as lowercase hex. */
const objectId = z
  .union([z.string(), z.object({ $oid: z.string() })], { error: 'must be an ObjectId or {"$oid": …}' })
  .transform((v, ctx) => {
    const hex = typeof v === 'string' ? v : v.$oid
    if (/^[0-9a-f]{24}$/i.test(hex)) return hex.toLowerCase()
    ctx.addIssue({ code: 'custom', message: 'must be 24 hexadecimal digits' })
    return z.NEVER
  })

/**
 * One stream as the 2024 collector writes it. Fields the file leaves out (published_at, channel_id,
 * channel_title, tags) stay as stored on a re-import; `key` is derived when absent.
 */
export const scheduleInputSchema = z
  .object({
    _id: objectId.optional(),
    key: key.optional(),
    code,
    video_id: videoId,
    streaming_at: datetime(JAPAN_MS),
    name: nullableText(MAX.name),
    title: nullableText(MAX.title),
    url: z.string(requiredAs('a string')),
    description: nullableText(MAX.description),
    published_at: datetime(0).nullable().optional(),
    channel_id: optionalText(MAX.other),
    channel_title: optionalText(MAX.other),
    tags: z
      .array(text(MAX.tags), { error: 'must be an array of strings' })
      .max(MAX.tags, `must have at most ${MAX.tags} tags`)
      .nullable()
      .optional(),
  })
  .superRefine(checkUrl)
  .transform(({ _id, key, tags, ...s }): ScheduleImport => {
    const record: ScheduleImport = {
      ...s,
      key: key ?? deriveKey(s.code, datetimeOf(s.streaming_at)),
      ...(tags === undefined ? {} : { tags: tags ?? [] }),
      ...(_id === undefined ? {} : { id: _id }),
    }
    for (const k of ['published_at', 'channel_id', 'channel_title'] as const)
      if (record[k] === undefined) delete record[k]
    return record
  })

/** A file of 2024 documents: see parseRecordFile; a `key`, and an `_id`, may appear once. */
export const parseScheduleFile = (content: string): ParsedFile<ScheduleImport> =>
  parseRecordFile(content, scheduleInputSchema, (r) => [
    ['key', r.key],
    ['_id', r.id],
  ])
