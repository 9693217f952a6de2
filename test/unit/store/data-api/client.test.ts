import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromEjson } from '#src/store/data-api/client.js'

describe('the Data API client', () => {
  it('decodes relaxed and canonical Extended JSON wrappers', () => {
    assert.deepEqual(
      fromEjson({
        _id: { $oid: '5f0000000000000000000001' },
        id: { $numberInt: '7' },
        n: { $numberLong: '12' },
        at: { $date: { $numberLong: '0' } },
        list: [{ $numberDouble: '1.5' }],
      }),
      {
        _id: '5f0000000000000000000001',
        id: 7,
        n: 12,
        at: new Date(0),
        list: [1.5],
      },
    )
  })
})
