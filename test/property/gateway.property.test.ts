import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { BSON, Int32, Long, MongoClient, ObjectId } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { createGatewayApp } from '#src/gateway/create-gateway-app.js'
import { encode } from '#src/gateway/encode.js'
import { parseApiKeys } from '#src/gateway/keys.js'
import { anyString, fuzzParams, within } from './fuzz.js'

/**
 * Property tests of the Data API gateway, in process, on FerretDB: whatever filter, update, pipeline
 * or document a key holder sends (Extended JSON wrappers and nested operators included), the answer is
 * a 2xx or a 4xx in the Data API's `{error, error_code}` shape, never a 5xx or a hang, and no request
 * breaks the database connection for the next one. FerretDB is slow: few runs by default; see
 * test/property/fuzz.ts for FUZZ_RUNS and FUZZ_SEED.
 */

const RUNS = 50
const KEY = 'property-key-0123456789abcdefghijklmnopqr'
const DB = 'fuzzdb'
const COLL = 'fuzz'
const HANG_MS = 15_000
const MAX_TIME_MS = 2000

// ---------------------------------------------------------------------------------------------
// Values: plain JSON, Extended JSON wrappers (valid and not), operators

const fieldName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'c.d', 'e.f', '_id', 'n', 'when', 'tags', 'x') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '.',
      'a..b',
      '.a',
      'a.',
      '$a',
      'a.$',
      'c.$[]',
      'c.0',
      'a.$date',
      'x.$oid',
      '$date',
      'a\u0000b',
      '__proto__',
      'constructor',
      '名前',
    ),
  },
  { weight: 1, arbitrary: anyString(8) },
)

/** Builds a plain object with own properties only (`__proto__` included), as JSON.parse would. */
const objectOf = <T>(entries: Array<[string, T]>): Record<string, T> => {
  const o: Record<string, T> = {}
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, -1e308, 5e-324),
)

const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.string({ maxLength: 10 }), anyString(10)) },
  { weight: 3, arbitrary: number },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
)

const hex24 = fc.stringMatching(/^[0-9a-f]{24}$/)
const digits = fc.stringMatching(/^-?[0-9]{1,25}$/)

/** Extended JSON wrappers a client sends: valid ones, of the types the gateway takes and of those it refuses. */
const validWrapper = fc.oneof(
  hex24.map(($oid) => ({ $oid })),
  fc.date({ noInvalidDate: true }).map((d) => ({ $date: d.toISOString() })),
  fc.date({ noInvalidDate: true }).map((d) => ({ $date: { $numberLong: String(d.getTime()) } })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ $numberLong: String(n) })),
  fc.integer().map((n) => ({ $numberInt: String(n) })),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '1.5').map(($numberDouble) => ({ $numberDouble })),
  fc.constantFrom('1.5', 'NaN', '1E+6144', '-0').map(($numberDecimal) => ({ $numberDecimal })),
  fc.string({ maxLength: 20 }).map(($code) => ({ $code })),
  fc.constantFrom({ $minKey: 1 }, { $maxKey: 1 }, { $undefined: true }),
  fc
    .tuple(
      fc.constantFrom('^a', '(', '[', '.*', '\\', '(?<x>a)', 'a{99999}', 'x'),
      fc.constantFrom('', 'i', 'imsx', 'g', 'u', 'l'),
    )
    .map(([$regex, $options]) => ({ $regex, $options })),
  fc
    .tuple(fc.constantFrom('^a', '(', '.*', 'b'), fc.constantFrom('', 'i', 'x', 'g'))
    .map(([pattern, options]) => ({ $regularExpression: { pattern, options } })),
  fc.base64String({ maxLength: 12 }).map((base64) => ({ $binary: { base64, subType: '00' } })),
  fc.record({ t: fc.nat(), i: fc.nat() }).map(($timestamp) => ({ $timestamp })),
  fc.string().map(($symbol) => ({ $symbol })),
)

