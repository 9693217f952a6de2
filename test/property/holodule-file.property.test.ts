import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { CliError } from '#src/cli/context.js'
import { parseHoloduleFile } from '#src/cli/holodule-file.js'
import { anyString, fuzzParams } from './fuzz.js'

/**
 * Property tests of the import file reader (`holodule import`): whatever a file holds, it either
 * refuses the whole file with a CliError or accounts for every record, and no record it keeps could
 * be a bad row in the database. See test/property/fuzz.ts for the run budget.
 */

const RUNS = 200
const FIELDS = ['key', 'code', 'video_id', 'datetime', 'name', 'title', 'url', 'description'] as const

/** An independent oracle of `YYYYMMDD HHMMSS`: a real day (proleptic Gregorian) and a real time. */
const isRealDatetime = (s: string): boolean => {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2}) ([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
  return days !== undefined && d >= 1 && d <= days && h < 24 && mi < 60 && se < 60
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')

/** Independent oracles of the field rules (issue 19, item 7): ids, text without control characters. */
const isCode = (s: string) => /^[\w-]{1,32}$/.test(s)
const isVideoId = (s: string) => /^[\w-]{11}$/.test(s)
const hasControl = (s: string) =>
  Array.from(s).some((ch) => {
    const c = ch.codePointAt(0) as number
    return (c < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r') || c === 0x7f
  })
const isVideoUrl = (url: string, id: string) =>
  [
    `https://www.youtube.com/watch?v=${id}`,
    `https://youtube.com/watch?v=${id}`,
    `https://m.youtube.com/watch?v=${id}`,
    `https://youtu.be/${id}`,
  ].some((u) => url === u || url.startsWith(`${u}&`) || url.startsWith(`${u}?`)) ||
  /^https:\/\/(www\.|m\.)?youtube\.com\/(watch\?([\w-]+=[\w-]*&)*v=|live\/|shorts\/)/.test(url)

/** Datetimes: real ones, digit strings in the right shape (many not real), and anything. */
const datetime = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .date({
        min: new Date('0000-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((d) => {
        const iso = d.toISOString()
        return `${iso.slice(0, 10).replaceAll('-', '')} ${iso.slice(11, 19).replaceAll(':', '')}`
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
      )
      .map(
        ([y, mo, d, h, mi, s]) =>
          `${pad(y, 4)}${pad(mo, 2)}${pad(d, 2)} ${pad(h, 2)}${pad(mi, 2)}${pad(s, 2)}`,
      ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{8} \d{6}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '20201209_230000',
      '20201209 23000',
      ' 20201209 230000',
      '２０２０１２０９ ２３００００',
    ),
  },
  { weight: 1, arbitrary: anyString(16) },
)

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: anyString(12) },
  { weight: 1, arbitrary: fc.constantFrom('', '_', ' ') },
)
/** Sometimes not a string at all. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) })

/** Something close to a stream record, so many pass and the rest fail in one field or two. */
const recordLike = fc
  .record(
    {
      code: field(fc.oneof(fc.constantFrom('HL0503', 'HL0101'), text)),
      video_id: field(fc.oneof(fc.constant('yEttl2nfhsQ'), text)),
      datetime: field(datetime),
      name: field(text),
      title: field(text),
      url: field(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant('https://www.youtube.com/watch?v=yEttl2nfhsQ') },
          { weight: 1, arbitrary: fc.constantFrom('javascript:alert(1)', 'https://youtu.be/yEttl2nfhsQ') },
          { weight: 1, arbitrary: text },
        ),
      ),
      description: field(text),
      _id: fc.oneof(fc.constant({ $oid: '5fd0a0000000000000000000' }), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: ['code', 'video_id', 'datetime', 'name', 'title', 'url', 'description'] },
  )
  .chain((r) =>
    fc
      .oneof(
        // No key, the derived key, or another one.
        fc.constant(undefined),
        fc.constant(
          typeof r.code === 'string' && typeof r.datetime === 'string'
            ? `${r.code}_${r.datetime.replace(' ', '_')}`
            : undefined,
        ),
        field(text),
      )
      .map((key) => (key === undefined ? r : { key, ...r })),
  )

/** A value in a file: mostly records, sometimes any JSON at all. */
const entry = fc.oneof(
  { weight: 6, arbitrary: recordLike },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)

/** A line of a JSON-lines file: a value, a blank, or a line of anything. */
const line = fc.oneof(
  { weight: 6, arbitrary: entry.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\r', '\u00a0', '\u2028') },
  { weight: 2, arbitrary: anyString(30) },
)

const file = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
      .map(([lines, eol]) => lines.join(eol)),
  },
  {
    weight: 2,
    arbitrary: fc.array(entry, { maxLength: 12 }).map((values) => JSON.stringify(values, null, 1)),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: anyString(80) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[',
      '[]',
      '[1,',
      ' \n[{}]',
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      '\uFEFF[]',
    ),
  },
)

/** The file as it is on disk: sometimes with a byte-order mark or leading blanks. */
const content = fc
  .tuple(fc.constantFrom('', '', '\uFEFF', '\n\n', ' '), file)
  .map(([prefix, f]) => prefix + f)

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A file that is one JSON object holding rows (an array of objects, non-empty or under a rows
 * name) or spanning lines: refused whole (issue 21, item 8).
 */
