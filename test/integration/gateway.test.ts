import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { SEED_DAY, SEED_DAY_KEYS, seedMongo } from '#harness/fixtures.js'
import { type ServerProcess, startServer } from '#harness/server-process.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { StoreUnavailableError } from '#src/store/errors.js'

const DB = 'holoduledb'
const KEYS = {
  worker: 'worker-key-0123456789abcdefghijklmnopqrstuv',
  readonly: 'readonly-key-0123456789abcdefghijklmnopqrstu',
  admin: 'admin-key-0123456789abcdefghijklmnopqrstuvwx',
  other: 'other-key-0123456789abcdefghijklmnopqrstuvwx',
  lookup: 'lookup-key-0123456789abcdefghijklmnopqrstuvw',
}
// The compact form; the JSON form is covered by the unit tests of the key parser.
const DATA_API_KEYS = [
  // The documented Worker grant: the least DataApiStore needs on the request path.
  `worker:${KEYS.worker}@${DB}.holodules=find+findOne,${DB}.users=findOne+upgradePassword`,
  `readonly:${KEYS.readonly}@${DB}.holodules=read`,
  `admin:${KEYS.admin}@${DB}.*=readWrite`,
  `other:${KEYS.other}@${DB}.other=readWrite`,
  `lookup:${KEYS.lookup}@${DB}.holodules=read,${DB}.users=findOne`,
].join(';')
const MAX_RESPONSE_BYTES = 65_536

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
        DATA_API_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
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
    {
      key,
      accept,
      path,
      requestId,
    }: { key?: string; accept?: string; path?: string; requestId?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (key) headers['api-key'] = key
    if (accept) headers.Accept = accept
    if (requestId) headers['X-Request-Id'] = requestId
    const res = await fetch(`${base}${path ?? ''}/action/${action}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ dataSource: 'mongodb-atlas', database: DB, ...body }),
    })
    const text = await res.text()
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      requestId: res.headers.get('x-request-id'),
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

    it('gives the Worker key reads on both collections and the password upgrade on users only', async () => {
      const k = { key: KEYS.worker }
      assert.equal(
        (await call('findOne', { collection: 'users', filter: { username: 'user01' } }, k)).status,
        200,
      )
      assert.equal((await call('find', { collection: 'holodules' }, k)).status, 200)
      const noop = { filter: { username: 'nobody' }, update: { $set: { password: 'x' } } }
      // Not the upgrade's shape (gateway.leaked-key.test.ts has the one it allows).
      const set = await call('updateOne', { collection: 'users', ...noop }, k)
      assert.equal(set.status, 403)
      assert.match(String(set.body.error), /^upgradePassword allows /)
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

  describe('faults found by the security review', () => {
    const admin = { key: KEYS.admin }

    it('answers 400, not 500, to a sort whose values are not 1 or -1', async () => {
      for (const sort of [{ x: 'foo' }, 2, { a: { a: 1 } }, { a: 2 }, [1]]) {
        const r = await call('find', { collection: 'holodules', sort }, admin)
        assert.equal(r.status, 400, JSON.stringify(sort))
        assert.equal(r.body.error_code, 'InvalidParameter')
        assert.match(String(r.body.error), /^sort must map field names to 1 or -1/)
      }
      const ok = await call('find', { collection: 'holodules', sort: { key: -1, name: 1 } }, admin)
      assert.equal(ok.status, 200)
    })

    it('refuses Extended JSON types FerretDB cannot decode, before they reach it, and keeps serving', async () => {
      const refused: Record<string, unknown> = {
        Code: { $code: 'x' },
        MinKey: { $gt: { $minKey: 1 } },
        MaxKey: { $maxKey: 1 },
        BSONSymbol: { $symbol: 'x' },
        DBPointer: { $dbPointer: { $ref: 'x', $id: { $oid: '5f0000000000000000000000' } } },
        DBRef: { $ref: 'x', $id: 1 },
        Decimal128: { $numberDecimal: '1' },
        NaN: { $numberDouble: 'NaN' },
        Infinity: { $in: [{ $numberDouble: '-Infinity' }] },
        Binary: { $binary: { base64: 'AA==', subType: '00' } },
        Timestamp: { $timestamp: { t: 1, i: 1 } },
      }
      // Each refused request runs beside a good one from another key: none may see a dropped connection.
      const results = await Promise.all(
        Object.entries(refused).map(async ([type, value]) => ({
          type,
          bad: await call('find', { collection: 'holodules', filter: { name: value } }, admin),
          good: await call(
            'findOne',
            { collection: 'holodules', filter: { key: 'x' } },
            { key: KEYS.worker },
          ),
        })),
      )
      for (const { type, bad, good } of results) {
        assert.equal(bad.status, 400, `${type}: ${JSON.stringify(bad.body)}`)
        assert.equal(bad.body.error_code, 'InvalidParameter')
        assert.match(String(bad.body.error), /^filter\.name[\w.$]*: .* is not supported/, type)
        assert.equal(good.status, 200, type)
      }
      const doc = await call(
        'insertOne',
        { collection: 'things', document: { sku: 'mk', v: [{ $minKey: 1 }] } },
        admin,
      )
      assert.equal(doc.status, 400)
      assert.match(String(doc.body.error), /^document\.v\.0: MinKey is not supported/)
      assert.equal(await client.db(DB).collection('things').countDocuments({ sku: 'mk' }), 0)
      // What a client does need still works: regular expressions, numbers, ids, dates.
      for (const filter of [
        { name: { $regex: '^' } },
        { name: { $regularExpression: { pattern: 'a', options: 'i' } } },
        { n: { $numberLong: '1' } },
        { n: { $numberInt: '1' } },
        { n: { $numberDouble: '1.5' } },
        { _id: { $oid: '5f0000000000000000000000' } },
        { at: { $lt: { $date: '2020-01-01T00:00:00Z' } } },
      ]) {
        const r = await call('find', { collection: 'holodules', filter }, admin)
        assert.equal(r.status, 200, JSON.stringify(filter))
      }
    })

    it('refuses a $date out of range instead of storing 1970-01-01', async () => {
      for (const at of [
        { $date: '+300000-01-01T00:00:00Z' },
        { $date: { $numberLong: '9000000000000000000' } },
      ]) {
        const r = await call('insertOne', { collection: 'things', document: { sku: 'far', at } }, admin)
        assert.equal(r.status, 400, JSON.stringify(at))
        assert.match(String(r.body.error), /^document\.at: the date is out of range/)
      }
      assert.equal(await client.db(DB).collection('things').countDocuments({ sku: 'far' }), 0)
    })

    it('says what the database refused without echoing its text, and logs the code with the request id', async () => {
      const op = await call(
        'find',
        { collection: 'holodules', filter: { name: { $bogus: 1 } } },
        { ...admin, requestId: 'review-refused-1' },
      )
      assert.equal(op.status, 400)
      assert.equal(op.body.error_code, 'InvalidParameter')
      assert.equal(op.body.error, 'the database refused the request as invalid (BadValue)')
      const inc = await call(
        'updateOne',
        { collection: 'other', filter: {}, update: { $inc: { name: 'secret-value' } }, upsert: true },
        { key: KEYS.other },
      )
      assert.equal(inc.status, 400)
      assert.ok(!String(inc.body.error).includes('secret-value'), String(inc.body.error))
      assert.ok(!String(inc.body.error).includes('increment'), String(inc.body.error))
      const warn = gateway
        .output()
        .split('\n')
        .find((l) => l.includes('"requestId":"review-refused-1"') && l.includes('"level":"warn"'))
      assert.ok(warn, 'no warn line with the request id')
      assert.match(warn, /"codeName":"BadValue"/)
      assert.ok(!gateway.output().includes('secret-value'), 'a value reached the log')
    })

    it('refuses admin and introspection stages in a pipeline, nested ones too', async () => {
      for (const stage of [
        { $collStats: { count: {} } },
        { $indexStats: {} },
        { $currentOp: {} },
        { $listSessions: {} },
        { $listLocalSessions: {} },
        { $planCacheStats: {} },
        { $facet: { a: [{ $collStats: { count: {} } }] } },
        { $lookup: { from: 'holodules', pipeline: [{ $indexStats: {} }], as: 'x' } },
      ]) {
        const r = await call('aggregate', { collection: 'holodules', pipeline: [stage] }, admin)
        assert.equal(r.status, 403, JSON.stringify(stage))
        assert.equal(r.body.error_code, 'Forbidden')
        assert.match(String(r.body.error), /the stage \$\w+ (reads server internals|writes) and is refused/)
      }
      for (const from of ['system.profile', { db: 'admin', coll: 'system.users' }]) {
        const r = await call(
          'aggregate',
          { collection: 'holodules', pipeline: [{ $lookup: { from, pipeline: [], as: 'x' } }] },
          admin,
        )
        assert.equal(r.status, 400, JSON.stringify(from))
        assert.match(String(r.body.error), /\$lookup: from must be a collection name of this database/)
      }
      const unknown = await call('aggregate', { collection: 'holodules', pipeline: [{ $foo: {} }] }, admin)
      assert.equal(unknown.status, 400)
      assert.match(String(unknown.body.error), /the stage \$foo is not supported/)
      const ok = await call(
        'aggregate',
        { collection: 'holodules', pipeline: [{ $match: {} }, { $group: { _id: null, n: { $sum: 1 } } }] },
        admin,
      )
      assert.equal(ok.status, 200)
    })

    it('answers 400 ResponseTooLarge past DATA_API_MAX_RESPONSE_BYTES instead of building the response', async () => {
      const big = client.db(DB).collection('big')
      await big.insertMany(Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(1000) })))
      try {
        for (const [action, body] of [
          ['find', {}],
          ['aggregate', { pipeline: [{ $match: {} }] }],
        ] as const) {
          const r = await call(action, { collection: 'big', ...body }, admin)
          assert.equal(r.status, 400, action)
          assert.equal(r.body.error_code, 'ResponseTooLarge')
          assert.match(String(r.body.error), new RegExp(`larger than ${MAX_RESPONSE_BYTES} bytes`))
        }
        const few = await call('find', { collection: 'big', limit: 10 }, admin)
        assert.equal(few.status, 200)
        assert.equal((few.body.documents as unknown[]).length, 10)
      } finally {
        await big.drop()
      }
    })

    it('grants findOne apart from find, upsert apart from updateOne, and a $lookup needs find', async () => {
      const worker = { key: KEYS.worker }
      const dump = await call('find', { collection: 'users' }, worker)
      assert.equal(dump.status, 403)
      assert.match(String(dump.body.error), /may not run find on holoduledb\.users/)
      const agg = await call('aggregate', { collection: 'users', pipeline: [] }, worker)
      assert.equal(agg.status, 403)
      const upsert = await call(
        'updateOne',
        {
          collection: 'users',
          filter: { username: 'intruder' },
          update: { $set: { password: 'x' } },
          upsert: true,
        },
        worker,
      )
      assert.equal(upsert.status, 403)
      assert.match(String(upsert.body.error), /may not upsert on holoduledb\.users/)
      assert.equal(await client.db(DB).collection('users').countDocuments({ username: 'intruder' }), 0)
      const noUpsert = await call(
        'updateOne',
        {
          collection: 'users',
          filter: { username: 'intruder' },
          update: { $set: { password: 'x' } },
          upsert: false,
        },
        worker,
      )
      assert.equal(noUpsert.status, 403, 'not the password upgrade either')
      const lookup = await call(
        'aggregate',
        {
          collection: 'holodules',
          pipeline: [{ $lookup: { from: 'users', pipeline: [], as: 'u' } }],
        },
        { key: KEYS.lookup },
      )
      assert.equal(lookup.status, 403)
      assert.match(String(lookup.body.error), /holoduledb\.users/)
    })

    it('takes the caller X-Request-Id, answers with it and logs it', async () => {
      const r = await call(
        'findOne',
        { collection: 'holodules', filter: { key: 'x' } },
        {
          ...admin,
          requestId: 'edge-req-0123',
        },
      )
      assert.equal(r.status, 200)
      assert.equal(r.requestId, 'edge-req-0123')
      const line = gateway
        .output()
        .split('\n')
        .find((l) => l.includes('"msg":"request"') && l.includes('"requestId":"edge-req-0123"'))
      assert.ok(line, 'the access log lacks the request id')
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
