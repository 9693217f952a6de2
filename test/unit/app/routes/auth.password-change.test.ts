import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodePart } from '#harness/tokens.js'
import type { PasswordVerifier } from '#src/auth/password.js'
import { issueAccessToken, issueBearerToken, issueToken } from '#src/auth/token.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'

// Issue 19, item 2: a token is bound to the account it was issued for, in every generation. A
// user's creation and each password change record the first second whose tokens are accepted
// (store/users.ts tokensValidFrom); a login in the second of a change waits for the next one.

/** 400 ms into a second, so that "the same second" has room before and after. */
const NOW = Date.UTC(2024, 0, 10, 3) + 400
/** The stored value is the password itself: what is under test is when tokens are issued, not hashing. */
const passwords: PasswordVerifier = {
  verify: async (password, stored) =>
    stored !== null && password === stored ? { ok: true, rehash: false } : { ok: false },
}

const setup = async () => {
  const store = new MemoryStore({
    users: [{ id: '1', username: 'user01', password: 'password01' }],
  })
  const clock = testClock(NOW)
  // USER_CACHE_TTL=0: what the store records is under test here, not how long a process caches it.
  const config = testConfig({ USER_CACHE_TTL: '0', LOGIN_MAX_INFLIGHT_PER_ADDRESS: '8' })
  const { app } = testApp({ store, clock, config, passwords, peerAddress: () => '198.51.100.7' })

  /** Each generation's token for user01, issued at `atMs`. */
  const tokens = async (atMs: number) => ({
    1: `JWT ${await issueToken(config.jwt, 'user01', atMs)}`,
    2: `Bearer ${await issueAccessToken(config.jwt, 'user01', atMs)}`,
    3: `Bearer ${await issueBearerToken(config.jwt, 'user01', atMs)}`,
  })
  /** A protected read of the generation: the first two read a day, the third the streamers. */
  const read = (generation: 1 | 2 | 3, authorization: string) =>
    app.request(generation === 3 ? '/streamers' : '/holodules/20240110', {
      headers: { Authorization: authorization },
    })
  const REFUSED = {
    1: {
      status_code: 401,
      error: 'Invalid token',
      description: 'Token was issued before the password changed',
    },
    2: { error: 'Unauthorized' },
    3: { message: 'Could not validate credentials' },
  } as const
  const assertRefused = async (
    t: Record<1 | 2 | 3, string>,
    what: string,
    generations: readonly (1 | 2 | 3)[] = [1, 2, 3],
  ) => {
    for (const g of generations) {
      const res = await read(g, t[g])
      assert.equal(res.status, 401, `generation ${g}, ${what}`)
      assert.deepEqual(await res.json(), REFUSED[g], `generation ${g}, ${what}`)
    }
  }
  const assertAccepted = async (
    t: Record<1 | 2 | 3, string>,
    what: string,
    generations: readonly (1 | 2 | 3)[] = [1, 2, 3],
  ) => {
    for (const g of generations) {
      // The day is empty: the first generation's 404 is past the guard, as the others' 200.
      assert.ok([200, 404].includes((await read(g, t[g])).status), `generation ${g}, ${what}`)
    }
  }
  const post = (path: string, body: string, type: string) =>
    app.request(path, { method: 'POST', headers: { 'Content-Type': type }, body })
  /** A login through each generation's route; its token as the generation sends it. */
  const login = async (password: string) => {
    const json = JSON.stringify({ username: 'user01', password })
    const form = new URLSearchParams({ username: 'user01', password }).toString()
    const answers = await Promise.all([
      post('/auth', json, 'application/json'),
      post('/login', json, 'application/json'),
      post('/token', form, 'application/x-www-form-urlencoded'),
    ])
    const t = await Promise.all(
      answers.map(async (res) => {
        assert.equal(res.status, 200)
        return ((await res.json()) as { access_token: string }).access_token
      }),
    )
    return { 1: `JWT ${t[0]}`, 2: `Bearer ${t[1]}`, 3: `Bearer ${t[2]}` } as Record<1 | 2 | 3, string>
  }
  return { store, clock, tokens, assertRefused, assertAccepted, login }
}

describe('tokens bound to the account they were issued for', () => {
  it("refuses a removed user's tokens of every generation once a user of that name is added again, those of the same second too", async () => {
    const { store, clock, tokens, assertRefused, assertAccepted } = await setup()
    const earlier = await tokens(clock.now() - 5000)
    const sameSecond = await tokens(clock.now())
    await assertAccepted(earlier, 'before the removal')
    await assertAccepted(sameSecond, 'before the removal')
    assert.equal(await store.removeUser('user01'), true)
    clock.advance(100)
    // As `holodule user add` and POST /users add a user: its creation counts as a password change.
    await store.addUser('user01', 'another password', clock.now())
    await assertRefused(earlier, 'issued seconds before the new account')
    await assertRefused(sameSecond, 'issued earlier in the second the new account was made')
  })

  it('refuses the tokens issued earlier in the second of a password change', async () => {
    const { store, clock, tokens, assertRefused, assertAccepted } = await setup()
    const sameSecond = await tokens(clock.now())
    await assertAccepted(sameSecond, 'before the change')
    clock.advance(100)
    assert.equal(await store.setPassword('user01', 'new password', clock.now()), true)
    await assertRefused(sameSecond, 'issued 100 ms before the change, in its second')
  })

  it('issues a login in the second of a change a token of the next second, which is accepted', async () => {
    const { store, clock, assertAccepted, login } = await setup()
    await store.setPassword('user01', 'new password', clock.now())
    // The logins wait for the next second (real time: the test's clock stands still, so each token
    // says the second the wait reached).
    const fresh = await login('new password')
    const next = Math.floor(NOW / 1000) + 1
    for (const g of [1, 2, 3] as const)
      assert.equal(decodePart(fresh[g].split(' ')[1] as string, 1).iat, next)
    clock.advance(600)
    await assertAccepted(fresh, 'issued after the change')
    // A login in a later second is issued at once, with its own second.
    clock.advance(5000)
    const later = await login('new password')
    for (const g of [1, 2, 3] as const)
      assert.equal(decodePart(later[g].split(' ')[1] as string, 1).iat, Math.floor(clock.now() / 1000))
    await assertAccepted(later, 'issued seconds after the change')
  })

  it("refuses a token without iat (the 2024 service's {sub, exp}) of a user whose change is recorded, under Bearer", async () => {
    const { store, assertAccepted, assertRefused } = await setup()
    const { sign } = await import('hono/jwt')
    const claims = { sub: 'user01', exp: Math.floor(NOW / 1000) + 900 }
    const iatless = `Bearer ${await sign(claims, testConfig().jwt.secret, 'HS256')}`
    // No change recorded (a user the 2024 service made): its tokens work here as there.
    await assertAccepted({ 1: '', 2: iatless, 3: iatless }, 'no change recorded', [2, 3])
    await store.setPassword('user01', 'new password', NOW - 60_000)
    // Nothing in it says when it was issued; it would live JWT_EXP_DELTA_MINUTES at most.
    await assertRefused({ 1: '', 2: iatless, 3: iatless }, 'without iat, after a change', [2, 3])
  })
})
