import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { type RunningTarget, wranglerDev } from '#harness/runtimes.js'

/**
 * The direct Worker (the driver inside workerd) enforces LOGIN_MAX_INFLIGHT_PER_ADDRESS: it builds
 * an app per request, and each had a throttle of its own, so 8 concurrent checks from one address
 * were all hashed (issue 19, item 7). A slow hash (PBKDF2 at 3,000,000 iterations for the unknown
 * user's dummy check) keeps the first checks running while the others arrive.
 */
describe('the direct Worker in workerd: checks in flight per address', () => {
  let mongo: MongoServer
  let worker: RunningTarget

  before(async () => {
    mongo = await startMongo()
    worker = await wranglerDev(
      'worker-direct',
      'src/entry/worker-direct.ts',
      ['--compatibility-flags', 'nodejs_compat'],
      'worker_direct_throttle',
      { MONGODB_URI: mongo.uri, PASSWORD_PBKDF2_ITERATIONS: '3000000', LOGIN_THROTTLE_DELAY_MS: '0' },
    )
  })
  after(async () => {
    await worker?.stop()
    await mongo?.dispose()
  })

  it('hashes at most LOGIN_MAX_INFLIGHT_PER_ADDRESS (2) of 8 concurrent logins from one address; the rest are 429', {
    timeout: 120_000,
  }, async () => {
    const login = (i: number) =>
      fetch(`${worker.baseUrl}/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.9' },
        body: JSON.stringify({ username: `nobody${i}`, password: 'wrong' }),
      }).then(async (r) => {
        await r.arrayBuffer()
        return r.status
      })
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => login(i)))
    const count = (s: number) => statuses.filter((x) => x === s).length
    assert.equal(count(401), 2, `${statuses.join(' ')}\n${worker.output()}`)
    assert.equal(count(429), 6, statuses.join(' '))
  })
})
