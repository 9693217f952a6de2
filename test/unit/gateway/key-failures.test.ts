import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createKeyFailureCounter } from '#src/gateway/key-failures.js'

describe('wrong API keys counted per address', () => {
  it('answers the wrong keys past the limit with the seconds left in the window', () => {
    const counter = createKeyFailureCounter({ limit: 3, windowMs: 60_000, maxAddresses: 100 })
    for (let i = 1; i <= 3; i++)
      assert.deepEqual(counter.fail('a', 1000), { failures: i, firstLimited: false })
    assert.deepEqual(counter.fail('a', 1000), { failures: 4, retryAfter: 60, firstLimited: true })
    assert.deepEqual(counter.fail('a', 30_500), { failures: 5, retryAfter: 31, firstLimited: false })
    assert.deepEqual(counter.fail('b', 30_500), { failures: 1, firstLimited: false }, 'another address')
    assert.deepEqual(counter.fail('a', 61_000), { failures: 1, firstLimited: false }, 'a new window')
  })

  it('remembers a bounded number of addresses', () => {
    const counter = createKeyFailureCounter({ limit: 1, windowMs: 60_000, maxAddresses: 2 })
    counter.fail('a', 0)
    counter.fail('b', 0)
    counter.fail('c', 0) // a is forgotten
    assert.equal(counter.fail('a', 0).failures, 1)
    assert.equal(counter.fail('c', 0).failures, 2)
  })
})
