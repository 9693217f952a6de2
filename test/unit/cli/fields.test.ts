import assert from 'node:assert/strict'
import { test } from 'node:test'
import { youtubeVideoOf } from '#src/cli/fields.js'
import { parseHoloduleFile } from '#src/cli/holodule-file.js'
import { parseScheduleFile } from '#src/cli/schedule-file.js'
import { parseStreamerFile } from '#src/cli/streamer-file.js'

const base = {
  code: 'HL0503',
  video_id: 'yEttl2nfhsQ',
  datetime: '20201209 230000',
  name: '尾丸ポルカ',
  title: 't',
  url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
  description: 'line one\nline two\twith a tab',
}
const reasons = (content: string) => parseHoloduleFile(content).rejected.map((r) => `${r.at}: ${r.reason}`)
const lines = (...rows: object[]) => rows.map((r) => JSON.stringify({ ...base, ...r })).join('\n')

test('the URLs the collectors stored are YouTube video pages over https; nothing else is', () => {
  for (const [url, id] of [
    ['https://www.youtube.com/watch?v=yEttl2nfhsQ', 'yEttl2nfhsQ'],
    ['https://youtube.com/watch?v=yEttl2nfhsQ&t=42s', 'yEttl2nfhsQ'],
    ['https://m.youtube.com/watch?feature=share&v=yEttl2nfhsQ', 'yEttl2nfhsQ'],
    ['https://youtu.be/yEttl2nfhsQ', 'yEttl2nfhsQ'],
    ['https://www.youtube.com/live/yEttl2nfhsQ', 'yEttl2nfhsQ'],
    ['https://www.youtube.com/shorts/yEttl2nfhsQ?si=x', 'yEttl2nfhsQ'],
  ])
    assert.equal(youtubeVideoOf(url as string), id, url)
  for (const url of [
    'javascript:alert(1)//https://www.youtube.com/watch?v=yEttl2nfhsQ',
    'http://www.youtube.com/watch?v=yEttl2nfhsQ',
    'https://www.youtube.com.evil.example/watch?v=yEttl2nfhsQ',
    'https://evil.example/watch?v=yEttl2nfhsQ',
    'https://user:pw@www.youtube.com/watch?v=yEttl2nfhsQ',
    'https://www.youtube.com:8443/watch?v=yEttl2nfhsQ',
    'https://www.youtube.com/watch?v=<script>',
    'https://www.youtube.com/watch?v=short',
    'https://www.you\ntube.com/watch?v=yEttl2nfhsQ',
    'https://www.youtube.com/channel/UC1234567890',
    `https://www.youtube.com/watch?v=yEttl2nfhsQ&x=${'a'.repeat(3000)}`,
    'data:text/html,<script>alert(1)</script>',
    '',
  ])
    assert.equal(youtubeVideoOf(url), null, url)
})

test('holodules import: ids patterned, text capped, no control characters; each reason names the field', () => {
  assert.deepEqual(reasons(lines({})), [])
  assert.deepEqual(
    reasons(
      lines(
        { url: 'javascript:alert(document.cookie)' },
        { url: 'https://www.youtube.com/watch?v=aaaaaaaaaa1' },
        { code: '<img src=x onerror=alert(1)>' },
        { code: 'C'.repeat(100_000) },
        { video_id: '<b>x</b>', url: 'https://youtu.be/yEttl2nfhsQ' },
        { video_id: 'yEttl2nfhs', code: 'A' },
        { title: 'a\u0000b', code: 'B' },
        { name: 'n'.repeat(201), code: 'D' },
        { description: 'd'.repeat(10_001), code: 'E' },
        { key: 'F_20201209_230000<', code: 'F' },
      ),
    ),
    [
      'line 1: url: must be an https YouTube URL of the video (https://www.youtube.com/watch?v=<video_id>)',
      'line 2: url: names video "aaaaaaaaaa1", not video_id\'s',
      'line 3: code: must be 1 to 32 letters, digits, _ or - (like HL0503)',
      'line 4: code: must be 1 to 32 letters, digits, _ or - (like HL0503)',
      'line 5: video_id: must be a YouTube video id: 11 of A-Z, a-z, 0-9, _ and -',
      'line 6: video_id: must be a YouTube video id: 11 of A-Z, a-z, 0-9, _ and -',
      'line 7: title: holds a control character (U+0000) at character 2',
      'line 8: name: must be at most 200 characters',
      'line 9: description: must be at most 10000 characters',
      'line 10: key: must be 1 to 64 letters, digits, _ or -',
    ],
  )
  // Every code and id of the collectors' member lists and of the seeds passes.
  for (const code of ['HL0000', 'HL0G02', 'HLDI00', 'HLEN15', 'HLID09', 'HS0101', 'EN0001', 'ZZ9803'])
    assert.deepEqual(reasons(lines({ code })), [], code)
})

test('schedules and streamers imports: the same rules on their fields', () => {
  const doc = {
    code: 'HL0001',
    video_id: 'aaaaaaaaaa1',
    streaming_at: '2024-01-11T21:00:00',
    name: 'n',
    title: 't',
    url: 'https://www.youtube.com/watch?v=aaaaaaaaaa1',
    description: null,
    tags: ['a'],
    channel_id: 'UC1',
  }
  const schedules = parseScheduleFile(
    [
      doc,
      {
        ...doc,
        code: 'HL0002',
        video_id: 'aaaaaaaaaa2',
        url: 'https://youtu.be/aaaaaaaaaa2',
        channel_title: null,
      },
      { ...doc, code: 'HL0003', video_id: 'aaaaaaaaaa3', url: 'vbscript:x' },
      {
        ...doc,
        code: 'HL0004',
        video_id: 'aaaaaaaaaa4',
        url: 'https://youtu.be/aaaaaaaaaa4',
        tags: ['\u0000'],
      },
      {
        ...doc,
        code: 'HL0005',
        video_id: 'aaaaaaaaaa5',
        url: 'https://youtu.be/aaaaaaaaaa5',
        channel_title: 'c\u0007',
      },
    ]
      .map((d) => JSON.stringify(d))
      .join('\n'),
  )
  assert.equal(schedules.records.length, 2)
  assert.deepEqual(
    schedules.rejected.map((r) => `${r.at}: ${r.reason}`),
    [
      'line 3: url: must be an https YouTube URL of the video (https://www.youtube.com/watch?v=<video_id>)',
      'line 4: tags.0: holds a control character (U+0000) at character 1',
      'line 5: channel_title: holds a control character (U+0007) at character 2',
    ],
  )
  const streamers = parseStreamerFile(
    JSON.stringify([
      { code: 'HL0001', name: 'n', group: 'hololive' },
      { code: 'HL 0002', name: 'n', group: 'hololive' },
      { code: 'HL0003', name: 'n\u0000', group: 'hololive' },
      { code: 'HL0004', name: 'n', group: 'g'.repeat(201) },
    ]),
  )
  assert.equal(streamers.records.length, 1)
  assert.deepEqual(
    streamers.rejected.map((r) => `${r.at}: ${r.reason}`),
    [
      'record 2: code: must be 1 to 32 letters, digits, _ or - (like HL0503)',
      'record 3: name: holds a control character (U+0000) at character 2',
      'record 4: group: must be at most 200 characters',
    ],
  )
})
