import { MongoClient } from 'mongodb'
import { hashPassword } from '#src/auth/password.js'
import type { HoloduleRecord } from '#src/store/records.js'

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

export const seedUsers = async (iterations: number) => [
  { id: '1', username: HASHED_USER.username, password: await hashPassword(HASHED_USER.password, iterations) },
  { id: '2', username: LEGACY_USER.username, password: LEGACY_USER.password },
  { id: '3', username: LEGACY_USER_2.username, password: LEGACY_USER_2.password },
  {
    id: '4',
    username: CHANGED_USER.username,
    password: await hashPassword(CHANGED_USER.password, iterations),
    password_changed_at: CHANGED_AT,
  },
]

/** Writes the fixture straight into MongoDB, as the old service's data would be. */
export const seedMongo = async (uri: string, dbName = DB_NAME, iterations = 600_000): Promise<void> => {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
  try {
    const db = client.db(dbName)
    await db.collection('users').deleteMany({})
    await db.collection('holodules').deleteMany({})
    await db.collection('users').insertMany(await seedUsers(iterations))
    await db
      .collection('holodules')
      .insertMany([...HOLODULES.map((h) => ({ ...h })), { ...KEYLESS_HOLODULE }])
  } finally {
    await client.close()
  }
}
