import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createPasswordVerifier, hashPassword, type PasswordVerifier } from '#src/auth/password.js'
import { issueToken } from '#src/auth/token.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { sampleHolodules } from '#src/store/memory/sample-data.js'
import { testApp } from '../../../support/app.js'

const ITERATIONS = 600_000

const setup = async (env: Record<string, string> = {}) => {
  const store = new MemoryStore({
    users: [{ id: '1', username: 'user01', password: await hashPassword('password01', ITERATIONS) }],
    holodules: sampleHolodules(Date.now()),
  })
  const real = createPasswordVerifier(ITERATIONS)
  let hashes = 0
  const passwords: PasswordVerifier = {
    verify: (p, s) => {
      hashes++
      return real.verify(p, s)
    },
  }
  // Throttled answers at once: their hold is the throttle's own case (login-throttle.test.ts).
  // Every request of this test comes from one address, as the runtime would report it.
  const { app, config } = testApp({
    env: { LOGIN_MAX_CONSECUTIVE_FAILS: '3', LOGIN_THROTTLE_DELAY_MS: '0', ...env },
    store,
    passwords,
    peerAddress: () => '198.51.100.7',
  })
  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    })
  return { app, login, hashes: () => hashes, config }
}

describe('POST /auth throttling', () => {
  it('answers 429 in the contract shape with Retry-After, without hashing, for known and unknown users alike', async () => {
    const { login, hashes } = await setup()
    for (const user of ['user01', 'nobody']) {
      for (let i = 0; i < 3; i++) assert.equal((await login(user, 'wrong')).status, 401)
    }
    const before = hashes()
    const known = await login('user01', 'password01')
    const unknown = await login('nobody', 'password01')
    assert.equal(hashes(), before)
    for (const res of [known, unknown]) {
      assert.equal(res.status, 429)
      assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
      assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
      assert.equal(
        await res.text(),
        '{"status_code":429,"error":"Too Many Requests","description":"Too many login attempts"}',
      )
    }
  })

  it('counts the address TRUST_PROXY names, and ignores X-Forwarded-For without it', async () => {
    const trusted = await setup({ TRUST_PROXY: '1' })
    for (let i = 0; i < 3; i++) await trusted.login('user01', 'wrong', { 'X-Forwarded-For': '203.0.113.1' })
    assert.equal(
      (await trusted.login('user01', 'password01', { 'X-Forwarded-For': '203.0.113.1' })).status,
      429,
    )
    assert.equal(
      (await trusted.login('user01', 'password01', { 'X-Forwarded-For': '203.0.113.2' })).status,
      200,
    )

    const untrusted = await setup()
    for (let i = 0; i < 3; i++)
      await untrusted.login('user01', 'wrong', { 'X-Forwarded-For': `203.0.113.${i}` })
    // A client cannot pick a new address by sending a header: it is still the peer.
    assert.equal(
      (await untrusted.login('user01', 'password01', { 'X-Forwarded-For': '203.0.113.9' })).status,
      429,
    )
  })

  it('never touches GET: a logged-in client keeps reading while its address is throttled', async () => {
    const { app, login, config } = await setup()
    for (let i = 0; i < 4; i++) await login('user01', 'wrong')
    const token = await issueToken(config.jwt, 'user01', Date.now())
    const day = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '')
    const res = await app.request(`/holodules/${day}`, { headers: { Authorization: `JWT ${token}` } })
    assert.ok(res.status === 200 || res.status === 404, String(res.status))
  })
})

describe('tokens after a password change', () => {
  it('refuses a token issued before the password changed, in its second too; accepts one issued after', async () => {
    const store = new MemoryStore({
      users: [{ id: '1', username: 'user01', password: 'password01' }],
      holodules: sampleHolodules(Date.now()),
    })
    const { app, config } = testApp({ env: { USER_CACHE_TTL: '0' }, store })
    const now = Date.now()
    const day = new Date(now + 9 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '')
    const get = async (iatMs: number) =>
      app.request(`/holodules/${day}`, {
        headers: { Authorization: `JWT ${await issueToken(config.jwt, 'user01', iatMs)}` },
      })
    const old = now - 60_000
    assert.ok([200, 404].includes((await get(old)).status))
    await store.setPassword('user01', await hashPassword('new password', ITERATIONS), now - 10_000)
    const refused = await get(old)
    assert.equal(refused.status, 401)
    assert.equal(
      await refused.text(),
      '{"status_code":401,"error":"Invalid token","description":"Token was issued before the password changed"}',
    )
    // Issued in the second of the change: refused too (issue 19: its iat cannot tell before from
    // after, and a login in that second is issued the next one). From the next second: accepted.
    assert.equal((await get(now - 10_000)).status, 401)
    assert.ok([200, 404].includes((await get(now - 9_000)).status))
    assert.ok([200, 404].includes((await get(now)).status))
  })
})

describe('POST /login throttling (the second generation)', () => {
  it('shares the counters with /auth and answers 429 {"error": "Too Many Requests"} with Retry-After', async () => {
    const { app, login, hashes } = await setup()
    const loginV2 = (username: string, password: string) =>
      app.request('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      })
    // Failures through either generation count for the same (user name, address).
    assert.equal((await login('user01', 'wrong')).status, 401)
    assert.equal((await loginV2('user01', 'wrong')).status, 401)
    assert.equal((await loginV2('user01', 'wrong')).status, 401)
    const before = hashes()
    const res = await loginV2('user01', 'password01')
    assert.equal(hashes(), before)
    assert.equal(res.status, 429)
    assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
    assert.equal(await res.text(), '{"error":"Too Many Requests"}')
    assert.equal((await login('user01', 'password01')).status, 429)
  })
})
