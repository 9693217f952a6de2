import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ObjectId } from 'mongodb'
import type { Store } from '#src/store/store.js'
import { importCases } from './import-cases.js'

/**
 * Documents as the 2024 collector writes them: ObjectIds, `streaming_at` holding Japan's wall clock
 * as if it were UTC, `published_at` a true UTC instant, tags arrays, a stored `key` on some rows and
 * not on others; streamers written by the older collector hold string-typed fields.
 */
export interface LayoutSeed {
  schedules: Record<string, unknown>[]
  streamers: Record<string, unknown>[]
  /** 2020 rows, for the cases that read the old layout through the new routes. */
  holodules: Record<string, unknown>[]
  /** User documents as the 2024 service wrote them (bcrypt, names, `disabled`). */
  users?: Record<string, unknown>[]
}

export type MakeLayoutStore = (seed: LayoutSeed) => Promise<Store>

const oid = (n: number) => new ObjectId(n.toString(16).padStart(24, '0'))
const wall = (iso: string) => new Date(`${iso}Z`)

const schedule = (n: number, code: string, streamingAt: string, extra: Record<string, unknown> = {}) => ({
  _id: oid(n),
  code,
  video_id: `vid${n}`,
  streaming_at: wall(streamingAt),
  name: `talent ${code}`,
  title: `title ${n}`,
  url: `https://www.youtube.com/watch?v=vid${n}`,
  description: `description ${n}`,
  published_at: new Date('2024-01-05T03:00:00Z'),
  channel_id: `UC${code}`,
  channel_title: `channel ${code}`,
  tags: ['tag1', `t${n}`],
  ...extra,
})

export const LAYOUT_SEED: LayoutSeed = {
  schedules: [
    schedule(1, 'HL0001', '2024-01-10T21:00:00', { key: 'HL0001_20240110_210000' }),
    schedule(2, 'HL0002', '2024-01-10T00:30:00'),
    schedule(3, 'HL0003', '2024-01-11T00:00:00', { title: 'Minecraft (Part 2)' }),
    schedule(4, 'HL0001', '2024-01-09T23:59:59', { description: 'MINECRAFT night' }),
    schedule(5, 'EN0001', '2024-01-10T12:00:00'),
    schedule(6, 'HL0002', '2024-01-12T10:00:00'),
  ],
  streamers: [
    {
      _id: oid(101),
      code: 'HL0002',
      name: 'talent HL0002',
      group: 'hololive',
      affiliations: "['gen0', 'jp']",
      image_name: 'hl0002.jpg',
      channel_id: 'UCHL0002',
      is_retired: 'False',
    },
    {
      _id: oid(102),
      code: 'HL0001',
      name: 'talent HL0001',
      group: 'hololive',
      affiliations: ['gen1'],
      image_name: 'hl0001.jpg',
      channel_id: 'UCHL0001',
      is_retired: false,
    },
    {
      _id: oid(103),
      code: 'EN0001',
      name: 'talent EN0001',
      group: 'hololive_en',
      affiliations: [],
      image_name: 'en0001.jpg',
      channel_id: 'UCEN0001',
      is_retired: 'True',
    },
  ],
  holodules: [],
}

const HOLODULE_SEED: LayoutSeed = {
  schedules: [],
  streamers: [],
  holodules: [
    {
      _id: oid(201),
      key: 'HL0503_20201209_230000',
      code: 'HL0503',
      video_id: 'yEttl2nfhsQ',
      datetime: '20201209 230000',
      name: '尾丸ポルカ',
      title: 'a title',
      url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
      description: 'a description',
    },
    {
      _id: oid(202),
      code: 'HL0100',
      video_id: 'v2',
      datetime: '20201208 120000',
      name: 'n',
      title: 't',
      url: 'u',
      description: 'd',
    },
  ],
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => Number.parseInt(r.id, 16))
const ALL = { limit: 1000 }