/** Wrappers with the wrong content: most make the body unreadable as Extended JSON (a 400). */
const brokenWrapper = fc.oneof(
  fc.record({ $oid: anyString(30) }),
  fc.record({
    $date: fc.oneof(
      anyString(30),
      number,
      fc.record({ $numberLong: fc.oneof(digits, anyString(10)) }),
      fc.constantFrom('+275760-09-13T00:00:00.001Z', '9999-12-31T23:59:59Z', '1970-01-01', null),
    ),
  }),
  fc.record({ $numberLong: fc.oneof(digits, anyString(10), number) }),
  fc.record({ $numberInt: fc.oneof(digits, anyString(10)) }),
  fc.record({ $numberDouble: anyString(10) }),
  fc.record({ $numberDecimal: fc.oneof(digits, fc.constantFrom('1E+6145'), anyString(10)) }),
  fc.record({
    $code: fc.string(),
    $scope: fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }),
  }),
  fc.constantFrom({ $minKey: 0 }, { $maxKey: 'x' }, { $undefined: false }),
  fc.record({ $regex: anyString(10), $options: anyString(3) }),
  fc.record({ $binary: fc.record({ base64: anyString(8), subType: fc.constantFrom('04', '80', 'zz') }) }),
  fc.record({
    $timestamp: fc.record({
      t: fc.integer({ min: -1, max: 2 ** 32 }),
      i: fc.integer({ min: -1, max: 2 ** 32 }),
    }),
  }),
)

const wrapper = fc.oneof({ weight: 4, arbitrary: validWrapper }, { weight: 1, arbitrary: brokenWrapper })

const FILTER_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$type',
  '$regex',
  '$options',
  '$not',
  '$elemMatch',
  '$size',
  '$all',
  '$mod',
  '$and',
  '$or',
  '$nor',
  '$expr',
  '$where',
  '$text',
  '$jsonSchema',
  '$comment',
  '$bitsAllSet',
  '$near',
  '$geoWithin',
  '$function',
  '$rand',
  '$sampleRate',
  '$nope',
]
const EXPRESSION_OPERATORS = [
  '$add',
  '$concat',
  '$toUpper',
  '$substr',
  '$cond',
  '$ifNull',
  '$arrayElemAt',
  '$literal',
  '$divide',
  '$toDate',
  '$dateToString',
  '$regexMatch',
  '$size',
  '$sum',
  '$max',
  '$getField',
  '$setField',
  '$arrayToObject',
  '$objectToArray',
  '$mergeObjects',
  '$accumulator',
  '$function',
  '$let',
  '$map',
  '$reduce',
  '$range',
]

/** Any value a request may carry: scalars, wrappers, arrays, objects, operator expressions, field paths. */
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalar },
    { weight: 3, arbitrary: wrapper },
    { weight: 1, arbitrary: fc.constantFrom('$a', '$c.d', '$$ROOT', '$$NOW', '$$nope', '$', '$$') },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    {
      weight: 2,
      arbitrary: fc.array(fc.tuple(fieldName, tie('value')), { maxLength: 3 }).map(objectOf),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...FILTER_OPERATORS, ...EXPRESSION_OPERATORS), tie('value'))
        .map(([op, v]) => objectOf([[op, v]])),
    },
  ),
}))

/** Mostly absent or null, sometimes any value: a field of the wrong type is refused before the database. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb })

/** A filter: field conditions and top-level logical operators. */
const filter = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(fieldName, value), { maxLength: 3 }).map(objectOf) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('$and', '$or', '$nor', '$expr', '$where', '$text', '$comment'), value)
      .map(([op, v]) => objectOf([[op, v]])),
  },
  { weight: 1, arbitrary: rarely(value) },
)

const UPDATE_OPERATORS = [
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$rename',
  '$min',
  '$max',
  '$currentDate',
  '$setOnInsert',
  '$pop',
  '$bit',
  '$each',
  '$position',
  '$nope',
]
const update = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom(...UPDATE_OPERATORS),
          fc.array(fc.tuple(fieldName, value), { minLength: 1, maxLength: 2 }).map(objectOf),
        ),
        { minLength: 1, maxLength: 2 },
      )
      .map(objectOf),
  },
  { weight: 1, arbitrary: filter },
  { weight: 1, arbitrary: rarely(value) },
)

