import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type MongoClient, MongoServerError } from 'mongodb'
import { createGatewayApp } from '#src/gateway/create-gateway-app.js'
import { parseApiKeys } from '#src/gateway/keys.js'
import { createJsonLogger } from '#src/lib/logger.js'

const KEY = 'unit-key-0123456789abcdefghijklmnopqrstuv'

/** A driver stand-in that records each call's options and answers from `result`. */
const fakeClient = (calls: { method: string; options: unknown }[], fail?: Error) => {
  const cursor = (method: string, options: unknown) => {
    calls.push({ method, options })
    const c = {
      sort: () => c,
      skip: () => c,
      limit: () => c,
      async *[Symbol.asyncIterator]() {
        if (fail) throw fail
        yield { a: 1 }
      },
    }
    return c
  }
  const op =
    (method: string, result: unknown) =>
    async (_f: unknown, ...rest: unknown[]) => {
      calls.push({ method, options: rest.at(-1) })
      if (fail) throw fail
      return result
    }
  const update = { matchedCount: 0, modifiedCount: 0, upsertedId: null }
  const collection = {
    find: (_f: unknown, options: unknown) => cursor('find', options),
    aggregate: (_p: unknown, options: unknown) => cursor('aggregate', options),
    findOne: op('findOne', null),
    updateOne: op('updateOne', update),
    updateMany: op('updateMany', update),
    replaceOne: op('replaceOne', update),
    deleteOne: op('deleteOne', { deletedCount: 0 }),
    deleteMany: op('deleteMany', { deletedCount: 0 }),
  }
  return { db: () => ({ collection: () => collection }) } as unknown as MongoClient
}

const gateway = async (client: MongoClient) => {
  const keys = await parseApiKeys(`admin:${KEY}@db.*=readWrite`)
  assert.ok(keys.ok)
  return createGatewayApp({
    config: {
      keys: keys.keys,
      dataSource: 'mongodb-atlas',
      bodyLimit: 4096,
      maxDocuments: 100,
      maxTimeMS: 1234,
      maxResponseBytes: 65_536,
    },
    client,
  })
}

const post = (app: Awaited<ReturnType<typeof gateway>>, action: string, body: Record<string, unknown>) =>
  app.request(`/action/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'api-key': KEY },
    body: JSON.stringify({ dataSource: 'mongodb-atlas', database: 'db', collection: 'c', ...body }),
  })

describe('the gateway bounds each database call (DATA_API_MAX_TIME_MS)', () => {
  it('passes maxTimeMS to every query, update and delete', async () => {
    const calls: { method: string; options: unknown }[] = []
    const app = await gateway(fakeClient(calls))
    const update = { filter: {}, update: { $set: { a: 1 } } }
    for (const [action, body] of [
      ['find', {}],
      ['findOne', {}],
      ['aggregate', { pipeline: [] }],
      ['updateOne', update],
      ['updateMany', update],
      ['replaceOne', { filter: {}, replacement: { a: 1 } }],
      ['deleteOne', { filter: {} }],
      ['deleteMany', { filter: {} }],
    ] as const) {
      const res = await post(app, action, body)
      assert.equal(res.status, 200, action)
    }
    assert.equal(calls.length, 8)
    for (const call of calls)
      assert.equal((call.options as { maxTimeMS?: number }).maxTimeMS, 1234, call.method)
  })

  it('answers 504 Timeout when the database stops a query at maxTimeMS', async () => {
    const expired = new MongoServerError({
      code: 50,
      codeName: 'MaxTimeMSExpired',
      errmsg: 'operation exceeded',
    })
    const app = await gateway(fakeClient([], expired))
    const res = await post(app, 'find', {})
    assert.equal(res.status, 504)
    assert.deepEqual(await res.json(), {
      error: 'the database took longer than 1234 ms: narrow the query',
      error_code: 'Timeout',
    })
  })
})

describe('grants on users and wrong keys (issue 19, item 3)', () => {
  const config = async (grants: string) => {
    const keys = await parseApiKeys(`k:${KEY}@${grants}`)
    assert.ok(keys.ok)
    return {
      keys: keys.keys,
      dataSource: 'mongodb-atlas',
      bodyLimit: 4096,
      maxDocuments: 100,
      maxTimeMS: 1234,
      maxResponseBytes: 65_536,
    }
  }
  const send = (
    app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
    action: string,
    collection: string,
    body: Record<string, unknown>,
    key = KEY,
  ) =>
    app.request(`/action/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'api-key': key },
      body: JSON.stringify({ dataSource: 'mongodb-atlas', database: 'db', collection, ...body }),
    })

  it('updateOne granted on database.* does not reach users', async () => {
    const app = createGatewayApp({ config: await config('db.*=findOne+updateOne'), client: fakeClient([]) })
    const update = { filter: { username: 'u' }, update: { $set: { password: 'x' } } }
    const users = await send(app, 'updateOne', 'users', update)
    assert.equal(users.status, 403)
    assert.deepEqual(await users.json(), {
      error: 'this API key may not run updateOne on db.users',
      error_code: 'Forbidden',
    })
    assert.equal((await send(app, 'updateOne', 'things', update)).status, 200)
  })

  it('answers wrong keys past 10 per address 429 with Retry-After, logged without the key', async () => {
    const lines: string[] = []
    let now = 1_000_000
    const app = createGatewayApp({
      config: await config('db.c=findOne'),
      client: fakeClient([]),
      logger: createJsonLogger('debug', (line) => lines.push(line)),
      clock: { now: () => now },
      peerAddress: () => '192.0.2.1',
    })
    const wrong = `${KEY}x`
    for (let i = 0; i < 10; i++) assert.equal((await send(app, 'findOne', 'c', {}, wrong)).status, 401)
    const limited = await send(app, 'findOne', 'c', {}, wrong)
    assert.equal(limited.status, 429)
    assert.equal(limited.headers.get('Retry-After'), '60')
    assert.deepEqual(await limited.json(), {
      error: 'too many invalid API keys from this address: retry after 60 s',
      error_code: 'TooManyRequests',
    })
    assert.equal((await send(app, 'findOne', 'c', {})).status, 200, 'the right key is served')
    now += 60_000
    assert.equal((await send(app, 'findOne', 'c', {}, wrong)).status, 401, 'a new minute')
    const logged = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => String(l.msg).startsWith('invalid API key'))
    assert.deepEqual(
      logged.map((l) => [l.level, l.msg, l.address, l.failures]),
      [
        ...Array.from({ length: 10 }, (_, i) => ['warn', 'invalid API key', '192.0.2.1', i + 1]),
        ['warn', 'invalid API keys limited', '192.0.2.1', 11],
        ['warn', 'invalid API key', '192.0.2.1', 1],
      ],
    )
    assert.ok(!lines.join('\n').includes(KEY), 'a key reached the log')
  })
})
