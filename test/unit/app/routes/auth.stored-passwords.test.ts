import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp } from '../../../support/app.js'

/** passlib's `bcrypt.using(rounds=4).hash('pässword01')` (test/unit/auth/password.test.ts): below cost 10. */
const BCRYPT_COST_4 = '$2b$04$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq'

const setup = async (env: Record<string, string> = {}) => {
  const planted = await hashPassword('attacker-choice', 1)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'planted', password: planted },
      { id: '2', username: 'cheap-bcrypt', password: BCRYPT_COST_4 },
      { id: '3', username: 'legacy', password: 'password02' },
      { id: '4', username: 'dollar', password: '$ecret-passw0rd' },
      {
        id: '5',
        username: 'strong',
        password: await hashPassword('password01', HASH_FLOORS.pbkdf2Iterations),
      },
    ],
  })
  let peer = 0
  const { app, lines } = testApp({
    env,
    store,
    logLevel: 'info',
    // A new address per login: what is tested is the verdict, not the throttle.
    peerAddress: () => `198.51.100.${++peer}`,
  })
  const login = (username: string, password: string) =>
    app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  const refusals = () =>
    lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'stored password refused')
      .map(({ level, username, reason }) => ({ level, username, reason }))
  return { login, lines, store, refusals, planted }
}

describe('stored passwords no login may open', () => {
  it('refuses a hash below the floors like a wrong password, with a warning naming the user (issue 19, item 3)', async () => {
    const { login, lines, refusals, planted } = await setup()
    assert.equal((await login('planted', 'attacker-choice')).status, 401)
    assert.equal((await login('cheap-bcrypt', 'pässword01')).status, 401)
    assert.equal((await login('strong', 'password01')).status, 200)
    assert.deepEqual(refusals(), [
      { level: 'warn', username: 'planted', reason: 'weak hash' },
      { level: 'warn', username: 'cheap-bcrypt', reason: 'weak hash' },
    ])
    const all = lines.join('\n')
    for (const secret of [planted, BCRYPT_COST_4, 'attacker-choice', 'pässword01'])
      assert.ok(!all.includes(secret), 'a secret reached the log')
  })

  it('logs a plain-text record refused by LEGACY_PLAINTEXT_PASSWORDS=reject (issue 21, item 8)', async () => {
    const { login, lines, refusals } = await setup({ LEGACY_PLAINTEXT_PASSWORDS: 'reject' })
    assert.equal((await login('legacy', 'password02')).status, 401)
    assert.deepEqual(refusals(), [{ level: 'warn', username: 'legacy', reason: 'plain text' }])
    assert.ok(!lines.join('\n').includes('password02'), 'the password reached the log')
    // An unknown user, a wrong password: nothing to mend, no such line.
    assert.equal((await login('nobody', 'x')).status, 401)
    assert.equal((await login('strong', 'wrong')).status, 401)
    assert.equal(refusals().length, 1)
  })

  it('logs in once with a plain-text password that starts with $, and stores its hash (issue 19, item 7)', async () => {
    const { login, store, refusals } = await setup()
    assert.equal((await login('dollar', '$ecret-passw0rd')).status, 200)
    assert.match((await store.findUserByUsername('dollar'))?.password ?? '', /^\$pbkdf2-sha256\$i=600000\$/)
    assert.equal((await login('dollar', '$ecret-passw0rd')).status, 200)
    assert.deepEqual(refusals(), [])
  })
})
