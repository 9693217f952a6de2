import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BSON } from 'mongodb'
import { DataApiHttpError } from '#src/gateway/errors.js'
import { checkNamedFilter } from '#src/gateway/filters.js'

/** As the gateway reads a body: Extended JSON parsed, so `$oid`, `$date` and `$regex` are BSON values. */
const ejson = (value: unknown) =>
  BSON.EJSON.parse(JSON.stringify(value), { relaxed: true }) as Record<string, unknown>

const refused = (filter: unknown, use: 'read' | 'write') => {
  try {
    checkNamedFilter(ejson(filter), use)
  } catch (e) {
    assert.ok(e instanceof DataApiHttpError)
    assert.equal(e.status, 403)
    assert.equal(e.code, 'Forbidden')
    return e.message
  }
  return null
}

describe('filters of a key without find (issue 19, item 3: findOne listed a collection)', () => {
  it('refuses every operator that makes a listing, on reads and writes', () => {
    const seen = ['user01', 'user02']
    for (const filter of [
      { username: { $nin: seen } },
      { username: { $ne: 'user01' } },
      { username: { $in: seen } },
      { username: { $not: { $eq: 'user01' } } },
      { username: { $exists: true } },
      { username: { $regex: '^u' } },
      { username: { $regex: '^u', $options: 'i' } },
      { username: { $type: 'string' } },
      { username: { $eq: 'user01', $ne: 'x' } },
      { username: { $eq: { $regex: '.' } } },
      { tags: { $elemMatch: { $ne: 1 } } },
      { $or: [{ username: 'a' }, { username: { $ne: 'a' } }] },
      { $and: [{ username: 'a' }] },
      { $nor: [{ username: 'a' }] },
      { $expr: { $gt: ['$a', 1] } },
      { $text: { $search: 'a' } },
      { $comment: 'x', username: 'a' },
      { nested: { a: { $ne: 1 } } },
      { list: [{ $regex: '.' }] },
    ]) {
      for (const use of ['read', 'write'] as const) {
        const message = refused(filter, use)
        assert.ok(message, `${use} ${JSON.stringify(filter)} passed`)
        assert.match(message, /names documents by equality only/)
        assert.ok(!message.includes('user01'), 'the message names no value')
      }
    }
  })

  it('refuses ranges on reads, and on writes unless a field is matched by equality', () => {
    assert.ok(refused({ _id: { $gt: { $oid: '0'.repeat(24) } } }, 'read'))
    assert.ok(refused({ key: 'k', expire: { $gt: { $date: '2026-01-01T00:00:00Z' } } }, 'read'))
    assert.match(refused({ expire: { $gt: 1 } }, 'write') ?? '', /beside a field matched by equality/)
    assert.ok(refused({ key: 'k', expire: { $gt: [1] } }, 'write'), 'a range over an array')
  })

  it('passes every filter the Worker sends (src/store/data-api/*.ts)', () => {
    const id = { $oid: 'a'.repeat(24) }
    for (const [filter, use] of [
      [{}, 'read'], // layout(): one document of schedules
      [{ username: 'user01' }, 'read'], // a login, an admin's lookup by name
      [{ _id: id }, 'read'], // by id: schedules, streamers, accounts, the document after an update
      [{ _id: null }, 'read'], // ping()
      [{ _id: 'sha256-of-a-feed-secret' }, 'read'], // a feed's poll
      [{ key: 'consecutive:user01' }, 'read'], // a login counter's get
      [{ key: 'address:127.0.0.1', expire: { $gt: { $date: { $numberLong: '1700000000000' } } } }, 'write'],
      [{ key: 'address:127.0.0.1' }, 'write'], // a counter's set (upsert) and delete
      [{ username: 'user01', password: 'password02' }, 'write'], // the password upgrade
      [{ _id: id }, 'write'], // an admin's update or delete by id
      [{ username: 'user01', id: 'feed-id' }, 'write'], // a feed's revoke
      [
        {
          username: { $eq: 'user01' },
          n: 1,
          flag: true,
          none: null,
          when: { $date: '2026-01-01T00:00:00Z' },
        },
        'read',
      ],
      [{ doc: { a: 1, b: [1, 'x'] } }, 'read'], // an embedded document, matched whole
    ] as const) {
      assert.equal(refused(filter, use), null, `${use} ${JSON.stringify(filter)}`)
    }
    checkNamedFilter(undefined, 'read')
  })
})
