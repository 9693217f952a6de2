import { MongoClient, ObjectId } from 'mongodb'
import { hashPassword } from '#src/auth/password.js'
import type { HoloduleRecord, StreamerRecord } from '#src/store/records.js'
import type { Layout } from '#src/store/store.js'

/** Every target of the contract suite is started with these settings and this data. */
export const SECRET = 'contract-suite-secret-0123456789-abcdef'
export const DB_NAME = 'holoduledb'

export const HASHED_USER = { username: 'user01', password: 'password01' }
/** Stored in plain text, as the old service left it: logs in once, then holds a hash. */
export const LEGACY_USER = { username: 'user02', password: 'password02' }
/** A second plain-text user, for targets whose suite logs in more than once. */
export const LEGACY_USER_2 = { username: 'user03', password: 'pass word 03' }

/** Its password changed at CHANGED_AT (seconds): tokens issued before that second are refused. */
export const CHANGED_USER = { username: 'user04', password: 'password04' }
export const CHANGED_AT = 1_700_000_000

/** `"disabled": true` (the 2024 service's flag): refused by every generation. */
export const DISABLED_USER = { username: 'user05', password: 'password01' }
/** Its document `_id`: the third generation's `Inactive user` 400 names it. */
export const DISABLED_USER_ID = '659d5e0000000000000000d5'

/** `"admin": true` (set with the CLI): may use the third generation's writes and /users. */
export const ADMIN_USER = { username: 'user06', password: 'password01' }

export const SEED_DAY = '20201209'
export const EMPTY_DAY = '20201207'

const row = (
  code: string,
  datetime: string,
  videoId: string,
  name: string,
  title: string,
): HoloduleRecord => ({
  key: `${code}_${datetime.replace(' ', '_')}`,
  code,
  video_id: videoId,
  datetime,
  name,
  title,
  url: `https://www.youtube.com/watch?v=${videoId}`,
  description: `${name} / ${title}`,
})

/** Rows on SEED_DAY, including its first and last second, and rows just outside it. */
export const HOLODULES: HoloduleRecord[] = [
  row('HL0503', '20201209 230000', 'yEttl2nfhsQ', '尾丸ポルカ', '【雑談】ポルカの夜'),
  row('HL0101', '20201209 000000', 'aaaaaaaaaa1', '白上フブキ', '【朝活】0時ちょうど'),
  row('HL0203', '20201209 235959', 'aaaaaaaaaa2', '湊あくあ', '【APEX】日付が変わる前に'),
  row('HL0301', '20201209 120000', 'aaaaaaaaaa3', '兎田ぺこら', '【マイクラ】お昼の建築'),
  row('HL0001', '20201208 235959', 'aaaaaaaaaa4', 'ときのそら', '前の日の最後'),
  row('HL0402', '20201210 000000', 'aaaaaaaaaa5', '天音かなた', '次の日の最初'),
  // Regex-looking data must not leak into a day's result (the old service matched `........`).
  row('HL0601', '20211231 230000', 'aaaaaaaaaa6', 'ラプラス・ダークネス', '大晦日'),
]

/** A legacy document without `key`: the API derives it from code and datetime. */
export const KEYLESS_HOLODULE = {
  code: 'HL0402',
  video_id: 'aaaaaaaaaa7',
  datetime: '20201209 180000',
  name: '天音かなた',
  title: '【歌枠】キーのない古い行',
  url: 'https://www.youtube.com/watch?v=aaaaaaaaaa7',
  description: 'old row',
}

/** The day's expected keys, newest first. */
export const SEED_DAY_KEYS = [
  'HL0203_20201209_235959',
  'HL0503_20201209_230000',
  'HL0402_20201209_180000',
  'HL0301_20201209_120000',
  'HL0101_20201209_000000',
]

