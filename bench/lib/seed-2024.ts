/**
 * The 2024 layout of the same deterministic data (bench/lib/seed.ts plans the days): `streamers` of
 * a few groups and `schedules` over the same days with the same number of streams a day, in a
 * database of its own (SCHEDULE_DB_NAME), so the 2020 targets and their `auto` layout stay as they
 * were. `streaming_at` is Japan's wall clock stored as if it were UTC, as the 2024 collector did.
 */
import { MongoClient, ObjectId } from 'mongodb'
import { hashPassword } from '#src/auth/password.js'
import { BENCH_USER, prng, type SeedPlan } from './seed.js'

/** The database the 2024 targets are pointed at (with SCHEDULE_LAYOUT=schedules). */
export const SCHEDULE_DB_NAME = 'holodule_bench_2024'

interface StreamerSeed {
  code: string
  name: string
  group: string
  affiliations: string[]
}

/** Three groups; hololive, the one the scenario asks for, has a little over half of the codes. */
export const STREAMERS: StreamerSeed[] = [
  { code: 'HL0001', name: 'ときのそら', group: 'hololive', affiliations: ['gen0', 'jp'] },
  { code: 'HL0101', name: '白上フブキ', group: 'hololive', affiliations: ['gen1', 'gamers', 'jp'] },
  { code: 'HL0203', name: '湊あくあ', group: 'hololive', affiliations: ['gen2', 'jp'] },
  { code: 'HL0301', name: '兎田ぺこら', group: 'hololive', affiliations: ['gen3', 'jp'] },
  { code: 'HL0402', name: '天音かなた', group: 'hololive', affiliations: ['gen4', 'jp'] },
  { code: 'HL0503', name: '尾丸ポルカ', group: 'hololive', affiliations: ['gen5', 'jp'] },
  { code: 'HL0601', name: 'ラプラス・ダークネス', group: 'hololive', affiliations: ['gen6', 'jp'] },
  { code: 'HS0101', name: '花咲みやび', group: 'holostars', affiliations: ['gen1', 'jp'] },
  { code: 'HS0201', name: '夕刻ロベル', group: 'holostars', affiliations: ['gen2', 'jp'] },
  { code: 'HS0301', name: '影山シエン', group: 'holostars', affiliations: ['gen3', 'jp'] },
  { code: 'EN0101', name: 'Mori Calliope', group: 'hololive_en', affiliations: ['myth', 'en'] },
  { code: 'EN0102', name: 'Takanashi Kiara', group: 'hololive_en', affiliations: ['myth', 'en'] },
]

const TITLES = [
  '【歌枠】まったりお歌の時間♪',
  '【雑談】今週のふりかえり',
  '【APEX】ランクまったり',
  '【マイクラ】建築の続き',
]
const TAGS = ['ホロライブ', 'hololive', '歌枠', '雑談', 'ゲーム', 'APEX', 'Minecraft']
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
const channelOf = (code: string) => `UC${code.padEnd(22, 'x')}`

/** `YYYYMMDD` + seconds of the Japan day → that wall clock as a UTC instant (the layout's habit). */
const wallClock = (day: string, seconds: number): Date =>
  new Date(
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))) + seconds * 1000,
  )

export function* schedulesOf(plan: SeedPlan, seed = 11): Generator<Record<string, unknown>> {
  const rnd = prng(seed)
  let n = 0
  for (const { date, count } of plan.days) {
    const seconds = new Set<number>()
    while (seconds.size < count) seconds.add(Math.floor(rnd() * 86_400))
    for (const s of seconds) {
      const who = STREAMERS[Math.floor(rnd() * STREAMERS.length)] as StreamerSeed
      let videoId = ''
      for (let i = 0; i < 11; i++) videoId += ID_ALPHABET[Math.floor(rnd() * 64)]
      const title = TITLES[Math.floor(rnd() * TITLES.length)] as string
      const streamingAt = wallClock(date, s)
      // Announced 1 to 48 hours before, in real UTC (the wall clock minus Japan's 9 hours).
      const publishedAt = new Date(streamingAt.getTime() - (9 + 1 + Math.floor(rnd() * 47)) * 3_600_000)
      const tags = [TAGS[0] as string, TAGS[1 + Math.floor(rnd() * (TAGS.length - 1))] as string]
      n++
      yield {
        _id: new ObjectId(hex(Math.floor(streamingAt.getTime() / 1000), 8) + hex(n, 16)),
        code: who.code,
        video_id: videoId,
        streaming_at: streamingAt,
        name: who.name,
        title,
        url: `https://www.youtube.com/watch?v=${videoId}`,
        description: `${who.name}の配信です。${title}`,
        published_at: publishedAt,
        channel_id: channelOf(who.code),
        channel_title: `${who.name} Ch.`,
        tags,
      }
    }
  }
}

/** How many streams of `group` fall on the Japan days `from`..`to` (`YYYYMMDD`, inclusive). */
export const countSchedules = (plan: SeedPlan, group: string, from: string, to: string): number => {
  const codes = new Set(STREAMERS.filter((s) => s.group === group).map((s) => s.code))
  const start = wallClock(from, 0).getTime()
  const end = wallClock(to, 86_400).getTime()
  let count = 0
  for (const doc of schedulesOf(plan)) {
    const at = (doc.streaming_at as Date).getTime()
    if (at >= start && at < end && codes.has(doc.code as string)) count++
  }
  return count
}

/**
 * Writes the 2024 layout straight through the driver into SCHEDULE_DB_NAME: the streamers, the
 * schedules, the bench user (same password, same hash cost), and the indexes the app creates for
 * that layout (MongoStore.ensureIndexes). Returns the number of schedules.
 */
export const seedSchedules = async (uri: string, plan: SeedPlan, iterations: number): Promise<number> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const db = client.db(SCHEDULE_DB_NAME)
    await db.dropDatabase()
    await db.collection('users').insertOne({
      id: '1',
      username: BENCH_USER.username,
      password: await hashPassword(BENCH_USER.password, iterations),
    })
    await db.collection('streamers').insertMany(
      STREAMERS.map((s, i) => ({
        _id: new ObjectId(hex(i + 1, 24)),
        ...s,
        image_name: `${s.code.toLowerCase()}.png`,
        channel_id: channelOf(s.code),
        is_retired: false,
      })),
    )
    const schedules = db.collection('schedules')
    let batch: Array<Record<string, unknown>> = []
    for (const doc of schedulesOf(plan)) {
      batch.push(doc)
      if (batch.length === 5000) {
        await schedules.insertMany(batch, { ordered: false })
        batch = []
      }
    }
    if (batch.length > 0) await schedules.insertMany(batch, { ordered: false })
    await schedules.createIndex({ streaming_at: -1, _id: -1 }, { name: 'streaming_at_-1__id_-1' })
    await schedules.createIndex(
      { code: 1, streaming_at: -1, _id: -1 },
      { name: 'code_1_streaming_at_-1__id_-1' },
    )
    await db.collection('streamers').createIndex({ group: 1, code: 1 }, { name: 'group_1_code_1' })
    await db.collection('streamers').createIndex({ code: 1 }, { name: 'code_1' })
    await db.collection('users').createIndex({ username: 1 }, { name: 'username_1', unique: true })
    return await schedules.countDocuments()
  } finally {
    await client.close()
  }
}
