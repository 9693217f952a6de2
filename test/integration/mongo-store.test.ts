import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { DB_NAME, HASHED_USER, LEGACY_USER, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import type { App } from '#src/app/index.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'
import { contractCases } from '../contract/cases.js'
import { testApp } from '../support/app.js'

describe('MongoStore on a real server through the official driver', () => {
  let server: MongoServer
  let store: MongoStore
  let client: MongoClient

  before(async () => {
    server = await startMongo()
    await seedMongo(server.uri)
    store = MongoStore.connect(server.uri, DB_NAME)
    await store.ensureIndexes()
    client = new MongoClient(server.uri)
  })
  after(async () => {
    await store?.close()
    await client?.close()
    await server?.dispose()
  })

  const users = () => client.db(DB_NAME).collection('users')

  describe('the contract, end to end on MongoDB', () => {
    contractCases(() => ({
      fetch: async (path, init) => createAppOnce().request(path, init),
      storedPassword: async (username) => ((await users().findOne({ username }))?.password as string) ?? null,
    }))
  })
  let app: App | undefined
  const createAppOnce = () => {
    app ??= testApp({ env: { MONGODB_URI: server.uri, MONGODB_DB: DB_NAME }, store }).app
    return app
  }

  it('creates the indexes idempotently', async () => {
    await store.ensureIndexes()
    const holodules = await client.db(DB_NAME).collection('holodules').indexes()
    const byName = new Map(holodules.map((i) => [i.name, i]))
    assert.deepEqual(byName.get('datetime_1')?.key, { datetime: 1 })
    assert.deepEqual(byName.get('key_1')?.key, { key: 1 })
    assert.equal(byName.get('key_1')?.unique, true)
    const userIndexes = await users().indexes()
    assert.equal(userIndexes.find((i) => i.name === 'username_1')?.unique, true)
    await assert.rejects(
      users().insertOne({ id: '9', username: HASHED_USER.username, password: 'x' }),
      /duplicate/i,
    )
  })

  it('rewrites a legacy password only if it is still the one read (no lost update)', async () => {
    await users().insertOne({ id: '7', username: 'legacy7', password: 'plain7', extra: 'kept' })
    assert.equal(
      await store.updatePasswordHash('legacy7', 'not-the-stored-one', '$pbkdf2-sha256$i=1$YQ$YQ'),
      false,
    )
    assert.equal(await store.updatePasswordHash('legacy7', 'plain7', '$pbkdf2-sha256$i=1$YQ$YQ'), true)
    const doc = await users().findOne({ username: 'legacy7' }, { projection: { _id: 0 } })
    assert.deepEqual(doc, {
      id: '7',
      username: 'legacy7',
      password: '$pbkdf2-sha256$i=1$YQ$YQ',
      extra: 'kept',
    })
  })

  it('leaves the rest of a legacy record unchanged when login rewrites it', async () => {
    const doc = await users().findOne({ username: LEGACY_USER.username }, { projection: { _id: 0 } })
    // The contract suite above logged this user in; only the password changed.
    assert.deepEqual(Object.keys(doc ?? {}), ['id', 'username', 'password'])
    assert.equal(doc?.id, '2')
    assert.match(String(doc?.password), /^\$pbkdf2-sha256\$/)
  })

  it('answers 503 within bounds while the database is down, and recovers by itself', async () => {
    const a = createAppOnce()
    const login = () =>
      a.request('/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })
    assert.equal((await login()).status, 200)
    await server.stop()
    try {
      const started = Date.now()
      const res = await login()
      const elapsed = Date.now() - started
      assert.equal(res.status, 503)
      assert.deepEqual(await res.json(), { error: 'Service Unavailable' })
      // Bounded by the driver's server-selection timeout (2 s), not a hang.
      assert.ok(elapsed < 5000, `took ${elapsed} ms`)
      assert.equal((await a.request('/readyz')).status, 503)
      await assert.rejects(store.findHolodulesByDate(SEED_DAY), StoreUnavailableError)
    } finally {
      await server.start()
    }
    const deadline = Date.now() + 15_000
    let status = 0
    while (Date.now() < deadline && status !== 200) {
      status = (await login()).status
      if (status !== 200) await new Promise((r) => setTimeout(r, 200))
    }
    assert.equal(status, 200, 'recovered without a restart')
    // /readyz answers from a state refreshed at most once a second (served stale meanwhile).
    const readyBy = Date.now() + 5000
    let ready = 0
    while (Date.now() < readyBy && ready !== 200) {
      ready = (await a.request('/readyz')).status
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200))
    }
    assert.equal(ready, 200)
  })
})
