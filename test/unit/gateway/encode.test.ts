import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BSON } from 'mongodb'
import { encode } from '#src/gateway/encode.js'

const json = (value: unknown) => JSON.parse(encode(value, 'application/json').text)

describe('the gateway response encoder', () => {
  it('writes driver values as the Data API did: hex ObjectIds, ISO dates, numbers', () => {
    assert.deepEqual(
      json({
        id: new BSON.ObjectId('5fd0a0000000000000000000'),
        when: new Date(Date.UTC(2020, 11, 9)),
        n: BSON.Long.fromString('42'),
        d: BSON.Decimal128.fromString('1.5'),
        i: new BSON.Int32(7),
        x: new BSON.Double(Number.NaN),
      }),
      {
        id: '5fd0a0000000000000000000',
        when: '2020-12-09T00:00:00.000Z',
        n: 42,
        d: '1.5',
        i: 7,
        x: { $numberDouble: 'NaN' },
      },
    )
  })

  it('writes a stored sub-document that looks like a wrapper as it is stored (it used to answer 500)', () => {
    const doc = { a: { $date: 'x' }, b: { $date: 1e20 }, c: { $oid: { x: 1 } }, d: { $date: null } }
    assert.deepEqual(json({ documents: [doc] }), { documents: [doc] })
  })

  it('writes a date past JavaScript range (an Invalid Date from the driver) as null, not a 500', () => {
    assert.deepEqual(json({ document: { when: new Date(Number.NaN) } }), { document: { when: null } })
  })
})