const STAGES = [
  '$addFields',
  '$bucket',
  '$bucketAuto',
  '$count',
  '$densify',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$limit',
  '$lookup',
  '$match',
  '$project',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$set',
  '$setWindowFields',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
  '$out',
  '$merge',
  '$currentOp',
  '$collStats',
  '$documents',
  '$indexStats',
  '$nope',
  'match',
]
/** Stages as a client writes them, and stages with any spec at all. */
const stage = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.oneof(
      filter.map((f) => ({ $match: f })),
      fc.constantFrom(
        { $group: { _id: '$a', n: { $sum: 1 } } },
        { $group: { _id: null, m: { $max: '$when' }, s: { $push: '$$ROOT' } } },
        { $sort: { a: -1 } },
        { $project: { a: 1, _id: 0 } },
        { $unwind: '$tags' },
        { $count: 'n' },
        { $lookup: { from: COLL, localField: 'a', foreignField: 'a', as: 'j' } },
        { $unionWith: COLL },
        { $facet: { x: [{ $limit: 1 }], y: [{ $count: 'n' }] } },
        { $replaceRoot: { newRoot: '$e' } },
        { $sample: { size: 2 } },
        { $addFields: { z: { $concat: ['$b', 'x'] } } },
      ),
      fc.integer({ min: -2, max: 2 ** 40 }).map((n) => ({ $limit: n })),
      fc.integer({ min: -2, max: 100 }).map((n) => ({ $skip: n })),
      fc.tuple(fieldName, value).map(([f, v]) => ({ $addFields: objectOf([[f, v]]) })),
      fc.tuple(fieldName, value).map(([f, v]) => ({ $project: objectOf([[f, v]]) })),
      fc.tuple(fieldName, value).map(([f, v]) => ({
        $group: objectOf([
          ['_id', v],
          [f || 'k', { $sum: v }],
        ]),
      })),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...STAGES), value).map(([name, spec]) => objectOf([[name, spec]])),
  },
  { weight: 1, arbitrary: rarely(value) },
)

const projection = fc.oneof(
  fc
    .array(fc.tuple(fieldName, fc.oneof(fc.constantFrom(0, 1, true, false), value)), { maxLength: 3 })
    .map(objectOf),
  rarely(value),
)
const sort = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.array(fc.tuple(fieldName, fc.constantFrom(1, -1)), { maxLength: 2 }).map(objectOf),
  },
  { weight: 1, arbitrary: rarely(value) },
)
const count = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, 2 ** 31, -1, 1.5, '3', null) },
  { weight: 1, arbitrary: rarely(value) },
)
const document = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(fieldName, value), { maxLength: 4 }).map(objectOf) },
  { weight: 1, arbitrary: value },
)

/** Optional fields: absent, or present with a generated value. */
const some = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  fc.record(fields, { requiredKeys: [] })

const REQUESTS = {
  find: some({ filter, projection, sort, limit: count, skip: count }),
  findOne: some({ filter, projection }),
  aggregate: fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({
        pipeline: fc.oneof(
          { weight: 8, arbitrary: fc.array(stage, { maxLength: 3 }) },
          { weight: 1, arbitrary: value },
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  ),
  updateOne: fc.record(
    {
      filter,
      update,
      upsert: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: rarely(value) }),
    },
    { requiredKeys: ['update'] },
  ),
  insertOne: fc.oneof(
    { weight: 12, arbitrary: fc.record({ document }) },
    { weight: 1, arbitrary: fc.constant({}) },
  ),
} as const

const NAMESPACE = { dataSource: 'mongodb-atlas', database: DB, collection: COLL }
/** The envelope: almost always the right namespace, sometimes another or a broken one, or a stray field. */
const envelope = fc.oneof(
  { weight: 12, arbitrary: fc.constant(NAMESPACE) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('other', 'system.users', 'a.b', '$cmd', '')
      .map((collection) => ({ ...NAMESPACE, collection })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('dataSource', 'database', 'collection', 'stray'), value)
      .map(([k, v]) => ({ ...NAMESPACE, ...objectOf([[k, v]]) })),
  },
)

const headers = fc.record({
  'Content-Type': fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom('application/json', 'application/ejson', 'Application/JSON; charset=utf-8'),
    },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
  ),
  Accept: fc.constantFrom('application/json', 'application/ejson', '*/*'),
})

/** A BSON date of 9e15 ms (year 287,396), past JavaScript's ±8.64e15: the driver writes the int64 it is given. */
const farDate = () => {
  const d = new Date(0)
  d.getTime = () => 9e15
  return d
}

// ---------------------------------------------------------------------------------------------
// The response encoder, on every value a driver can hand back (FerretDB stores fewer than MongoDB does)

