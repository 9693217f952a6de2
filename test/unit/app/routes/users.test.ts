import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { issueAccessToken } from '#src/auth/token.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'

const NOW = Date.UTC(2024, 0, 10, 3)

const setup = async () => {
  const hash = await hashPassword('password01', HASH_FLOORS.pbkdf2Iterations)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'user01', password: hash, documentId: '000000000000000000000001' },
      { id: '9', username: 'root', password: hash, admin: true, documentId: '000000000000000000000009' },
    ],
  })
  const clock = testClock(NOW)
  const config = { ...testConfig(), passwordIterations: HASH_FLOORS.pbkdf2Iterations }
  const { app } = testApp({ store, clock, config })
  const send = async (method: string, path: string, username: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${await issueAccessToken(config.jwt, username, clock.now())}`,
        'Content-Type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const token = (username: string, password: string) =>
    app.request('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    })
  return { store, clock, send, token, app, config }
}

describe('/users (admin only, never a password)', () => {
  it('answers 403 Not allowed to a user who is not an admin', async () => {
    const { send } = await setup()
    for (const [method, path] of [
      ['GET', '/users'],
      ['GET', '/users/000000000000000000000009'],
      ['POST', '/users'],
      ['PUT', '/users/000000000000000000000001'],
      ['DELETE', '/users/000000000000000000000009'],
    ] as const) {
      const res = await send(
        method,
        path,
        'user01',
        method === 'GET' ? undefined : { username: 'x', password: 'y' },
      )
      assert.equal(res.status, 403, `${method} ${path}`)
      assert.deepEqual(await res.json(), { message: 'Not allowed' })
    }
  })

  it('lists users for an admin, without any password or hash', async () => {
    const { send } = await setup()
    const res = await send('GET', '/users', 'root')
    assert.equal(res.status, 200)
    const text = await res.text()
    assert.doesNotMatch(text, /password|pbkdf2/)
    assert.deepEqual(JSON.parse(text), {
      users: [
        {
          id: '000000000000000000000009',
          username: 'root',
          firstname: null,
          lastname: null,
          disabled: false,
          admin: true,
        },
        {
          id: '000000000000000000000001',
          username: 'user01',
          firstname: null,
          lastname: null,
          disabled: false,
          admin: false,
        },
      ],
    })
  })

  it('adds a user whose password is stored hashed and logs in; a taken name is 409', async () => {
    const { send, store, token } = await setup()
    const res = await send('POST', '/users', 'root', {
      username: 'carol',
      password: 'carol-pass',
      firstname: 'Carol',
    })
    assert.equal(res.status, 201)
    const account = (await res.json()) as { id: string; firstname: string }
    assert.equal(account.firstname, 'Carol')
    assert.match((await store.findUserByUsername('carol'))?.password ?? '', /^\$pbkdf2-sha256\$/)
    assert.equal((await token('carol', 'carol-pass')).status, 200)
    const again = await send('POST', '/users', 'root', { username: 'carol', password: 'other-pass' })
    assert.equal(again.status, 409)
    assert.deepEqual(await again.json(), { message: 'The entity already exists', identifier: 'carol' })
  })

  it('changes only the fields sent; a new password refuses the older tokens; disables; removes', async () => {
    const { send, clock, token } = await setup()
    const before = await send('GET', '/schedules', 'user01')
    assert.equal(before.status, 200)
    const id = '000000000000000000000001'
    const changed = await send('PUT', `/users/${id}`, 'root', { lastname: 'One' })
    assert.deepEqual(await changed.json(), {
      id,
      username: 'user01',
      firstname: null,
      lastname: 'One',
      disabled: false,
      admin: false,
    })
    clock.advance(5000)
    await send('PUT', `/users/${id}`, 'root', { password: 'new-password' })
    clock.advance(5000)
    assert.equal((await token('user01', 'password01')).status, 401)
    assert.equal((await token('user01', 'new-password')).status, 200)
    await send('PUT', `/users/${id}`, 'root', { disabled: true })
    clock.advance(5000)
    assert.equal((await token('user01', 'new-password')).status, 401)
    assert.equal((await send('DELETE', `/users/${id}`, 'root')).status, 204)
    assert.equal((await send('GET', `/users/${id}`, 'root')).status, 404)
    assert.equal((await send('DELETE', '/users/nope', 'root')).status, 404)
  })

  it('answers 422 {} for a body off the schema', async () => {
    const { send } = await setup()
    for (const bad of [{}, { username: 'x' }, { username: 'x', password: 'y', admin: 'yes' }]) {
      const res = await send('POST', '/users', 'root', bad)
      assert.equal(res.status, 422)
      assert.deepEqual(await res.json(), {})
    }
  })

  it('refuses a new password shorter than 8 characters (NIST SP 800-63B), counted as code points', async () => {
    const { send, token, store } = await setup()
    for (const password of ['short', 'seven c', '\u{1F600}'.repeat(4)]) {
      const res = await send('POST', '/users', 'root', { username: 'dora', password })
      assert.equal(res.status, 422, JSON.stringify(password))
      assert.deepEqual(await res.json(), {})
      const put = await send('PUT', '/users/000000000000000000000001', 'root', { password })
      assert.equal(put.status, 422, JSON.stringify(password))
    }
    assert.equal(await store.findUserByUsername('dora'), null)
    assert.equal((await token('user01', 'password01')).status, 200, 'the old password still works')
    for (const [username, password] of [
      ['dora', 'eight ch'],
      ['emil', '\u{1F600}'.repeat(8)],
    ] as const) {
      assert.equal((await send('POST', '/users', 'root', { username, password })).status, 201, username)
      assert.equal((await token(username, password)).status, 200, username)
    }
  })

  it("refuses a removed user's tokens when a user of the same name is added again", async () => {
    const { send, clock, app, config } = await setup()
    const oldToken = await issueAccessToken(config.jwt, 'user01', clock.now())
    const read = () => app.request('/schedules', { headers: { Authorization: `Bearer ${oldToken}` } })
    assert.equal((await read()).status, 200)
    assert.equal((await send('DELETE', '/users/000000000000000000000001', 'root')).status, 204)
    clock.advance(5000)
    assert.equal(
      (await send('POST', '/users', 'root', { username: 'user01', password: 'another one' })).status,
      201,
    )
    const again = await read()
    assert.equal(again.status, 401)
    assert.deepEqual(await again.json(), { message: 'Could not validate credentials' })
  })

  it('refuses them at once, and those of the same second, when the name was removed elsewhere (the CLI) and added here', async () => {
    const { send, clock, app, config, store } = await setup()
    const oldToken = await issueAccessToken(config.jwt, 'user01', clock.now())
    const read = () => app.request('/schedules', { headers: { Authorization: `Bearer ${oldToken}` } })
    // Read once: this process now caches user01 for USER_CACHE_TTL.
    assert.equal((await read()).status, 200)
    // Removed by another process, then added through this one in the same second.
    assert.equal(await store.removeUser('user01'), true)
    clock.advance(100)
    assert.equal(
      (await send('POST', '/users', 'root', { username: 'user01', password: 'another one' })).status,
      201,
    )
    const again = await read()
    assert.equal(again.status, 401)
    assert.deepEqual(await again.json(), { message: 'Could not validate credentials' })
  })

  it('reaches the user at once: no waiting out the cache of verified users', async () => {
    const { send } = await setup()
    assert.equal((await send('GET', '/schedules', 'user01')).status, 200)
    await send('PUT', '/users/000000000000000000000001', 'root', { disabled: true })
    const res = await send('GET', '/schedules', 'user01')
    assert.equal(res.status, 400)
    assert.equal(((await res.json()) as { message: string }).message, 'Inactive user')
    await send('DELETE', '/users/000000000000000000000001', 'root')
    assert.equal((await send('GET', '/schedules', 'user01')).status, 401)
  })
})
