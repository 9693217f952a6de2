// Reading a file of records, whatever they are: a JSON array or JSON lines (read-input.ts reads it);
// every bad record rejected with where it is and why, the rest kept.
import type { z } from 'zod'
import { CliError } from './context.js'

export interface Rejection {
  /** `line 3` for JSON lines, `record 3` (index + 1) for a JSON array. */
  at: string
  reason: string
}

export interface ParsedFile<T> {
  format: 'json-lines' | 'json-array'
  records: T[]
  rejected: Rejection[]
}

/** `must be a string`, or `is required` when the field is absent: the wording of every file's schema. */
export const requiredAs = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
})

export const reasonOf = (error: z.ZodError): string =>
  error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

type Entry = { at: string; value: unknown; error?: string }

/** Fields that hold the rows when a whole file is one object: an API answer, a wrapped dump. */
const ROW_FIELDS = ['schedules', 'holodules', 'streamers', 'documents', 'records', 'items']

/**
 * A file that is one JSON object rather than rows (issue 21, item 8: `{"schedules": […]}` was read
 * as JSON lines, every line "not valid JSON"): refused whole, pointing at the field that holds the
 * rows. A one-line object with no such field is a JSON-lines file of one record.
 */
const refuseWholeObject = (body: string) => {
  let whole: unknown
  try {
    whole = JSON.parse(body)
  } catch {
    return
  }
  if (!isObject(whole)) return
  const rows = Object.entries(whole).find(
    ([k, v]) => Array.isArray(v) && v.every(isObject) && (v.length > 0 || ROW_FIELDS.includes(k)),
  )?.[0]
  if (rows === undefined && !body.trim().includes('\n')) return
  const hint =
    rows === undefined
      ? ''
      : ` (did you mean its ${JSON.stringify(rows)} field? jq '.${rows}' <file> gives it)`
  throw new CliError(`expected a JSON array of records or JSON lines, got one JSON object${hint}`)
}

const entriesOf = (content: string): { format: ParsedFile<unknown>['format']; entries: Entry[] } => {
  const body = content.replace(/^\uFEFF/, '')
  const entries: Entry[] = []
  if (body.trimStart().startsWith('{')) refuseWholeObject(body)
  if (body.trimStart().startsWith('[')) {
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
    return { format: 'json-array', entries }
  }
  body.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '') return
    try {
      entries.push({ at: `line ${i + 1}`, value: JSON.parse(line) })
    } catch {
      entries.push({ at: `line ${i + 1}`, value: undefined, error: 'not valid JSON' })
    }
  })
  return { format: 'json-lines', entries }
}

/**
 * Reads a JSON array (first non-blank character `[`) or JSON lines (one object per line, blank lines
 * ignored) through `schema`. A record whose identity (`key`, `code`, `_id`: what `identities` names)
 * repeats an earlier one's is rejected too, so the counts say what happened to each record.
 */
export const parseRecordFile = <T>(
  content: string,
  schema: z.ZodType<T>,
  identities: (record: T) => Array<[name: string, value: string | undefined]>,
): ParsedFile<T> => {
  const { format, entries } = entriesOf(content)
  const records: T[] = []
  const rejected: Rejection[] = []
  const firstSeen = new Map<string, string>()
  for (const { at, value, error } of entries) {
    if (error || !isObject(value)) {
      rejected.push({ at, reason: error ?? 'not a JSON object' })
      continue
    }
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      rejected.push({ at, reason: reasonOf(parsed.error) })
      continue
    }
    const ids = identities(parsed.data).filter((id): id is [string, string] => id[1] !== undefined)
    const repeat = ids.find(([name, v]) => firstSeen.has(`${name}\0${v}`))
    if (repeat) {
      const [name, v] = repeat
      rejected.push({ at, reason: `${name} ${JSON.stringify(v)} repeats ${firstSeen.get(`${name}\0${v}`)}` })
      continue
    }
    for (const [name, v] of ids) firstSeen.set(`${name}\0${v}`, at)
    records.push(parsed.data)
  }
  return { format, records, rejected }
}
