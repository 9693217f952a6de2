import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hashSync } from 'bcryptjs'
import { createFailurePace } from '#src/auth/failure-pace.js'
import { HASH_FLOORS, type Hasher, hashPassword, inlineHasher } from '#src/auth/password.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock } from '../../../support/app.js'

/**
 * The contract: unknown user and wrong password indistinguishable, timing included. With the 2024
 * service's bcrypt records beside PBKDF2 ones, the PBKDF2 dummy of an unknown user answered sooner
 * than a bcrypt user's wrong password. Time is the test clock, moved by the hasher as each kind of
 * hash costs on this machine (PBKDF2 at the floor ~100 ms, bcrypt cost 12 ~230 ms), and the holds
 * are recorded instead of slept: what is asserted is when each failure would be answered.
 */
const setup = async () => {
  const clock = testClock()
  const COST = { pbkdf2: 100, bcrypt: 230 }
  const hasher: Hasher = {
    pbkdf2: async (...args) => {
      const out = await inlineHasher.pbkdf2(...args)
      clock.advance(COST.pbkdf2)
      return out
    },
    bcrypt: async (...args) => {
      const out = await inlineHasher.bcrypt(...args)
      clock.advance(COST.bcrypt)
      return out
    },
  }
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'bcrypt-user', password: hashSync('password01', HASH_FLOORS.bcryptCost) },
      {
        id: '2',
        username: 'pbkdf2-user',
        password: await hashPassword('password02', HASH_FLOORS.pbkdf2Iterations),
      },
    ],
  })
  const holds: number[] = []
  let peer = 0
  const { app } = testApp({
    store,
    clock,
    hasher,
    failurePace: createFailurePace({ sleep: async (ms) => void holds.push(ms) }),
    // A new address per login: the throttle is not what is tested.
    peerAddress: () => `198.51.100.${++peer}`,
  })
  // Each failed login's answer time on the test clock: its check's cost plus its hold.
  const answeredAfter = async (username: string, password: string) => {
    const before = clock.now()
    const held = holds.length
    const res = await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    return { status: res.status, ms: clock.now() - before + holds.slice(held).reduce((a, b) => a + b, 0) }
  }
  return { answeredAfter, holds }
}

describe('failed logins answered at one time, whatever the record holds', () => {
  it('an unknown user, a bcrypt user and a PBKDF2 user with wrong passwords end together', async () => {
    const { answeredAfter, holds } = await setup()
    // Both kinds seen once (successful logins are never held).
    assert.equal((await answeredAfter('bcrypt-user', 'password01')).status, 200)
    assert.equal((await answeredAfter('pbkdf2-user', 'password02')).status, 200)
    assert.deepEqual(holds, [])
    const unknown = await answeredAfter('nobody', 'password01')
    const bcrypt = await answeredAfter('bcrypt-user', 'wrong-password')
    const pbkdf2 = await answeredAfter('pbkdf2-user', 'wrong-password')
    assert.deepEqual(
      [unknown, bcrypt, pbkdf2].map((r) => r.status),
      [401, 401, 401],
    )
    // Without the hold the unknown user answered after 100, the bcrypt user after 230.
    assert.equal(bcrypt.ms, unknown.ms)
    assert.equal(pbkdf2.ms, unknown.ms)
    assert.ok(unknown.ms >= 230, `answered after ${unknown.ms}`)
  })
})
