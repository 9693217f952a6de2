import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { DataApiStore } from '../../src/store/data-api-store.js'
import { StoreUnavailableError } from '../../src/store/store.js'
import { SEED_DAY, SEED_DAY_KEYS, seedMongo } from '../contract/fixtures.js'
import { freePort, type MongoServer, startMongo } from '../support/ferretdb.js'
import { type ServerProcess, startServer } from '../support/server-process.js'

const DB = 'holoduledb'
const KEYS = {
  worker: 'worker-key-0123456789abcdefghijklmnopqrstuv',
  readonly: 'readonly-key-0123456789abcdefghijklmnopqrstu',
  admin: 'admin-key-0123456789abcdefghijklmnopqrstuvwx',
  other: 'other-key-0123456789abcdefghijklmnopqrstuvwx',
}
// The compact form; the JSON form is covered by the unit tests of the key parser.
const DATA_API_KEYS = [
  `worker:${KEYS.worker}@${DB}.holodules=read,${DB}.users=read+updateOne`,
  `readonly:${KEYS.readonly}@${DB}.holodules=read`,
  `admin:${KEYS.admin}@${DB}.*=readWrite`,
  `other:${KEYS.other}@${DB}.other=readWrite`,
].join(';')

describe('the Data API gateway over HTTP against FerretDB', () => {
  let mongo: MongoServer
  let gateway: ServerProcess
  let base: string
  let client: MongoClient

  before(async () => {
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB, 1000)
    client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
    await client.db(DB).collection('things').createIndex({ sku: 1 }, { unique: true })
    const port = await freePort()
    gateway = await startServer({
      what: 'data api gateway',
      command: process.execPath,
      args: ['--import', 'tsx', 'src/entry/gateway.ts'],
      env: {
        PATH: process.env.PATH,
        MONGODB_URI: mongo.uri,
        DATA_API_KEYS,
        DATA_API_PORT: String(port),
        DATA_API_HOST: '127.0.0.1',
        DATA_API_BODY_LIMIT: '4096',
        LOG_LEVEL: 'info',
      },
      port,
    })
    base = `http://127.0.0.1:${port}`
  })

  after(async () => {
    await gateway?.stop()
    await client?.close()
    await mongo?.dispose()
  })

  const call = async (
    action: string,
    body: Record<string, unknown>,
    { key, accept, path }: { key?: string; accept?: string; path?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (key) headers['api-key'] = key
    if (accept) headers.Accept = accept
    const res = await fetch(`${base}${path ?? ''}/action/${action}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ dataSource: 'mongodb-atlas', database: DB, ...body }),
    })
    const text = await res.text()
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: JSON.parse(text) as Record<string, unknown>,
    }
  }

  describe('keys and allowlists', () => {
    it('answers 401 without a key and with a wrong key', async () => {
      const none = await call('find', { collection: 'holodules' })
      assert.equal(none.status, 401)
      assert.equal(none.body.error_code, 'InvalidSession')
      const wrong = await call('find', { collection: 'holodules' }, { key: `${KEYS.admin}x` })
      assert.equal(wrong.status, 401)
    })

    it('answers 403 to a key for another collection', async () => {
      const r = await call('find', { collection: 'users' }, { key: KEYS.other })
      assert.equal(r.status, 403)
      assert.equal(r.body.error_code, 'Forbidden')
      assert.match(String(r.body.error), /no access to holoduledb\.users/)
      assert.equal((await call('find', { collection: 'holodules' }, { key: KEYS.readonly })).status, 200)
      assert.equal((await call('find', { collection: 'users' }, { key: KEYS.readonly })).status, 403)
    })

    it('does not let a read-only key write', async () => {
      const before = await client.db(DB).collection('holodules').countDocuments()
      for (const [action, body] of [
        ['insertOne', { document: { key: 'X' } }],
        ['insertMany', { documents: [{ key: 'X' }] }],
        ['updateOne', { filter: {}, update: { $set: { name: 'x' } } }],
        ['updateMany', { filter: {}, update: { $set: { name: 'x' } } }],
        ['replaceOne', { filter: {}, replacement: { key: 'X' } }],
        ['deleteOne', { filter: {} }],
        ['deleteMany', { filter: {} }],
      ] as const) {
        const r = await call(action, { collection: 'holodules', ...body }, { key: KEYS.readonly })
        assert.equal(r.status, 403, action)
        assert.match(String(r.body.error), new RegExp(`may not run ${action}`))
      }
      assert.equal(await client.db(DB).collection('holodules').countDocuments(), before)
      assert.equal(await client.db(DB).collection('holodules').countDocuments({ name: 'x' }), 0)
    })

    it('gives the Worker key reads on both collections and updateOne on users only', async () => {
      const k = { key: KEYS.worker }
      assert.equal(
        (await call('findOne', { collection: 'users', filter: { username: 'user01' } }, k)).status,
        200,
      )
      assert.equal((await call('find', { collection: 'holodules' }, k)).status, 200)
      const noop = { filter: { username: 'nobody' }, update: { $set: { password: 'x' } } }
      assert.equal((await call('updateOne', { collection: 'users', ...noop }, k)).status, 200)
      assert.equal((await call('updateMany', { collection: 'users', ...noop }, k)).status, 403)
      assert.equal((await call('deleteOne', { collection: 'users', filter: {} }, k)).status, 403)
      assert.equal((await call('updateOne', { collection: 'holodules', ...noop }, k)).status, 403)
      assert.equal(
        (await call('insertOne', { collection: 'users', document: { username: 'evil' } }, k)).status,
        403,
      )
    })

    it('refuses an aggregate that writes or reads a collection the key cannot read', async () => {
      const k = { key: KEYS.admin }
      for (const stage of [{ $out: 'copy' }, { $merge: { into: 'copy' } }]) {
        const r = await call('aggregate', { collection: 'holodules', pipeline: [{ $match: {} }, stage] }, k)
        assert.equal(r.status, 403, JSON.stringify(stage))
      }
      assert.equal((await client.db(DB).listCollections({ name: 'copy' }).toArray()).length, 0)
      const lookup = await call(
        'aggregate',
        {
          collection: 'holodules',
          pipeline: [{ $lookup: { from: 'users', localField: 'name', foreignField: 'username', as: 'u' } }],
        },
        { key: KEYS.readonly },
      )
      assert.equal(lookup.status, 403)
      assert.match(String(lookup.body.error), /holoduledb\.users/)
    })

    it('refuses server-side JavaScript operators', async () => {
      const r = await call(
        'find',
        { collection: 'holodules', filter: { $where: 'true' } },
        { key: KEYS.admin },
      )
      assert.equal(r.status, 400)
      assert.match(String(r.body.error), /\$where/)
      const p = await call(
        'findOne',
        {
          collection: 'holodules',
          projection: { x: { $function: { body: 'return 1', args: [], lang: 'js' } } },
        },
        { key: KEYS.admin },
      )
      assert.equal(p.status, 400)
      assert.match(String(p.body.error), /\$function/)
      const agg = await call(
        'aggregate',
        {
          collection: 'holodules',
          pipeline: [{ $match: { $expr: { $function: { body: 'x', args: [], lang: 'js' } } } }],
        },
        { key: KEYS.admin },
      )
      assert.equal(agg.status, 400)
    })
  })

  describe('request checks', () => {
    it('answers 404 to an unknown action, 400 to a wrong dataSource or a bad body, 413 to a large one', async () => {
      assert.equal((await call('dropDatabase', { collection: 'holodules' }, { key: KEYS.admin })).status, 404)
      const ds = await call('find', { collection: 'holodules', dataSource: 'elsewhere' }, { key: KEYS.admin })
      assert.equal(ds.status, 400)
      assert.equal(ds.body.error_code, 'InvalidParameter')
      const typo = await call('deleteMany', { collection: 'other', filters: { a: 1 } }, { key: KEYS.other })
      assert.equal(typo.status, 400)
      assert.match(String(typo.body.error), /unknown field "filters"/)
      const notJson = await fetch(`${base}/action/find`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'api-key': KEYS.admin },
        body: '{"dataSource": ',
      })
      assert.equal(notJson.status, 400)
      await notJson.body?.cancel()
      const big = await call(
        'insertOne',
        { collection: 'other', document: { blob: 'x'.repeat(5000) } },
        { key: KEYS.other },
      )
      assert.equal(big.status, 413)
      const system = await call('find', { collection: 'system.users' }, { key: KEYS.admin })
      assert.equal(system.status, 400)
    })

    it('serves the Atlas URL layout too', async () => {
      const r = await call(
        'findOne',
        { collection: 'users', filter: { username: 'user01' }, projection: { _id: 0, username: 1 } },
        { key: KEYS.worker, path: '/app/data-abcde/endpoint/data/v1' },
      )
      assert.equal(r.status, 200)
      assert.deepEqual(r.body, { document: { username: 'user01' } })
    })
  })

  describe('each action', () => {
    const k = { key: KEYS.admin }
    const things = { collection: 'things' }

    it('insertOne, insertMany, findOne, find, updateOne, updateMany, replaceOne, deleteOne, deleteMany, aggregate', async () => {
      const one = await call('insertOne', { ...things, document: { sku: 'a', n: 1, tag: 't' } }, k)
      assert.equal(one.status, 200)
      assert.match(String(one.body.insertedId), /^[0-9a-f]{24}$/)

      const many = await call(
        'insertMany',
        {
          ...things,
          documents: [
            { sku: 'b', n: 2 },
            { sku: 'c', n: 3 },
          ],
        },
        k,
      )
      assert.equal(many.status, 200)
      assert.equal((many.body.insertedIds as unknown[]).length, 2)

      const dup = await call('insertOne', { ...things, document: { sku: 'a' } }, k)
      assert.equal(dup.status, 409)
      assert.equal(dup.body.error_code, 'DuplicateKey')

      const found = await call(
        'findOne',
        { ...things, filter: { sku: 'b' }, projection: { _id: 0, sku: 1, n: 1 } },
        k,
      )
      assert.deepEqual(found.body, { document: { sku: 'b', n: 2 } })
      const missing = await call('findOne', { ...things, filter: { sku: 'zz' } }, k)
      assert.deepEqual(missing.body, { document: null })

      const list = await call(
        'find',
        {
          ...things,
          filter: { n: { $gte: 1 } },
          projection: { _id: 0, sku: 1 },
          sort: { n: -1 },
          limit: 2,
          skip: 0,
        },
        k,
      )
      assert.deepEqual(list.body, { documents: [{ sku: 'c' }, { sku: 'b' }] })
      const skipped = await call(
        'find',
        { ...things, projection: { _id: 0, sku: 1 }, sort: { n: 1 }, skip: 2 },
        k,
      )
      assert.deepEqual(skipped.body, { documents: [{ sku: 'c' }] })

      const upd = await call('updateOne', { ...things, filter: { sku: 'a' }, update: { $set: { n: 10 } } }, k)
      assert.deepEqual(upd.body, { matchedCount: 1, modifiedCount: 1 })
      const upsert = await call(
        'updateOne',
        { ...things, filter: { sku: 'd' }, update: { $set: { n: 4 } }, upsert: true },
        k,
      )
      assert.equal(upsert.body.matchedCount, 0)
      assert.match(String(upsert.body.upsertedId), /^[0-9a-f]{24}$/)

      const updMany = await call(
        'updateMany',
        { ...things, filter: { n: { $lt: 5 } }, update: { $set: { low: true } } },
        k,
      )
      assert.deepEqual(updMany.body, { matchedCount: 3, modifiedCount: 3 })
      const badUpdate = await call('updateOne', { ...things, filter: {}, update: { n: 1 } }, k)
      assert.equal(badUpdate.status, 400)

      const rep = await call(
        'replaceOne',
        { ...things, filter: { sku: 'b' }, replacement: { sku: 'b', n: 20 } },
        k,
      )
      assert.deepEqual(rep.body, { matchedCount: 1, modifiedCount: 1 })
      const b = await client
        .db(DB)
        .collection('things')
        .findOne({ sku: 'b' }, { projection: { _id: 0 } })
      assert.deepEqual(b, { sku: 'b', n: 20 })

      const agg = await call(
        'aggregate',
        {
          ...things,
          pipeline: [{ $match: { n: { $gte: 4 } } }, { $sort: { n: 1 } }, { $project: { _id: 0, sku: 1 } }],
        },
        k,
      )
      assert.deepEqual(agg.body, { documents: [{ sku: 'd' }, { sku: 'a' }, { sku: 'b' }] })

      assert.deepEqual((await call('deleteOne', { ...things, filter: { sku: 'a' } }, k)).body, {
        deletedCount: 1,
      })
      assert.deepEqual((await call('deleteMany', { ...things, filter: {} }, k)).body, { deletedCount: 3 })
      assert.equal(await client.db(DB).collection('things').countDocuments(), 0)
    })

    it('reads and writes Extended JSON: plain JSON by default, canonical EJSON on request', async () => {
      const at = '2020-12-09T14:00:00.000Z'
      const ins = await call('insertOne', { ...things, document: { sku: 'e', at: { $date: at }, n: 5 } }, k)
      assert.equal(ins.status, 200)
      const stored = await client.db(DB).collection('things').findOne({ sku: 'e' })
      assert.ok(stored?.at instanceof Date)
      const plain = await call(
        'findOne',
        { ...things, filter: { at: { $date: at } }, projection: { _id: 0 } },
        k,
      )
      assert.equal(plain.type, 'application/json')
      assert.deepEqual(plain.body, { document: { sku: 'e', at, n: 5 } })
      const canonical = await call(
        'findOne',
        { ...things, filter: { sku: 'e' } },
        { ...k, accept: 'application/ejson' },
      )
      assert.equal(canonical.type, 'application/ejson')
      const doc = canonical.body.document as Record<string, unknown>
      assert.deepEqual(doc.n, { $numberInt: '5' })
      assert.ok((doc.at as { $date: unknown }).$date)
      assert.match((doc._id as { $oid: string }).$oid, /^[0-9a-f]{24}$/)
      await call('deleteMany', { ...things, filter: {} }, k)
    })
  })

  describe('the DataApiStore through the gateway', () => {
    const store = () =>
      new DataApiStore({
        url: base,
        apiKey: KEYS.admin,
        dataSource: 'mongodb-atlas',
        database: DB,
        timeoutMs: 5000,
      })

    it('answers StoreUnavailableError while the database is down, and recovers', async () => {
      await mongo.stop()
      try {
        const start = Date.now()
        await assert.rejects(store().findHolodulesByDate(SEED_DAY), StoreUnavailableError)
        assert.ok(Date.now() - start < 5000, `took ${Date.now() - start} ms`)
      } finally {
        await mongo.start()
      }
      const deadline = Date.now() + 10_000
      for (;;) {
        try {
          assert.equal((await store().findHolodulesByDate(SEED_DAY)).length, SEED_DAY_KEYS.length)
          break
        } catch (e) {
          if (Date.now() > deadline) throw e
          await new Promise((r) => setTimeout(r, 200))
        }
      }
    })
  })

  it('logs one JSON line per request with the key name, never a key or a body', async () => {
    const lines = gateway
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'))
    assert.ok(lines.length > 20, `only ${lines.length} access log lines`)
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.ok(parsed.some((l) => l.key === 'worker' && l.action === 'updateOne' && l.collection === 'users'))
    const all = gateway.output()
    for (const key of Object.values(KEYS)) assert.ok(!all.includes(key), 'a key reached the log')
    assert.ok(!all.includes('password02'), 'a body reached the log')
    assert.ok(!all.includes('$pbkdf2'), 'a body reached the log')
  })
})