/** Keys a stored sub-document may have that look like Extended JSON wrappers. */
const wrapperKey = fc.constantFrom(
  '$date',
  '$oid',
  '$numberLong',
  '$numberDecimal',
  '$code',
  '$minKey',
  '$regex',
  '$ref',
  '$id',
)

/** Plain JSON data, with sub-documents such as `{"$date": "x"}` that MongoDB 5+ lets a document hold. */
const { plainData } = fc.letrec<{ plainData: unknown }>((tie) => ({
  plainData: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    {
      weight: 4,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      ),
    },
    { weight: 1, arbitrary: fc.array(tie('plainData'), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(wrapperKey, fc.string({ maxLength: 4 })), tie('plainData')), {
          maxLength: 3,
        })
        .map(objectOf),
    },
    { weight: 2, arbitrary: fc.tuple(wrapperKey, tie('plainData')).map(([k, v]) => objectOf([[k, v]])) },
  ),
}))

/** Driver values: every BSON class, dates in and out of JavaScript's range, and plain data. */
const { driverValue } = fc.letrec<{ driverValue: unknown }>((tie) => ({
  driverValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: plainData },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.date(),
        fc.constant(new Date(Number.NaN)),
        fc.double().map((n) => n),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => BSON.Long.fromBigInt(n)),
        fc.integer().map((n) => new BSON.Int32(n)),
        fc.double().map((n) => new BSON.Double(n)),
        hex24.map((h) => new BSON.ObjectId(h)),
        fc.constantFrom('1.5', 'NaN', '-0', '1E+6144', '-Infinity').map((d) => BSON.Decimal128.fromString(d)),
        fc.uint8Array({ maxLength: 6 }).map((b) => new BSON.Binary(b)),
        fc.constantFrom(
          new BSON.MinKey(),
          new BSON.MaxKey(),
          new BSON.BSONRegExp('a+', 'i'),
          new BSON.BSONSymbol('s'),
        ),
        fc.record({ t: fc.nat(), i: fc.nat() }).map((t) => new BSON.Timestamp(t)),
        fc
          .tuple(fc.string(), fc.option(plainData))
          .map(([c, scope]) => new BSON.Code(c, scope as BSON.Document | null)),
        hex24.map((h) => new BSON.DBRef('c', new BSON.ObjectId(h), 'db', { extra: 1 })),
      ),
    },
    { weight: 1, arbitrary: fc.array(tie('driverValue'), { maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(wrapperKey, fc.string({ maxLength: 4 })), tie('driverValue')), {
          maxLength: 3,
        })
        .map(objectOf),
    },
  ),
}))

describe('the gateway response encoder, any stored document', () => {
  it('never throws, writes JSON, and writes plain data as it is stored', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fieldName, driverValue), { maxLength: 4 }).map(objectOf), (doc) => {
        for (const accept of ['application/json', 'application/ejson']) {
          const { text } = encode({ documents: [doc] }, accept)
          assert.doesNotThrow(() => JSON.parse(text), text)
        }
      }),
      fuzzParams(RUNS * 4),
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(fieldName, plainData), { maxLength: 4 }).map(objectOf), (doc) => {
        const { text } = encode({ documents: [doc] }, 'application/json')
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify({ documents: [doc] })))
      }),
      fuzzParams(RUNS * 4),
    )
  })
})

