// The indexes MongoStore.ensureIndexes makes (`holodule db init`, and every start until the
// database answers): each layout's, the users', the feeds' and the login counters'.
import { MongoServerError } from 'mongodb'
import type { FeedStore } from '../feeds.js'
import { LOGIN_ATTEMPTS } from '../login-limiters.js'
import type { MongoContext } from './context.js'

export const ensureIndexes = async (c: MongoContext, feeds: FeedStore) => {
  await c.holodules.createIndex({ datetime: 1 }, { name: 'datetime_1' })
  await c.holodules.createIndex({ key: 1 }, { name: 'key_1', unique: true })
  await c.users.createIndex({ username: 1 }, { name: 'username_1', unique: true })
  // The 2024 layout. /schedules sorts {streaming_at: -1, _id: -1} (the _id breaks ties, so a page
  // is stable): with _id in the index MongoDB answers a range from the index in order (IXSCAN, no
  // SORT stage), and `code $in` from the second index as one ordered range per code (SORT_MERGE).
  await c.schedules.createIndex({ streaming_at: -1, _id: -1 }, { name: 'streaming_at_-1__id_-1' })
  await c.schedules.createIndex(
    { code: 1, streaming_at: -1, _id: -1 },
    { name: 'code_1_streaming_at_-1__id_-1' },
  )
  await c.streamers.createIndex({ group: 1, code: 1 }, { name: 'group_1_code_1' })
  await c.streamers.createIndex({ code: 1 }, { name: 'code_1' })
  await feeds.ensureIndexes()
  // rate-limiter-flexible's schema for the login counters (store/login-limiters.ts).
  const attempts = c.db.collection(LOGIN_ATTEMPTS)
  try {
    await attempts.createIndex({ expire: -1 }, { name: 'expire_-1', expireAfterSeconds: 0 })
  } catch (e) {
    // FerretDB 1.x has no TTL indexes ("not implemented"). rate-limiter-flexible treats an
    // expired record as absent, so counting stays right; only the clean-up is lost there.
    if (!(e instanceof MongoServerError && /expireAfterSeconds/.test(e.message))) throw e
    await attempts.createIndex({ expire: -1 }, { name: 'expire_-1' })
  }
  await attempts.createIndex({ key: 1 }, { name: 'key_1', unique: true })
}
