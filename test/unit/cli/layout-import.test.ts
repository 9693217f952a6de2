import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import { COMMANDS } from '#src/cli/commands.js'
import { type CliContext, CliError, type CommandInput } from '#src/cli/context.js'
import { parseScheduleFile } from '#src/cli/schedule-file.js'
import { parseStreamerFile } from '#src/cli/streamer-file.js'
import { MemoryFeedStore } from '#src/store/memory/feeds.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { LayoutSetting } from '#src/store/store.js'

const sink = () => {
  let text = ''
  const write = (s: string) => {
    text += s
    return true
  }
  const stream = { write, isTTY: false } as unknown as NodeJS.WriteStream
  return { stream, text: () => text }
}

/** Runs one command of the table on a MemoryStore, as runCli would on MongoStore. */
const run = async (
  store: MemoryStore,
  name: string,
  args: string[],
  options: { flags?: CommandInput['flags']; stdin?: string; layout?: LayoutSetting } = {},
) => {
  const out = sink()
  const err = sink()
  const ctx: CliContext = {
    env: {},
    io: {
      stdin: Readable.from([options.stdin ?? '']) as unknown as NodeJS.ReadStream,
      stdout: out.stream,
      stderr: err.stream,
    },
    mongoConfig: () => ({
      uri: 'mongodb://u:pw@db:27017/',
      db: 'holoduledb',
      source: 'MONGODB_URI',
      passwordIterations: 1,
    }),
    layoutSetting: () => options.layout ?? 'auto',
    store: async () => store,
    feeds: async () => new MemoryFeedStore(),
    serveGateway: async () => {},
    loginCounters: () => Promise.reject(new Error('no login counters here')),
  }
  const code = await (COMMANDS[name]?.run({ args, flags: options.flags ?? {} }, ctx) ?? Promise.reject(name))
  return { code: typeof code === 'number' ? code : 0, stdout: out.text(), stderr: err.text() }
}

/** An 11-character YouTube video id for stream n, and its page. */
const vid = (n: number) => `vid${n}`.padEnd(11, '_')
const url = (n: number) => `https://www.youtube.com/watch?v=${vid(n)}`
const doc = (n: number, extra: Record<string, unknown> = {}) => ({
  _id: { $oid: n.toString(16).padStart(24, '0') },
  code: 'HL0001',
  video_id: vid(n),
  streaming_at: { $date: `2024-01-1${n}T21:00:00.000Z` },
  name: 'n',
  title: `title ${n}`,
  url: url(n),
  description: 'd',
  published_at: { $date: '2024-01-05T03:00:00Z' },
  channel_id: 'UC1',
  channel_title: 'c',
  tags: ['a'],
  ...extra,
})
const lines = (...docs: object[]) => docs.map((d) => JSON.stringify(d)).join('\n')

