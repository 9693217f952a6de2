import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createLoginThrottle, type ThrottlePolicy } from '../../src/auth/login-throttle.js'
import { mongoLoginLimiters } from '../../src/store/login-limiters.js'
import { MongoStore } from '../../src/store/mongo-store.js'
import { type MongoServer, startMongo } from '../support/ferretdb.js'

const policy: ThrottlePolicy = {
  maxConsecutiveFails: 4,
  maxFailsPerAddress: 100,
  maxInflightPerAddress: 2,
  queueTimeoutMs: 1000,
  hashConcurrency: 2,
}
const wrong = async () => ({ ok: false })

/** Two servers on one database (two clients, two throttles) count failed logins together. */
describe('login counters in MongoDB (FerretDB)', () => {
  let mongo: MongoServer
  const stores: MongoStore[] = []
  before(async () => {
    mongo = await startMongo()
    for (let i = 0; i < 2; i++) stores.push(MongoStore.connect(mongo.uri, 'throttle_db'))
    await stores[0]?.ensureIndexes()
  })
  after(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await mongo?.dispose()
  })

  it('blocks after the failures of both servers add up, on both', async () => {
    const [a, b] = stores.map((s) => createLoginThrottle(mongoLoginLimiters(s.db)(policy), policy))
    assert.ok(a && b)
    for (let i = 0; i < 2; i++) assert.equal((await a.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    for (let i = 0; i < 2; i++) assert.equal((await b.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    for (const t of [a, b]) {
      const r = await t.attempt('user01', '127.0.0.9', async () => ({ ok: true }))
      assert.equal(r.kind, 'throttled')
    }
    // Another address is untouched.
    assert.equal((await b.attempt('user01', '127.0.0.10', async () => ({ ok: true }))).kind, 'done')
  })
})