export const seedUsers = async (iterations: number) => {
  const hashed = await hashPassword(HASHED_USER.password, iterations)
  return [
    { id: '1', username: HASHED_USER.username, password: hashed },
    { id: '2', username: LEGACY_USER.username, password: LEGACY_USER.password },
    { id: '3', username: LEGACY_USER_2.username, password: LEGACY_USER_2.password },
    {
      id: '4',
      username: CHANGED_USER.username,
      password: await hashPassword(CHANGED_USER.password, iterations),
      password_changed_at: CHANGED_AT,
    },
    {
      _id: new ObjectId(DISABLED_USER_ID),
      id: '5',
      username: DISABLED_USER.username,
      // The same password as user01, so the same hash (one hash less per seed): only the flag refuses it.
      password: hashed,
      disabled: true,
    },
    // The same password as user01 again, for the same reason: only the flag lets it write.
    { id: '6', username: ADMIN_USER.username, password: hashed, admin: true },
  ]
}

/**
 * Streams on 2024 days, for the third generation's filters (GET /schedules): a range across a day's
 * edges, keyword text with a `(`, in a title, a name or only a description, any case; codes of
 * several groups.
 */
export const THIRD_GEN_HOLODULES: HoloduleRecord[] = [
  row('EN0101', '20240110 210000', 'bbbbbbbbbb1', 'Mori Calliope', 'Karaoke (Part 2)'),
  row('HL0101', '20240110 003000', 'bbbbbbbbbb2', '白上フブキ', 'Minecraft 深夜'),
  row('EN0101', '20240111 000000', 'bbbbbbbbbb3', 'Mori Calliope', 'Midnight MINECRAFT'),
  {
    ...row('ID0101', '20240109 235959', 'bbbbbbbbbb4', 'Ayunda Risu', 'Zatsudan'),
    description: 'then minecraft',
  },
]

/**
 * One stream of the contract's data, whichever layout holds it: the same `_id` in `holodules` (2020)
 * and in `schedules` (2024), and what only the 2024 collector writes.
 */
export interface SeedStream {
  /** The document's `_id` (an ObjectId's hex) in either layout. */
  id: string
  /** As the 2020 layout holds it: `key` absent on the legacy row that has none. */
  holodule: Omit<HoloduleRecord, 'key'> & { key?: string }
  /** The Japan wall clock `YYYY-MM-DDTHH:MM:SS` (the 2024 layout's `streaming_at`, as if UTC). */
  streamingAt: string
  /** A true UTC instant, `YYYY-MM-DDTHH:MM:SS`. */
  publishedAt: string
  channelId: string
  channelTitle: string
  tags: string[]
  /** Whether the 2024 document stores `key` (some collector versions did), else it is derived. */
  storedKey: boolean
}

const wallClock = (datetime: string) =>
  `${datetime.slice(0, 4)}-${datetime.slice(4, 6)}-${datetime.slice(6, 8)}T${datetime.slice(9, 11)}:${datetime.slice(11, 13)}:${datetime.slice(13, 15)}`
const HOUR_MS = 3_600_000

/** Every stream of the contract's data: SEED_DAY's and its neighbours', the keyless row, the 2024 days'. */
export const STREAMS: SeedStream[] = [...HOLODULES, KEYLESS_HOLODULE, ...THIRD_GEN_HOLODULES].map((h, i) => {
  const streamingAt = wallClock(h.datetime)
  // Japan is UTC+9; the collector saw each stream published a day and a half before it starts.
  const published = new Date(Date.parse(`${streamingAt}Z`) - 9 * HOUR_MS - 36 * HOUR_MS)
  return {
    id: `657a00000000000000000${(i + 1).toString(16).padStart(3, '0')}`,
    holodule: { ...h },
    streamingAt,
    publishedAt: published.toISOString().slice(0, 19),
    channelId: `UC${h.code}channel`,
    channelTitle: `${h.name} Ch.`,
    tags: i % 5 === 4 ? [] : ['hololive', h.code.toLowerCase()],
    storedKey: 'key' in h && i % 2 === 0,
  }
})

/** A member as the third generation answers it; `older`: written by the older collector. */
export type SeedStreamer = StreamerRecord & {
  /** The older collector stored `affiliations` as Python's repr and `is_retired` as Python's str. */
  older: boolean
}