/** The 2024 layout and the third generation's reads, on any store that holds `seed` as documents. */
export const layoutCases = (make: MakeLayoutStore) => {
  describe('the 2024 layout', () => {
    it('is what auto chooses when schedules holds documents', async () => {
      assert.equal(await (await make(LAYOUT_SEED)).layout(), 'schedules')
    })

    it('answers a range of Japan days, both ends inclusive, newest streaming_at first', async () => {
      const store = await make(LAYOUT_SEED)
      assert.deepEqual(
        ids(await store.findSchedules({ from: '20240110', to: '20240111', ...ALL })),
        [3, 1, 5, 2],
      )
      assert.deepEqual(ids(await store.findSchedules(ALL)), [6, 3, 1, 5, 2, 4])
      assert.deepEqual(ids(await store.findSchedules({ from: '20240110', limit: 2 })), [6, 3])
    })

    it('filters by codes and by keyword as text, case-insensitive, in title, name or description', async () => {
      const store = await make(LAYOUT_SEED)
      assert.deepEqual(ids(await store.findSchedules({ codes: ['HL0001', 'EN0001'], ...ALL })), [1, 5, 4])
      assert.deepEqual(ids(await store.findSchedules({ keyword: 'minecraft', ...ALL })), [3, 4])
      assert.deepEqual(ids(await store.findSchedules({ keyword: '(Part', ...ALL })), [3])
      assert.deepEqual(ids(await store.findSchedules({ keyword: '.*', ...ALL })), [])
    })

    it('answers each stream in the wire order, dates without offset, key stored or derived', async () => {
      const store = await make(LAYOUT_SEED)
      const [first] = await store.findSchedules({ codes: ['HL0001'], from: '20240110', ...ALL })
      assert.deepEqual(first, {
        id: '000000000000000000000001',
        code: 'HL0001',
        video_id: 'vid1',
        streaming_at: '2024-01-10T21:00:00',
        name: 'talent HL0001',
        title: 'title 1',
        url: 'https://www.youtube.com/watch?v=vid1',
        description: 'description 1',
        published_at: '2024-01-05T03:00:00',
        channel_id: 'UCHL0001',
        channel_title: 'channel HL0001',
        tags: ['tag1', 't1'],
        key: 'HL0001_20240110_210000',
      })
      assert.equal((await store.findScheduleById('000000000000000000000002'))?.key, 'HL0002_20240110_003000')
    })

    it('finds one stream by id; an unknown id or one that is not an ObjectId is null', async () => {
      const store = await make(LAYOUT_SEED)
      assert.equal((await store.findScheduleById('000000000000000000000005'))?.code, 'EN0001')
      assert.equal(await store.findScheduleById('0000000000000000000000ff'), null)
      assert.equal(await store.findScheduleById('not-an-id'), null)
      assert.equal(await store.findScheduleById('{"$gt":""}'), null)
    })

    it('serves a day of the first two generations from streaming_at, datetime and key derived', async () => {
      const store = await make(LAYOUT_SEED)
      const day = await store.findHolodulesByDate('20240110')
      assert.deepEqual(
        day.map((h) => [h.key, h.datetime]),
        [
          ['HL0001_20240110_210000', '20240110 210000'],
          ['EN0001_20240110_120000', '20240110 120000'],
          ['HL0002_20240110_003000', '20240110 003000'],
        ],
      )
      assert.deepEqual(Object.keys(day[0] ?? {}), [
        'key',
        'code',
        'video_id',
        'datetime',
        'name',
        'title',
        'url',
        'description',
      ])
      assert.deepEqual(await store.findHolodulesByDate('20240113'), [])
    })

    it('lists streamers sorted by code, a group exactly, string-typed fields read as they mean', async () => {
      const store = await make(LAYOUT_SEED)
      const all = await store.findStreamers()
      assert.deepEqual(
        all.map((s) => s.code),
        ['EN0001', 'HL0001', 'HL0002'],
      )
      const jp = await store.findStreamers('hololive')
      assert.deepEqual(jp, [
        {
          id: '000000000000000000000066',
          code: 'HL0001',
          name: 'talent HL0001',
          group: 'hololive',
          affiliations: ['gen1'],
          image_name: 'hl0001.jpg',
          channel_id: 'UCHL0001',
          is_retired: false,
        },
        {
          id: '000000000000000000000065',
          code: 'HL0002',
          name: 'talent HL0002',
          group: 'hololive',
          affiliations: ['gen0', 'jp'],
          image_name: 'hl0002.jpg',
          channel_id: 'UCHL0002',
          is_retired: false,
        },
      ])
      assert.deepEqual(await store.findStreamers('hololive_'), [])
      assert.equal((await store.findStreamerById('000000000000000000000067'))?.is_retired, true)
      assert.equal(await store.findStreamerById('nope'), null)
    })
  })

  describe('the 2020 layout through the third generation', () => {
    it('is what auto chooses when schedules is empty', async () => {
      assert.equal(await (await make(HOLODULE_SEED)).layout(), 'holodules')
    })

    it('answers each holodule with streaming_at from datetime, id its _id, the 2024 fields empty', async () => {
      const store = await make(HOLODULE_SEED)
      const rows = await store.findSchedules({ from: '20201201', to: '20201231', ...ALL })
      assert.deepEqual(rows[0], {
        id: '0000000000000000000000c9',
        code: 'HL0503',
        video_id: 'yEttl2nfhsQ',
        streaming_at: '2020-12-09T23:00:00',
        name: '尾丸ポルカ',
        title: 'a title',
        url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
        description: 'a description',
        published_at: null,
        channel_id: null,
        channel_title: null,
        tags: [],
        key: 'HL0503_20201209_230000',
      })
      assert.equal(rows[1]?.key, 'HL0100_20201208_120000')
      assert.equal((await store.findScheduleById('0000000000000000000000ca'))?.code, 'HL0100')
      assert.deepEqual(await store.findSchedules({ from: '20201210', ...ALL }), [])
    })
  })

  const NEW_STREAM = {
    code: 'HL0009',
    video_id: 'newvid00001',
    streaming_at: '2024-01-10T00:30:00',
    name: 'talent HL0009',
    title: 'new stream',
    url: 'https://www.youtube.com/watch?v=newvid00001',
    description: 'written by an admin',
    published_at: '2024-01-09T10:00:00',
    channel_id: 'UCHL0009',
    channel_title: 'channel HL0009',
    tags: ['a', 'b'],
  }

  describe('writes', () => {
    for (const [layout, seed] of [
      ['2024', LAYOUT_SEED],
      ['2020', HOLODULE_SEED],
    ] as const) {
      it(`inserts, changes only the fields sent, and deletes a stream on the ${layout} layout`, async () => {
        const store = await make(seed)
        const created = await store.insertSchedule(NEW_STREAM)
        assert.match(created.id, /^[0-9a-f]{24}$/)
        assert.equal(created.key, 'HL0009_20240110_003000')
        assert.equal(created.streaming_at, '2024-01-10T00:30:00')
        assert.deepEqual(await store.findScheduleById(created.id), created)
        const day = await store.findHolodulesByDate('20240110')
        assert.ok(day.some((h) => h.key === 'HL0009_20240110_003000' && h.datetime === '20240110 003000'))
        const changed = await store.updateSchedule(created.id, { title: 'renamed' })
        assert.deepEqual(changed, { ...created, title: 'renamed' }, 'the dates left out stay as they were')
        assert.deepEqual(await store.updateSchedule(created.id, {}), changed)
        assert.equal(await store.updateSchedule('0000000000000000000000ff', { title: 'x' }), null)
        assert.equal(await store.updateSchedule('nope', { title: 'x' }), null)
        assert.equal(await store.deleteSchedule(created.id), true)
        assert.equal(await store.deleteSchedule(created.id), false)
        assert.equal(await store.findScheduleById(created.id), null)
      })
    }

    it('keeps the 2024 fields on the 2024 layout', async () => {
      const store = await make(LAYOUT_SEED)
      const created = await store.insertSchedule(NEW_STREAM)
      assert.equal(created.published_at, '2024-01-09T10:00:00')
      assert.deepEqual(created.tags, ['a', 'b'])
      const moved = await store.updateSchedule(created.id, { streaming_at: '2024-01-12T23:00:00' })
      assert.equal(moved?.published_at, '2024-01-09T10:00:00')
      assert.equal(moved?.streaming_at, '2024-01-12T23:00:00')
      await store.deleteSchedule(created.id)
    })

    it('inserts, changes and deletes a streamer', async () => {
      const store = await make(LAYOUT_SEED)
      const created = await store.insertStreamer({
        code: 'HL0000',
        name: 'new member',
        group: 'hololive',
        affiliations: ['gen9'],
        image_name: 'hl0000.jpg',
        channel_id: 'UCHL0000',
        is_retired: false,
      })
      assert.match(created.id, /^[0-9a-f]{24}$/)
      assert.deepEqual(
        (await store.findStreamers('hololive')).map((s) => s.code),
        ['HL0000', 'HL0001', 'HL0002'],
      )
      assert.deepEqual(await store.updateStreamer(created.id, { is_retired: true }), {
        ...created,
        is_retired: true,
      })
      assert.equal(await store.deleteStreamer(created.id), true)
      assert.equal(await store.findStreamerById(created.id), null)
      assert.equal(await store.deleteStreamer('nope'), false)
    })
  })

  importCases(make, LAYOUT_SEED)

  describe('accounts', () => {
    const USERS = [
      {
        _id: oid(301),
        id: '1',
        username: 'alice',
        password: '$2b$12$abcdefghijklmnopqrstuu5Jc8yD6dAfyaz3J8GJtG1x6B5Y3v6bG',
        firstname: 'Alice',
        lastname: 'A',
        disabled: false,
      },
      { _id: oid(302), id: '2', username: 'bob', password: 'x', disabled: true, admin: true },
    ]
    const seed = { ...LAYOUT_SEED, users: USERS }

    it('lists users without passwords, by username, and finds one by _id or name', async () => {
      const store = await make(seed)
      const accounts = await store.listAccounts()
      assert.deepEqual(accounts, [
        {
          id: '00000000000000000000012d',
          username: 'alice',
          firstname: 'Alice',
          lastname: 'A',
          disabled: false,
          admin: false,
        },
        {
          id: '00000000000000000000012e',
          username: 'bob',
          firstname: null,
          lastname: null,
          disabled: true,
          admin: true,
        },
      ])
      assert.deepEqual(await store.findAccount('00000000000000000000012e'), accounts[1])
      assert.deepEqual(await store.findAccountByUsername('alice'), accounts[0])
      assert.equal(await store.findAccount('nope'), null)
    })

    it('changes only what is given; a new password is a password change; removes by _id', async () => {
      const store = await make(seed)
      const id = '00000000000000000000012d'
      const changed = await store.updateAccount(id, { disabled: true, admin: true })
      assert.deepEqual(changed, {
        id,
        username: 'alice',
        firstname: 'Alice',
        lastname: 'A',
        disabled: true,
        admin: true,
      })
      await store.updateAccount(id, {
        password: { hash: '$pbkdf2-sha256$new', changedAtMs: 1_700_000_000_999 },
      })
      const user = await store.findUserByUsername('alice')
      assert.equal(user?.password, '$pbkdf2-sha256$new')
      // The first second after the change (tokens of the change's own second are refused).
      assert.equal(user?.passwordChangedAt, 1_700_000_001)
      assert.equal(user?.disabled, true)
      assert.equal(await store.updateAccount('0000000000000000000000ff', { admin: true }), null)
      assert.equal(await store.removeAccount(id), true)
      assert.equal(await store.findUserByUsername('alice'), null)
      assert.equal(await store.removeAccount(id), false)
    })
  })
}