const isWholeObject = (body: string): boolean => {
  if (!body.trimStart().startsWith('{')) return false
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    return false
  }
  if (!isObject(v)) return false
  const rows = Object.entries(v).some(
    ([k, a]) =>
      Array.isArray(a) &&
      a.every(isObject) &&
      (a.length > 0 || ['schedules', 'holodules', 'streamers', 'documents', 'records', 'items'].includes(k)),
  )
  return rows || body.trim().includes('\n')
}

/** How many entries the reader must account for: array elements, or non-blank lines. */
const entriesOf = (
  content: string,
): { format: 'json-array' | 'json-lines'; count: number } | 'object' | null => {
  const body = content.replace(/^\uFEFF/, '')
  if (isWholeObject(body)) return 'object'
  if (body.trimStart().startsWith('[')) {
    try {
      const v: unknown = JSON.parse(body)
      return Array.isArray(v) ? { format: 'json-array', count: v.length } : null
    } catch {
      return null
    }
  }
  return {
    format: 'json-lines',
    count: body.split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '').length,
  }
}

describe('parseHoloduleFile, any file', () => {
  it('throws nothing but CliError, accounts for every entry, and keeps only valid records', async () => {
    await fc.assert(
      fc.property(content, (c) => {
        const expected = entriesOf(c)
        let parsed: ReturnType<typeof parseHoloduleFile>
        try {
          parsed = parseHoloduleFile(c)
        } catch (e) {
          assert.ok(e instanceof CliError, `threw ${(e as Error).name}: ${(e as Error).message}`)
          // Only a file that starts as an array and is not one, or is one object, is refused whole.
          if (expected === 'object')
            assert.match(e.message, /^expected a JSON array of records or JSON lines/)
          else {
            assert.match(e.message, /^not a valid JSON array/)
            assert.equal(expected, null)
          }
          return
        }
        assert.ok(expected && expected !== 'object', 'a file that is not a JSON array was read as one')
        assert.equal(parsed.format, expected.format)
        assert.equal(parsed.records.length + parsed.rejected.length, expected.count)

        const label = parsed.format === 'json-array' ? /^record [1-9]\d*$/ : /^line [1-9]\d*$/
        const places = parsed.rejected.map((r) => r.at)
        assert.equal(new Set(places).size, places.length, 'each entry rejected once')
        for (const r of parsed.rejected) {
          assert.match(r.at, label)
          assert.equal(typeof r.reason, 'string')
          assert.ok(r.reason.length > 0)
        }

        const keys = new Set<string>()
        for (const rec of parsed.records) {
          assert.deepEqual(Object.keys(rec), [
            'key',
            'code',
            'video_id',
            'datetime',
            'name',
            'title',
            'url',
            'description',
          ])
          for (const f of FIELDS) assert.equal(typeof rec[f], 'string', f)
          assert.ok(isCode(rec.code), `kept code ${JSON.stringify(rec.code)}`)
          assert.ok(isVideoId(rec.video_id), `kept video_id ${JSON.stringify(rec.video_id)}`)
          assert.ok(isVideoUrl(rec.url, rec.video_id), `kept url ${JSON.stringify(rec.url)}`)
          for (const f of ['name', 'title', 'description'] as const)
            assert.ok(!hasControl(rec[f]), `kept a control character in ${f}`)
          assert.ok(isRealDatetime(rec.datetime), `kept datetime ${JSON.stringify(rec.datetime)}`)
          assert.equal(rec.key, `${rec.code}_${rec.datetime.slice(0, 8)}_${rec.datetime.slice(9)}`)
          assert.ok(!keys.has(rec.key), `key ${rec.key} kept twice`)
          keys.add(rec.key)
        }
      }),
      fuzzParams(RUNS),
    )
  })

  it('keeps every valid record of a file, as it was written', async () => {
    const clean = (n: number) => anyString(n).filter((s) => !hasControl(s))
    const valid = fc
      .record({
        code: fc.stringMatching(/^[\w-]{1,8}$/),
        video_id: fc.stringMatching(/^[\w-]{11}$/),
        datetime: datetime.filter(isRealDatetime),
        name: clean(10),
        title: clean(10),
        host: fc.constantFrom(
          'https://www.youtube.com/watch?v=',
          'https://youtu.be/',
          'https://m.youtube.com/live/',
        ),
        description: clean(20),
      })
      .map(({ host, ...r }) => ({
        code: r.code,
        video_id: r.video_id,
        datetime: r.datetime,
        name: r.name,
        title: r.title,
        url: `${host}${r.video_id}`,
        description: r.description,
      }))
    await fc.assert(
      fc.property(
        fc.uniqueArray(valid, {
          maxLength: 10,
          selector: (r) => `${r.code}_${r.datetime.replace(' ', '_')}`,
        }),
        fc.boolean(),
        (records, asArray) => {
          const c = asArray ? JSON.stringify(records) : records.map((r) => JSON.stringify(r)).join('\n')
          const parsed = parseHoloduleFile(c)
          assert.deepEqual(parsed.rejected, [])
          assert.deepEqual(
            parsed.records,
            records.map((r) => ({ key: `${r.code}_${r.datetime.replace(' ', '_')}`, ...r })),
          )
        },
      ),
      fuzzParams(RUNS),
    )
  })
})
