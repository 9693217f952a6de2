import { MongoClient } from 'mongodb'
import { hashPassword } from '#src/auth/password.js'
import { nextDay } from '#src/store/days.js'
import { deriveKey } from '#src/store/layouts/holodules.js'
import type { HoloduleRecord } from '#src/store/records.js'

export const BENCH_USER = { username: 'bench01', password: 'bench-password-01' }
export const FIRST_DAY = '20200101'

/** Small, fast, deterministic PRNG (mulberry32): the same seed gives the same collection on every machine. */
export const prng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NAMES: Array<[string, string]> = [
  ['HL0001', 'ときのそら'],
  ['HL0101', '白上フブキ'],
  ['HL0203', '湊あくあ'],
  ['HL0301', '兎田ぺこら'],
  ['HL0402', '天音かなた'],
  ['HL0503', '尾丸ポルカ'],
  ['HL0601', 'ラプラス・ダークネス'],
]
const TITLES = [
  '【歌枠】まったりお歌の時間♪',
  '【雑談】今週のふりかえり',
  '【APEX】ランクまったり',
  '【マイクラ】建築の続き',
]
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

export interface SeedPlan {
  /** Each seeded day with its number of rows, in order. */
  days: Array<{ date: string; count: number }>
  rows: number
}

/**
 * 10 to 60 streams a day, day after day from FIRST_DAY until `rows` are reached: 50,000 rows span
 * about four years, 500,000 about forty. Times within a day are distinct seconds.
 */
export const planSeed = (rows: number, seed = 42): SeedPlan => {
  const rnd = prng(seed)
  const days: SeedPlan['days'] = []
  let left = rows
  let date = FIRST_DAY
  while (left > 0) {
    const count = Math.min(left, 10 + Math.floor(rnd() * 51))
    days.push({ date, count })
    left -= count
    date = nextDay(date)
  }
  return { days, rows }
}

function* holodulesOf(plan: SeedPlan, seed = 7): Generator<HoloduleRecord> {
  const rnd = prng(seed)
  for (const { date, count } of plan.days) {
    const seconds = new Set<number>()
    while (seconds.size < count) seconds.add(Math.floor(rnd() * 86_400))
    for (const s of seconds) {
      const [code, name] = NAMES[Math.floor(rnd() * NAMES.length)] as [string, string]
      const hh = String(Math.floor(s / 3600)).padStart(2, '0')
      const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
      const ss = String(s % 60).padStart(2, '0')
      const datetime = `${date} ${hh}${mm}${ss}`
      let videoId = ''
      for (let i = 0; i < 11; i++) videoId += ID_ALPHABET[Math.floor(rnd() * 64)]
      const title = TITLES[Math.floor(rnd() * TITLES.length)] as string
      yield {
        key: deriveKey(code, datetime),
        code,
        video_id: videoId,
        datetime,
        name,
        title,
        url: `https://www.youtube.com/watch?v=${videoId}`,
        description: `${name}の配信です。${title}`,
      }
    }
  }
}

/**
 * Writes the collection straight through the driver, as the old service's data would be, plus one
 * user with a real hash; then the indexes the app creates at start-up.
 */
export const seedDatabase = async (uri: string, dbName: string, plan: SeedPlan, iterations: number) => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const db = client.db(dbName)
    await db.dropDatabase()
    const users = db.collection('users')
    const holodules = db.collection<HoloduleRecord>('holodules')
    await users.insertOne({
      id: '1',
      username: BENCH_USER.username,
      password: await hashPassword(BENCH_USER.password, iterations),
    })
    let batch: HoloduleRecord[] = []
    for (const doc of holodulesOf(plan)) {
      batch.push(doc)
      if (batch.length === 5000) {
        await holodules.insertMany(batch, { ordered: false })
        batch = []
      }
    }
    if (batch.length > 0) await holodules.insertMany(batch, { ordered: false })
    await holodules.createIndex({ datetime: 1 }, { name: 'datetime_1' })
    await holodules.createIndex({ key: 1 }, { name: 'key_1', unique: true })
    await users.createIndex({ username: 1 }, { name: 'username_1', unique: true })
    return await holodules.countDocuments()
  } finally {
    await client.close()
  }
}