describe('the Data API gateway, any request body, on FerretDB', () => {
  let mongo: MongoServer
  let client: MongoClient
  let app: ReturnType<typeof createGatewayApp>

  before(async () => {
    mongo = await startMongo()
    client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
    await client
      .db(DB)
      .collection(COLL)
      .insertMany([
        {
          a: 1,
          b: 'x',
          c: [1, 2, { d: 3 }],
          e: { f: 'g' },
          when: new Date(Date.UTC(2020, 11, 9)),
          tags: ['p', 'q'],
        },
        { a: 2, b: 'y', n: Long.fromString('9007199254740993'), i: new Int32(7), ref: new ObjectId() },
        { a: 'text', e: null, tags: [] },
        // A row another client wrote: a date past JavaScript's range, read back as an Invalid Date.
        { a: 3, when: farDate() },
      ])
    const keys = await parseApiKeys(`admin:${KEY}@${DB}.*=readWrite`)
    if (!keys.ok) throw new Error(keys.errors.join('; '))
    app = createGatewayApp({
      config: {
        keys: keys.keys,
        dataSource: 'mongodb-atlas',
        bodyLimit: 16_384,
        maxDocuments: 100,
        maxTimeMS: MAX_TIME_MS,
        maxResponseBytes: 65_536,
      },
      client,
    })
  })

  after(async () => {
    await client?.close()
    await mongo?.dispose()
  })

  const post = async (action: string, body: unknown, h: Record<string, string>) => {
    const text = JSON.stringify(body)
    const res = await within(
      Promise.resolve(
        app.request(`/action/${action}`, { method: 'POST', headers: { ...h, 'api-key': KEY }, body: text }),
      ),
      HANG_MS,
      `${action} ${text}`,
    )
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() }
  }

  /** A plain read any client could send: it must still work whatever came before. */
  const assertDatabaseAnswers = async (after: string) => {
    const r = await post(
      'findOne',
      { dataSource: 'mongodb-atlas', database: DB, collection: COLL, filter: {} },
      {
        'Content-Type': 'application/json',
      },
    )
    assert.equal(r.status, 200, `a plain findOne after ${after}: ${r.status} ${r.text}`)
  }

  const SUCCESS_KEYS: Record<keyof typeof REQUESTS, string[][]> = {
    find: [['documents']],
    findOne: [['document']],
    aggregate: [['documents']],
    updateOne: [
      ['matchedCount', 'modifiedCount'],
      ['matchedCount', 'modifiedCount', 'upsertedId'],
    ],
    insertOne: [['insertedId']],
  }

  for (const action of Object.keys(REQUESTS) as Array<keyof typeof REQUESTS>) {
    it(`${action}: a 2xx or a 4xx {error, error_code}, and the database still answers`, async () => {
      await fc.assert(
        fc.asyncProperty(envelope, REQUESTS[action], headers, async (env, fields, h) => {
          const body = { ...env, ...fields }
          const r = await post(action, body, h)
          const what = `${action} ${r.status} ${r.text.slice(0, 300)}`
          assert.ok(r.status < 500, `a 5xx: ${what}`)
          assert.ok(r.status >= 200 && r.status < 300 ? true : r.status >= 400, what)
          if (r.status < 300) {
            assert.match(r.type, /^application\/e?json/, what)
            const parsed = JSON.parse(r.text) as Record<string, unknown>
            assert.ok(
              SUCCESS_KEYS[action].some(
                (keys) => JSON.stringify(Object.keys(parsed)) === JSON.stringify(keys),
              ),
              what,
            )
            if ('documents' in parsed) assert.ok(Array.isArray(parsed.documents), what)
          } else {
            assert.match(r.type, /^application\/json/, what)
            const parsed = JSON.parse(r.text) as Record<string, unknown>
            assert.deepEqual(Object.keys(parsed), ['error', 'error_code'], what)
            assert.equal(typeof parsed.error, 'string', what)
            assert.equal(typeof parsed.error_code, 'string', what)
          }
          await assertDatabaseAnswers(`${action} ${JSON.stringify(body).slice(0, 300)}`)
        }),
        fuzzParams(RUNS),
      )
    })
  }

  it('keeps the counterexamples the properties found answered', async () => {
    const json = { 'Content-Type': 'application/json' }
    // A regular expression MongoDB takes and JavaScript does not: every read of its row answered 500.
    const regex = { $regularExpression: { pattern: '(?i)a++(', options: 'imsx' } }
    const inserted = await post('insertOne', { ...NAMESPACE, document: { a: 'regex', r: regex } }, json)
    assert.equal(inserted.status, 200, inserted.text)
    const read = await post('find', { ...NAMESPACE, filter: { a: 'regex' } }, json)
    assert.equal(read.status, 200, read.text)
    assert.deepEqual((JSON.parse(read.text) as { documents: Array<{ r: unknown }> }).documents[0]?.r, regex)
    // An upsert matching on the empty field name: FerretDB dropped the connection.
    const upsert = await post(
      'updateOne',
      { ...NAMESPACE, filter: { '': 1 }, update: { $set: { a: 1 } }, upsert: true },
      json,
    )
    assert.equal(upsert.status, 400, upsert.text)
    await assertDatabaseAnswers('the counterexamples')
  })

  it('still answers a plain findOne after every run', async () => {
    await assertDatabaseAnswers('the whole run')
  })
})
