import { z } from 'zod'
import { isCalendarDate } from '../store/days.js'
import { deriveKey } from '../store/layouts/holodules.js'
import type { HoloduleRecord } from '../store/records.js'
import { CliError } from './context.js'

export interface Rejection {
  /** `line 3` for JSON lines, `record 3` (index + 1) for a JSON array. */
  at: string
  reason: string
}

export interface ParsedFile {
  format: 'json-lines' | 'json-array'
  records: HoloduleRecord[]
  rejected: Rejection[]
}

const text = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) })

const isRealTime = (hhmmss: string): boolean =>
  Number(hhmmss.slice(0, 2)) < 24 && Number(hhmmss.slice(2, 4)) < 60 && Number(hhmmss.slice(4, 6)) < 60

/** One stream as the old service stored it; unknown fields (such as a mongoexport `_id`) are dropped. */
export const holoduleInputSchema = z
  .object({
    key: text('a string').optional(),
    code: text('a string').min(1, 'must not be empty'),
    video_id: text('a string').min(1, 'must not be empty'),
    datetime: text('a string')
      .regex(/^\d{8} \d{6}$/, { message: 'must be "YYYYMMDD HHMMSS"', abort: true })
      .refine((v) => isCalendarDate(v.slice(0, 8)) && isRealTime(v.slice(9)), 'is not a real date and time'),
    name: text('a string'),
    title: text('a string'),
    url: text('a string'),
    description: text('a string'),
  })
  .superRefine((h, ctx) => {
    const expected = deriveKey(h.code, h.datetime)
    if (h.key !== undefined && h.key !== expected)
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `must be ${JSON.stringify(expected)} (code_date_time)`,
      })
  })
  .transform(
    (h): HoloduleRecord => ({
      key: deriveKey(h.code, h.datetime),
      code: h.code,
      video_id: h.video_id,
      datetime: h.datetime,
      name: h.name,
      title: h.title,
      url: h.url,
      description: h.description,
    }),
  )

const reasonOf = (error: z.ZodError): string =>
  error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads a JSON array (first non-blank character `[`) or JSON lines (one object per line, blank lines
 * ignored). Every bad record is rejected with its position and reason; the rest are kept. A key that
 * repeats within the file is rejected too, so the counts say what happened to each record.
 */
export const parseHoloduleFile = (content: string): ParsedFile => {
  const body = content.replace(/^\uFEFF/, '')
  const entries: Array<{ at: string; value: unknown; error?: string }> = []
  let format: ParsedFile['format'] = 'json-lines'

  if (body.trimStart().startsWith('[')) {
    format = 'json-array'
    let values: unknown
    try {
      values = JSON.parse(body)
    } catch (e) {
      throw new CliError(`not a valid JSON array: ${(e as Error).message.split('\n')[0]}`)
    }
    if (!Array.isArray(values)) throw new CliError('not a valid JSON array')
    values.forEach((value, i) => {
      entries.push({ at: `record ${i + 1}`, value })
    })
  } else {
    body.split('\n').forEach((raw, i) => {
      const line = raw.replace(/\r$/, '')
      if (line.trim() === '') return
      try {
        entries.push({ at: `line ${i + 1}`, value: JSON.parse(line) })
      } catch {
        entries.push({ at: `line ${i + 1}`, value: undefined, error: 'not valid JSON' })
      }
    })
  }

  const records: HoloduleRecord[] = []
  const rejected: Rejection[] = []
  const firstSeen = new Map<string, string>()
  for (const { at, value, error } of entries) {
    if (error) {
      rejected.push({ at, reason: error })
      continue
    }
    if (!isObject(value)) {
      rejected.push({ at, reason: 'not a JSON object' })
      continue
    }
    const parsed = holoduleInputSchema.safeParse(value)
    if (!parsed.success) {
      rejected.push({ at, reason: reasonOf(parsed.error) })
      continue
    }
    const seen = firstSeen.get(parsed.data.key)
    if (seen) {
      rejected.push({ at, reason: `key ${JSON.stringify(parsed.data.key)} repeats ${seen}` })
      continue
    }
    firstSeen.set(parsed.data.key, at)
    records.push(parsed.data)
  }
  return { format, records, rejected }
}