describe('the 2024 collector file', () => {
  test('Extended JSON and plain ISO text, key stored or derived, _id kept as hex', () => {
    const { records, rejected } = parseScheduleFile(
      lines(
        doc(1, { key: 'stored_key' }),
        { ...doc(2), _id: undefined, streaming_at: '2024-01-12T21:00:00' },
        { ...doc(3), streaming_at: '2024-01-13T12:00:00+00:00', published_at: null, tags: undefined },
        { ...doc(4), streaming_at: '2024-01-14T12:00:00.5+09:00', published_at: '2024-01-05T12:00:00+09:00' },
        { ...doc(5), streaming_at: { $date: { $numberLong: String(Date.UTC(2024, 0, 15, 1, 2, 3)) } } },
      ),
    )
    assert.deepEqual(rejected, [])
    assert.deepEqual(records[0], {
      code: 'HL0001',
      video_id: vid(1),
      streaming_at: '2024-01-11T21:00:00',
      name: 'n',
      title: 'title 1',
      url: url(1),
      description: 'd',
      published_at: '2024-01-05T03:00:00',
      channel_id: 'UC1',
      channel_title: 'c',
      key: 'stored_key',
      tags: ['a'],
      id: '000000000000000000000001',
    })
    assert.equal(records[1]?.key, 'HL0001_20240112_210000')
    assert.equal(records[1]?.id, undefined)
    assert.equal(records[2]?.streaming_at, '2024-01-13T12:00:00')
    assert.equal(records[2]?.published_at, null)
    assert.ok(!('tags' in (records[2] ?? {})), 'absent tags are left as stored')
    assert.equal(records[3]?.streaming_at, '2024-01-14T12:00:00', '+09:00 is Japan time already')
    assert.equal(records[3]?.published_at, '2024-01-05T03:00:00', 'published_at in UTC')
    assert.equal(records[4]?.streaming_at, '2024-01-15T01:02:03')
  })

  test('bad fields, repeated keys and _ids are rejected with their line', () => {
    const { records, rejected } = parseScheduleFile(
      lines(
        doc(1),
        { ...doc(2), streaming_at: '2024-02-30T10:00:00' },
        { ...doc(3), _id: { $oid: 'zz' } },
        { ...doc(4), tags: 'a' },
        { ...doc(5), key: 'HL0001_20240111_210000' },
        { ...doc(1), key: 'other' },
        { ...doc(6), video_id: undefined },
      ),
    )
    assert.equal(records.length, 1)
    assert.deepEqual(
      rejected.map((r) => `${r.at}: ${r.reason}`),
      [
        'line 2: streaming_at: must be an ISO date and time or {"$date": …}, a real one',
        'line 3: _id: must be 24 hexadecimal digits',
        'line 4: tags: must be an array of strings',
        'line 5: key "HL0001_20240111_210000" repeats line 1',
        'line 6: _id "000000000000000000000001" repeats line 1',
        'line 7: video_id: is required',
      ],
    )
  })

  test("streamers: the older collector's strings read as what they mean; a code once", () => {
    const { records, rejected } = parseStreamerFile(
      JSON.stringify([
        { code: 'HL0002', name: 'n', group: 'hololive', affiliations: "['gen0', 'jp']", is_retired: 'False' },
        { code: 'EN0001', name: 'n', group: 'hololive_en', affiliations: [], is_retired: true },
        { code: 'HL0002', name: 'x', group: 'hololive' },
        { code: 'X', name: 'n', group: 'g', is_retired: 'maybe' },
      ]),
    )
    assert.deepEqual(records[0], {
      code: 'HL0002',
      name: 'n',
      group: 'hololive',
      affiliations: ['gen0', 'jp'],
      image_name: '',
      channel_id: '',
      is_retired: false,
    })
    assert.equal(records[1]?.is_retired, true)
    assert.deepEqual(
      rejected.map((r) => r.at),
      ['record 3', 'record 4'],
    )
  })
})

describe('imports write the layout in use', () => {
  test('schedules import on the 2024 layout: by key, idempotent, only the fields given change', async () => {
    const store = new MemoryStore({ layout: 'schedules' })
    const first = await run(store, 'schedules import', ['-'], { stdin: lines(doc(1), doc(2)) })
    assert.equal(first.stdout, 'inserted 2, updated 0, unchanged 0, rejected 0\n')
    assert.equal((await store.findScheduleById('000000000000000000000001'))?.title, 'title 1')
    const again = await run(store, 'schedules import', ['-'], { stdin: lines(doc(1), doc(2)) })
    assert.equal(again.stdout, 'inserted 0, updated 0, unchanged 2, rejected 0\n')
    const changed = await run(store, 'schedules import', ['-'], {
      stdin: lines({ ...doc(1), title: 'renamed', tags: undefined }, { ...doc(2), _id: undefined }),
    })
    assert.equal(changed.stdout, 'inserted 0, updated 1, unchanged 1, rejected 0\n')
    const one = await store.findScheduleById('000000000000000000000001')
    assert.equal(one?.title, 'renamed')
    assert.deepEqual(one?.tags, ['a'])
  })

  test('holodules import on the 2024 layout converts, keeping what a 2020 row lacks', async () => {
    const store = new MemoryStore({ layout: 'schedules' })
    await run(store, 'schedules import', ['-'], { stdin: lines(doc(1)) })
    const row = {
      code: 'HL0001',
      video_id: vid(1),
      datetime: '20240111 210000',
      name: 'n',
      title: 'from 2020',
      url: url(1),
      description: 'd',
    }
    const r = await run(store, 'holodules import', ['-'], { stdin: lines(row, { ...row, code: 'HL0002' }) })
    assert.match(
      r.stdout,
      /written to schedules, converted\ninserted 1, updated 1, unchanged 0, rejected 0\n$/,
    )
    const [updated] = await store.findSchedules({ codes: ['HL0001'], limit: 10 })
    assert.equal(updated?.title, 'from 2020')
    assert.deepEqual(updated?.tags, ['a'])
    assert.equal((await store.findHolodulesByDate('20240111')).length, 2)
  })

  test('schedules import on the 2020 layout converts; an empty database under auto is refused', async () => {
    const empty = new MemoryStore()
    await assert.rejects(
      run(empty, 'schedules import', ['-'], { stdin: lines(doc(1)) }),
      (e: unknown) => e instanceof CliError && /SCHEDULE_LAYOUT=schedules/.test(e.message),
    )
    const r = await run(empty, 'schedules import', ['-'], { stdin: lines(doc(1)), layout: 'holodules' })
    assert.match(r.stdout, /written to holodules, converted .*\ninserted 1, updated 0, unchanged 0/)
    assert.deepEqual(
      (await empty.findHolodulesByDate('20240111')).map((h) => [h.key, h.datetime]),
      [['HL0001_20240111_210000', '20240111 210000']],
    )
    const dry = await run(new MemoryStore(), 'schedules import', ['-'], {
      stdin: lines(doc(1)),
      flags: { 'dry-run': true },
    })
    assert.equal(dry.stdout, 'dry run: 1 valid, 0 rejected; nothing written\n')
  })
})

