import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type MongoClient, MongoServerError } from 'mongodb'
import { createGatewayApp } from '#src/gateway/create-gateway-app.js'
import { parseApiKeys } from '#src/gateway/keys.js'

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