const streamer = (
  n: number,
  code: string,
  name: string,
  group: string,
  affiliations: string[],
  isRetired: boolean,
  older: boolean,
): SeedStreamer => ({
  id: `656b00000000000000000${n.toString(16).padStart(3, '0')}`,
  code,
  name,
  group,
  affiliations,
  image_name: `${code.toLowerCase()}.png`,
  channel_id: `UC${code}channel`,
  is_retired: isRetired,
  older,
})

/** Not sorted by code, as stored; `hololive_DEV_IS` has a member and no stream. */
export const STREAMERS: SeedStreamer[] = [
  streamer(1, 'HL0503', '尾丸ポルカ', 'hololive', ['gen5', 'jp'], false, true),
  streamer(2, 'EN0101', 'Mori Calliope', 'hololive_en', ['myth'], false, false),
  streamer(3, 'HL0203', '湊あくあ', 'hololive', ['gen2', 'jp'], true, true),
  streamer(4, 'DV0101', '火威青', 'hololive_DEV_IS', ['regloss'], false, false),
  streamer(5, 'HL0101', '白上フブキ', 'hololive', ['gen1', 'gamers'], false, false),
  streamer(6, 'ID0101', 'Ayunda Risu', 'hololive_id', ['area15'], false, true),
]

/** The 2020 layout's documents: `holodules`, fixed ObjectIds, one without `key`. */
export const holoduleDocuments = () => STREAMS.map((s) => ({ _id: new ObjectId(s.id), ...s.holodule }))

/**
 * The 2024 layout's documents, as the 2024 collector writes them: ObjectIds, `streaming_at` a BSON
 * date holding Japan's wall clock as if it were UTC, `published_at` a true UTC instant, tags, a
 * stored `key` on some rows only.
 */
export const scheduleDocuments = () =>
  STREAMS.map((s) => {
    const { key, code, video_id, name, title, url, description } = s.holodule
    return {
      _id: new ObjectId(s.id),
      code,
      video_id,
      streaming_at: new Date(`${s.streamingAt}Z`),
      name,
      title,
      url,
      description,
      published_at: new Date(`${s.publishedAt}Z`),
      channel_id: s.channelId,
      channel_title: s.channelTitle,
      tags: [...s.tags],
      ...(s.storedKey && key ? { key } : {}),
    }
  })

/** `streamers` as the collectors wrote them: the older one's fields as Python's repr and str. */
export const streamerDocuments = () =>
  STREAMERS.map(({ id, older, affiliations, is_retired, ...s }) => ({
    _id: new ObjectId(id),
    ...s,
    affiliations: older ? `[${affiliations.map((a) => `'${a}'`).join(', ')}]` : [...affiliations],
    is_retired: older ? (is_retired ? 'True' : 'False') : is_retired,
  }))

/**
 * Everything a target of the contract holds, as MongoDB documents, in one layout: a database is one
 * layout at a time (SCHEDULE_LAYOUT=auto reads `schedules` once it holds documents). The streams
 * are the same in both; `streamers` is read on either layout.
 */
export const seedDocuments = async (layout: Layout, iterations: number) => ({
  users: await seedUsers(iterations),
  holodules: layout === 'holodules' ? holoduleDocuments() : [],
  schedules: layout === 'schedules' ? scheduleDocuments() : [],
  streamers: streamerDocuments(),
})

/**
 * Writes the fixture straight into MongoDB, as the old services' data would be: the 2020 layout
 * unless `layout` says `schedules` (the 2024 collector's).
 */
export const seedMongo = async (
  uri: string,
  dbName = DB_NAME,
  iterations = 600_000,
  layout: Layout = 'holodules',
): Promise<void> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const db = client.db(dbName)
    const docs: Record<string, Record<string, unknown>[]> = await seedDocuments(layout, iterations)
    for (const [name, rows] of Object.entries(docs)) {
      await db.collection(name).deleteMany({})
      if (rows.length > 0) await db.collection(name).insertMany(rows)
    }
  } finally {
    await client.close()
  }
}