describe('streamers, users and status', () => {
  test('streamers import by code, then list (of a group)', async () => {
    const store = new MemoryStore()
    const file = JSON.stringify([
      { code: 'HL0002', name: 'two', group: 'hololive', affiliations: "['gen0', 'jp']", is_retired: 'False' },
      { code: 'EN0001', name: 'en', group: 'hololive_en', affiliations: ['myth'], is_retired: 'True' },
    ])
    assert.equal(
      (await run(store, 'streamers import', ['-'], { stdin: file })).stdout,
      'inserted 2, updated 0, unchanged 0, rejected 0\n',
    )
    assert.equal(
      (await run(store, 'streamers import', ['-'], { stdin: file })).stdout,
      'inserted 0, updated 0, unchanged 2, rejected 0\n',
    )
    const list = await run(store, 'streamers list', [])
    assert.equal(
      list.stdout,
      'CODE    GROUP        NAME  AFFILIATIONS  RETIRED\nEN0001  hololive_en  en    myth          yes\nHL0002  hololive     two   gen0,jp\n',
    )
    const jp = await run(store, 'streamers list', [], { flags: { group: 'hololive', json: true } })
    assert.deepEqual(
      JSON.parse(jp.stdout).map((s: { code: string }) => s.code),
      ['HL0002'],
    )
  })

  test('user admin, disable, enable; user list shows the flags', async () => {
    const store = new MemoryStore()
    await store.addUser('alice', 'x')
    await store.addUser('bob', 'x')
    assert.match((await run(store, 'user admin', ['alice', 'on'])).stdout, /^alice is an admin now; /)
    assert.equal((await run(store, 'user admin', ['alice', 'on'])).stdout, 'alice is an admin already\n')
    assert.match((await run(store, 'user disable', ['bob'])).stdout, /^disabled bob; /)
    assert.equal((await store.findUserByUsername('bob'))?.disabled, true)
    assert.equal(
      (await run(store, 'user list', [])).stdout,
      'ID  USERNAME  FLAGS\n1   alice     admin\n2   bob       disabled\n',
    )
    assert.match((await run(store, 'user enable', ['bob'])).stdout, /^enabled bob; /)
    assert.match((await run(store, 'user admin', ['alice', 'off'])).stdout, /^alice is not an admin now/)
    assert.deepEqual(JSON.parse((await run(store, 'user list', [], { flags: { json: true } })).stdout), [
      { id: '1', username: 'alice', admin: false, disabled: false },
      { id: '2', username: 'bob', admin: false, disabled: false },
    ])
    await assert.rejects(run(store, 'user admin', ['alice', 'yes']), /expects on or off/)
    await assert.rejects(run(store, 'user disable', ['nobody']), /user "nobody" does not exist/)
  })

  test('status: the database, the layout and why, the counts', async () => {
    const store = new MemoryStore({ layout: 'schedules' })
    await run(store, 'schedules import', ['-'], { stdin: lines(doc(1)) })
    await store.addUser('alice', 'x')
    const r = await run(store, 'status', [])
    assert.equal(
      r.stdout,
      [
        'database   holoduledb at mongodb://u:***@db:27017/ (MONGODB_URI)',
        'layout     schedules (SCHEDULE_LAYOUT=auto: the schedules collection holds documents)',
        'holodules  0',
        'schedules  1',
        'streamers  0',
        'users      1 (0 admin, 0 disabled)',
        '',
      ].join('\n'),
    )
    const json = JSON.parse(
      (await run(store, 'status', [], { flags: { json: true }, layout: 'schedules' })).stdout,
    )
    assert.equal(json.setting, 'schedules')
    assert.deepEqual(json.counts, { holodules: 0, schedules: 1, streamers: 0, users: 1 })
  })
})
