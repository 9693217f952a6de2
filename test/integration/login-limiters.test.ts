import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { startGateway, WORKER_KEY, workerGrants } from '#harness/runtimes.js'
import type { ServerProcess } from '#harness/server-process.js'
import { createLoginThrottle, type LoginThrottle, type ThrottlePolicy } from '#src/auth/login-throttle.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { dataApiLoginLimiters } from '#src/store/data-api/login-limiters.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'

const DB = 'throttle_db'
const policy: ThrottlePolicy = {
  maxConsecutiveFails: 4,
  maxFailsPerAddress: 100,
  maxInflightPerAddress: 2,
  queueTimeoutMs: 1000,
  hashConcurrency: 2,
  throttledDelayMs: 0,
}
const wrong = async () => ({ ok: false })
const right = async () => ({ ok: true })

/**
 * Two servers on one database (two driver clients) and a Worker (through the gateway, with the
 * documented least grant) count failed logins together, in rate-limiter-flexible's documents.
 */
describe('login counters shared in MongoDB (FerretDB)', () => {
  let mongo: MongoServer
  let gateway: ServerProcess & { url: string }
  const stores: MongoStore[] = []
  let servers: LoginThrottle[] = []
  let worker: LoginThrottle

  before(async () => {
    mongo = await startMongo()
    for (let i = 0; i < 2; i++) stores.push(MongoStore.connect(mongo.uri, DB))
    await stores[0]?.ensureIndexes()
    servers = stores.map((s) => createLoginThrottle(s.loginLimiters()(policy), policy))
    gateway = await startGateway(mongo.uri, workerGrants(DB))
    const viaGateway = new DataApiStore({
      url: gateway.url,
      apiKey: WORKER_KEY,
      dataSource: 'mongodb-atlas',
      database: DB,
    })
    worker = createLoginThrottle(dataApiLoginLimiters(viaGateway.client)(policy), policy)
  })
  after(async () => {
    await gateway?.stop()
    await Promise.all(stores.map((s) => s.close()))
    await mongo?.dispose()
  })

  it('two servers and a Worker block a (user, address) together once their failures add up', async () => {
    const [a, b] = servers
    assert.ok(a && b)
    assert.equal((await a.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    assert.equal((await worker.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    assert.equal((await b.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    assert.equal((await worker.attempt('user01', '127.0.0.9', wrong)).kind, 'done')
    for (const t of [a, b, worker]) {
      const r = await t.attempt('user01', '127.0.0.9', right)
      assert.equal(r.kind, 'throttled')
      if (r.kind === 'throttled') assert.ok(r.retryAfter >= 1 && r.retryAfter <= 60, String(r.retryAfter))
    }
    // Another address is untouched, on either side.
    assert.equal((await worker.attempt('user01', '127.0.0.10', right)).kind, 'done')
    assert.equal((await a.attempt('user01', '127.0.0.10', right)).kind, 'done')
  })

  it('a success through the Worker resets the count the servers see', async () => {
    const [a] = servers
    assert.ok(a)
    for (let i = 0; i < 3; i++) await a.attempt('user02', '127.0.0.11', wrong)
    assert.equal((await worker.attempt('user02', '127.0.0.11', right)).kind, 'done')
    for (let i = 0; i < 3; i++) assert.equal((await a.attempt('user02', '127.0.0.11', wrong)).kind, 'done')
    assert.equal((await worker.attempt('user02', '127.0.0.11', right)).kind, 'done')
  })

  it('count failures at one user name over addresses together, and remember where it logged in (issue 19, item 1)', async () => {
    const [a, b] = servers
    assert.ok(a && b)
    const each = [a, b, worker]
    // The owner logs in through the Worker from .20, which later fails once at another name.
    assert.equal((await worker.attempt('user03', '127.0.0.20', right)).kind, 'done')
    assert.equal((await a.attempt('someone', '127.0.0.20', wrong)).kind, 'done')
    // Eight failures at user03 (the limit: twice maxConsecutiveFails) from eight addresses, on all three.
    for (let i = 0; i < 8; i++) {
      const r = await each[i % 3]?.attempt('user03', `127.0.0.${21 + i}`, wrong)
      assert.equal(r?.kind, 'done')
    }
    // Those addresses now have failures counted: each backend holds user03 from them.
    for (const t of each) assert.equal((await t.attempt('user03', '127.0.0.21', right)).kind, 'throttled')
    // The owner's own address, known from the Worker's write, and a clean address still log in.
    assert.equal((await b.attempt('user03', '127.0.0.20', right)).kind, 'done')
    assert.equal((await worker.attempt('user03', '127.0.0.40', right)).kind, 'done')
  })
})
