import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createFailurePace } from '#src/auth/failure-pace.js'

describe('failure pace', () => {
  it('holds nothing until a check has been observed', () => {
    assert.equal(createFailurePace().holdMs(0), 0)
  })

  it('holds every failure to 1.25 x the dearest kind of check, whatever the failed check cost', () => {
    const pace = createFailurePace()
    pace.observe('pbkdf2', 100)
    pace.observe('bcrypt', 240)
    // An unknown user (the PBKDF2 dummy) and a bcrypt user's wrong password end together: at 300.
    assert.equal(100 + pace.holdMs(100), 300)
    assert.equal(240 + pace.holdMs(240), 300)
    // A check that ran past the target is not held at all.
    assert.equal(pace.holdMs(400), 0)
  })

  it('follows each kind by a running mean, and ignores readings that are no duration', () => {
    const pace = createFailurePace()
    pace.observe('bcrypt', 200)
    pace.observe('bcrypt', 300) // 200 * 0.8 + 300 * 0.2 = 220
    pace.observe('bcrypt', Number.NaN)
    pace.observe('bcrypt', -5)
    assert.equal(pace.holdMs(0), 275)
  })

  it('waits through the sleep it is given', async () => {
    const slept: number[] = []
    const pace = createFailurePace({ sleep: async (ms) => void slept.push(ms) })
    await pace.hold(50)
    pace.observe('pbkdf2', 80)
    await pace.hold(50)
    await pace.hold(500)
    assert.deepEqual(slept, [50])
  })
})
