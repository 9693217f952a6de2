import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CliError } from '#src/cli/context.js'
import { parseHoloduleFile } from '#src/cli/holodule-file.js'
import { parseScheduleFile } from '#src/cli/schedule-file.js'

const row = {
  code: 'HL0503',
  video_id: 'yEttl2nfhsQ',
  datetime: '20201209 230000',
  name: 'n',
  title: 't',
  url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
  description: '',
}
const refused = (content: string, message: string) =>
  assert.throws(
    () => parseHoloduleFile(content),
    (e: unknown) => e instanceof CliError && e.message === message,
    content.slice(0, 40),
  )

test('a file that is one JSON object is refused whole, pointing at the field holding the rows', () => {
  // An API answer saved as it came (GET /schedules), pretty-printed and on one line.
  refused(
    JSON.stringify({ schedules: [row, row] }, null, 2),
    `expected a JSON array of records or JSON lines, got one JSON object (did you mean its "schedules" field? jq '.schedules' <file> gives it)`,
  )
  refused(
    JSON.stringify({ result: 1, holodules: [row] }),
    `expected a JSON array of records or JSON lines, got one JSON object (did you mean its "holodules" field? jq '.holodules' <file> gives it)`,
  )
  refused(
    JSON.stringify({ streamers: [] }),
    `expected a JSON array of records or JSON lines, got one JSON object (did you mean its "streamers" field? jq '.streamers' <file> gives it)`,
  )
  refused(JSON.stringify(row, null, 2), 'expected a JSON array of records or JSON lines, got one JSON object')
})

test('a one-line object is still a JSON-lines file of one record, arrays of strings and all', () => {
  assert.equal(parseHoloduleFile(JSON.stringify(row)).records.length, 1)
  const doc = {
    code: 'HL0001',
    video_id: 'aaaaaaaaaa1',
    streaming_at: '2024-01-11T21:00:00',
    name: 'n',
    title: 't',
    url: 'https://youtu.be/aaaaaaaaaa1',
    description: 'd',
    tags: ['a', 'b'],
  }
  const parsed = parseScheduleFile(`${JSON.stringify(doc)}\n`)
  assert.deepEqual(parsed.rejected, [])
  assert.equal(parsed.records.length, 1)
})
