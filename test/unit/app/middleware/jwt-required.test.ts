import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SECRET } from '#harness/fixtures.js'
import { issueAccessToken, issueToken } from '#src/auth/token.js'
import { parseConfig } from '#src/config/config.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp } from '../../../support/app.js'

const setup = (generations: string) => {
  const { app, config } = testApp({
    env: { AUTH_GENERATIONS: generations },
    store: new MemoryStore({ users: [{ id: '1', username: 'user01', password: 'password01' }] }),
  })
  const get = (authorization?: string) =>
    app.request('/holodules/20201209', authorization ? { headers: { Authorization: authorization } } : {})
  const post = (path: string) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'user01', password: 'password01' }),
    })
  return { config, get, post }
}

describe('AUTH_GENERATIONS', () => {
  it('1: /login and Bearer answer as if they did not exist', async () => {
    const { config, get, post } = setup('1')
    const login = await post('/login')
    assert.equal(login.status, 404)
    assert.deepEqual(await login.json(), { error: 'Not found' })
    const bearer = await get(`Bearer ${await issueAccessToken(config.jwt, 'user01', Date.now())}`)
    assert.equal(bearer.status, 401)
    assert.deepEqual(await bearer.json(), {
      status_code: 401,
      error: 'Invalid JWT header',
      description: 'Unsupported authorization type',
    })
    assert.equal((await post('/auth')).status, 200)
  })

  it("2: /auth and JWT answer as if they did not exist, in Flask-JWT-Extended's words", async () => {
    const { config, get, post } = setup('2')
    assert.equal((await post('/auth')).status, 404)
    const none = await get()
    assert.equal(none.status, 401)
    assert.deepEqual(await none.json(), { msg: 'Missing Authorization Header' })
    const jwt = await get(`JWT ${await issueToken(config.jwt, 'user01', Date.now())}`)
    assert.equal(jwt.status, 401)
    assert.deepEqual(await jwt.json(), {
      msg: "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
    })
    assert.equal((await post('/login')).status, 200)
  })

  it('refuses anything but a list of 1, 2 and 3, each once, naming the variable', () => {
    for (const value of ['4', '1,1', '1,2,3,1', '1;2', ' ', '12']) {
      const parsed = parseConfig({ JWT_SECRET_KEY: SECRET, AUTH_GENERATIONS: value })
      assert.equal(parsed.ok, false, value)
      if (!parsed.ok) assert.match(parsed.errors.join('\n'), /^AUTH_GENERATIONS: /m)
    }
    for (const value of ['3', '1,3', '3,2,1'])
      assert.equal(parseConfig({ JWT_SECRET_KEY: SECRET, AUTH_GENERATIONS: value }).ok, true, value)
  })
})
