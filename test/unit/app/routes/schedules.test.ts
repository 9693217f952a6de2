import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { issueAccessToken, issueToken } from '#src/auth/token.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'
import { LAYOUT_SEED } from '../../../support/layout-cases.js'

const NOW = Date.UTC(2024, 0, 10, 3)
const PASSWORD = 'password01'

const setup = async (env = {}) => {
  const hash = await hashPassword(PASSWORD, HASH_FLOORS.pbkdf2Iterations)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'user01', password: hash },
      { id: '2', username: 'off', password: hash, disabled: true, documentId: '65a000000000000000000002' },
      { id: '3', username: 'changed', password: hash, passwordChangedAt: Math.floor(NOW / 1000) },
    ],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  const clock = testClock(NOW)
  // Hashes of 1000 iterations, and new ones as cheap: the cost is not what is tested here.
  const { app, config } = testApp({
    store,
    clock,
    config: { ...testConfig(env), passwordIterations: HASH_FLOORS.pbkdf2Iterations },
  })
  const form = (fields: Record<string, string>) =>
    app.request('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  const token = async (username = 'user01') => {
    const res = await form({ username, password: PASSWORD })
    return ((await res.json()) as { access_token: string }).access_token
  }
  const get = (path: string, authorization?: string) =>
    app.request(path, authorization ? { headers: { Authorization: authorization } } : {})
  return { app, config, clock, form, token, get }
}

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>

describe('POST /token (the third generation)', () => {
  it('answers a token of {sub, exp, iat}, exp 15 minutes on, and token_type bearer', async () => {
    const { form } = await setup()
    const res = await form({ grant_type: 'password', username: 'user01', password: PASSWORD, scope: '' })
    assert.equal(res.status, 200)
    const body = (await res.json()) as { access_token: string; token_type: string }
    assert.deepEqual(Object.keys(body), ['access_token', 'token_type'])
    assert.equal(body.token_type, 'bearer')
    const iat = Math.floor(NOW / 1000)
    assert.deepEqual(decode(body.access_token), { sub: 'user01', exp: iat + 900, iat })
  })

  it('gives its token JWT_EXP_DELTA_MINUTES', async () => {
    const { form } = await setup({ JWT_EXP_DELTA_MINUTES: '30' })
    const res = await form({ username: 'user01', password: PASSWORD })
    const claims = decode(((await res.json()) as { access_token: string }).access_token)
    assert.equal(Number(claims.exp) - Number(claims.iat), 1800)
  })

  it('refuses a wrong password, an unknown user and a disabled one alike, with WWW-Authenticate', async () => {
    const { form } = await setup()
    for (const [username, password] of [
      ['user01', 'wrong'],
      ['nobody', PASSWORD],
      ['off', PASSWORD],
    ] as const) {
      const res = await form({ username, password })
      assert.equal(res.status, 401, username)
      assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer')
      assert.deepEqual(await res.json(), { message: 'Incorrect username or password' })
    }
  })

  it('answers 422 {} for a field missing or empty, and for a JSON body', async () => {
    const { app, form } = await setup()
    for (const res of [
      await form({ username: 'user01' }),
      await form({ username: '', password: PASSWORD }),
      await app.request('/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'user01', password: PASSWORD }),
      }),
    ]) {
      assert.equal(res.status, 422)
      assert.deepEqual(await res.json(), {})
    }
  })

  it('is throttled like the other logins, in its own words', async () => {
    const { form } = await setup({ LOGIN_MAX_CONSECUTIVE_FAILS: '2', LOGIN_THROTTLE_DELAY_MS: '0' })
    await form({ username: 'user01', password: 'x' })
    await form({ username: 'user01', password: 'x' })
    const res = await form({ username: 'user01', password: PASSWORD })
    assert.equal(res.status, 429)
    assert.ok(Number(res.headers.get('Retry-After')) > 0)
    assert.deepEqual(await res.json(), { message: 'Too many login attempts' })
  })

  it('is 404 when AUTH_GENERATIONS leaves the third out, and so are its reads', async () => {
    const { form, get, app } = await setup({ AUTH_GENERATIONS: '1,2' })
    assert.equal((await form({ username: 'user01', password: PASSWORD })).status, 404)
    const jwt = await issueToken((await setup()).config.jwt, 'user01', NOW)
    assert.equal((await get('/schedules', `Bearer ${jwt}`)).status, 404)
    assert.ok(app)
  })
})

describe('the third generation guard', () => {
  it('answers {"detail": "Not authenticated"} without a header or with another scheme', async () => {
    const { get, token } = await setup()
    const t = await token()
    for (const auth of [undefined, `JWT ${t}`, `Basic ${t}`]) {
      const res = await get('/schedules', auth)
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer')
      assert.deepEqual(await res.json(), { detail: 'Not authenticated' })
    }
  })

  it('answers "Could not validate credentials" for every refused token', async () => {
    const { get, token, config, clock } = await setup()
    const t = await token()
    const firstGeneration = await issueToken(config.jwt, 'user01', NOW)
    const ghost = await issueAccessToken(config.jwt, 'ghost', NOW)
    const changed = await issueAccessToken(config.jwt, 'changed', NOW - 1000)
    for (const auth of [
      'Bearer',
      'Bearer a.b',
      `Bearer ${t}x`,
      `Bearer ${t} extra`,
      `Bearer ${firstGeneration}`,
      `Bearer ${ghost}`,
      `Bearer ${changed}`,
    ]) {
      const res = await get('/schedules', auth)
      assert.equal(res.status, 401, auth)
      assert.deepEqual(await res.json(), { message: 'Could not validate credentials' }, auth)
    }
    clock.advance(901_000)
    assert.equal((await get('/schedules', `Bearer ${t}`)).status, 401)
  })

  it('takes the scheme word in any case, and the second generation tokens too', async () => {
    const { get, token, config } = await setup()
    assert.equal((await get('/streamers', `bearer ${await token()}`)).status, 200)
    const second = await issueAccessToken(config.jwt, 'user01', NOW)
    assert.equal((await get('/streamers', `Bearer ${second}`)).status, 200)
  })

  it('answers 400 Inactive user, naming the _id, for a disabled user', async () => {
    const { get, config } = await setup()
    const t = await issueAccessToken(config.jwt, 'off', NOW)
    const res = await get('/schedules', `Bearer ${t}`)
    assert.equal(res.status, 400)
    assert.deepEqual(await res.json(), { message: 'Inactive user', identifier: '65a000000000000000000002' })
  })

  it('makes a third generation token work on the second generation day route, not on the first', async () => {
    const { get, token } = await setup()
    const t = await token()
    const bearer = await get('/holodules/20240110', `Bearer ${t}`)
    assert.equal(bearer.status, 200)
    assert.equal(((await bearer.json()) as unknown[]).length, 3)
    const jwt = await get('/holodules/20240110', `JWT ${t}`)
    assert.equal(jwt.status, 401)
    assert.equal(((await jwt.json()) as { error: string }).error, 'Invalid token')
  })
})

describe('GET /schedules and /streamers', () => {
  const ids = (body: unknown) =>
    (body as { schedules: Array<{ id: string }> }).schedules.map((s) => Number.parseInt(s.id, 16))

  it('answers a range of Japan days for a group, newest first', async () => {
    const { get, token } = await setup()
    const auth = `Bearer ${await token()}`
    const res = await get('/schedules?sdate=2024-01-10&edate=2024-01-11&group=hololive', auth)
    assert.equal(res.status, 200)
    assert.deepEqual(ids(await res.json()), [1, 2])
    assert.deepEqual(ids(await (await get('/schedules?group=hololive_en&code=HL0003', auth)).json()), [3, 5])
    // A group with no streamer and no code: no code filter at all, as the 2024 service.
    assert.deepEqual(ids(await (await get('/schedules?group=nobody', auth)).json()), [6, 3, 1, 5, 2, 4])
    assert.deepEqual(ids(await (await get('/schedules?keyword=(PART', auth)).json()), [3])
    assert.deepEqual(await (await get('/schedules?sdate=2030-01-01', auth)).json(), { schedules: [] })
  })

  it('answers 422 {} for a date that is not a real YYYY-MM-DD', async () => {
    const { get, token } = await setup()
    const auth = `Bearer ${await token()}`
    for (const q of ['sdate=20240110', 'edate=2024/01/10', 'sdate=2024-02-30', 'edate=2024-1-1']) {
      const res = await get(`/schedules?${q}`, auth)
      assert.equal(res.status, 422, q)
      assert.deepEqual(await res.json(), {})
    }
  })

  it('answers one schedule or streamer by id, 404 in its words for an unknown or malformed id', async () => {
    const { get, token } = await setup()
    const auth = `Bearer ${await token()}`
    const one = await get('/schedules/000000000000000000000001', auth)
    assert.equal(one.status, 200)
    assert.equal(((await one.json()) as { streaming_at: string }).streaming_at, '2024-01-10T21:00:00')
    for (const path of ['/schedules/nope', '/schedules/0000000000000000000000ff', '/streamers/nope']) {
      const res = await get(path, auth)
      assert.equal(res.status, 404, path)
      assert.deepEqual(await res.json(), {
        message: 'The entity does not exist',
        identifier: path.split('/')[2],
      })
    }
    const streamer = await get('/streamers/000000000000000000000065', auth)
    assert.equal(((await streamer.json()) as { code: string }).code, 'HL0002')
  })

  it('lists streamers of a group sorted by code', async () => {
    const { get, token } = await setup()
    const res = await get('/streamers?group=hololive', `Bearer ${await token()}`)
    const body = (await res.json()) as { streamers: Array<{ code: string; affiliations: string[] }> }
    assert.deepEqual(
      body.streamers.map((s) => [s.code, s.affiliations]),
      [
        ['HL0001', ['gen1']],
        ['HL0002', ['gen0', 'jp']],
      ],
    )
  })
})

describe('disabled users on the first and second generations', () => {
  it('refuses their logins as a wrong password, and their tokens as a user that no longer exists', async () => {
    const { app, config } = await setup()
    const login = (path: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'off', password: PASSWORD }),
      })
    assert.equal((await login('/auth')).status, 401)
    assert.equal((await login('/login')).status, 401)
    const first = await app.request('/holodules/20240110', {
      headers: { Authorization: `JWT ${await issueToken(config.jwt, 'off', NOW)}` },
    })
    assert.equal(((await first.json()) as { description: string }).description, 'User does not exist')
    const second = await app.request('/holodules/20240110', {
      headers: { Authorization: `Bearer ${await issueAccessToken(config.jwt, 'off', NOW)}` },
    })
    assert.deepEqual(await second.json(), { error: 'Unauthorized' })
  })
})

describe('writes (admin only)', () => {
  const setupAdmin = async () => {
    const ctx = await setup()
    const hash = await hashPassword(PASSWORD, HASH_FLOORS.pbkdf2Iterations)
    const store = new MemoryStore({
      users: [
        { id: '1', username: 'user01', password: hash },
        { id: '9', username: 'root', password: hash, admin: true },
      ],
      schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
      streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
    })
    const { app } = testApp({ store, clock: testClock(NOW), config: ctx.config })
    const bearer = async (username: string) =>
      `Bearer ${await issueAccessToken(ctx.config.jwt, username, NOW)}`
    const send = async (method: string, path: string, username: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { Authorization: await bearer(username), 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    return { send }
  }
  const STREAM = {
    code: 'HL0009',
    video_id: 'newvid00001',
    streaming_at: '2024-01-10T00:30:00',
    name: 'talent HL0009',
    title: 'new stream',
    url: 'https://www.youtube.com/watch?v=newvid00001',
  }

  it('answers 403 {"message": "Not allowed"} to a user who is not an admin, and writes nothing', async () => {
    const { send } = await setupAdmin()
    for (const [method, path] of [
      ['POST', '/schedules'],
      ['PUT', '/schedules/000000000000000000000001'],
      ['DELETE', '/schedules/000000000000000000000001'],
      ['POST', '/streamers'],
      ['DELETE', '/streamers/000000000000000000000065'],
    ] as const) {
      const res = await send(method, path, 'user01', STREAM)
      assert.equal(res.status, 403, `${method} ${path}`)
      assert.deepEqual(await res.json(), { message: 'Not allowed' })
    }
    assert.equal((await send('GET', '/schedules/000000000000000000000001', 'user01')).status, 200)
  })

  it('lets an admin add, change only the fields sent, and remove a stream', async () => {
    const { send } = await setupAdmin()
    const created = await send('POST', '/schedules', 'root', { ...STREAM, unknown: 'dropped' })
    assert.equal(created.status, 201)
    const body = (await created.json()) as Record<string, unknown>
    assert.equal(body.key, 'HL0009_20240110_003000')
    assert.equal(body.published_at, null)
    assert.equal('unknown' in body, false)
    const changed = await send('PUT', `/schedules/${body.id}`, 'root', { title: 'renamed' })
    assert.deepEqual(await changed.json(), { ...body, title: 'renamed' })
    const removed = await send('DELETE', `/schedules/${body.id}`, 'root')
    assert.equal(removed.status, 204)
    assert.equal((await send('DELETE', `/schedules/${body.id}`, 'root')).status, 404)
  })

  it('answers 422 {} for a body off the schema', async () => {
    const { send } = await setupAdmin()
    for (const bad of [{}, { ...STREAM, streaming_at: '2024-02-30T00:00:00' }, { ...STREAM, tags: 'x' }]) {
      const res = await send('POST', '/schedules', 'root', bad)
      assert.equal(res.status, 422)
      assert.deepEqual(await res.json(), {})
    }
    const res = await send('PUT', '/streamers/000000000000000000000065', 'root', { is_retired: 'yes' })
    assert.equal(res.status, 422)
  })

  it('lets an admin add, change and remove a streamer', async () => {
    const { send } = await setupAdmin()
    const created = await send('POST', '/streamers', 'root', { code: 'HL0000', name: 'n', group: 'hololive' })
    assert.equal(created.status, 201)
    const s = (await created.json()) as { id: string; affiliations: string[]; is_retired: boolean }
    assert.deepEqual([s.affiliations, s.is_retired], [[], false])
    const changed = await send('PUT', `/streamers/${s.id}`, 'root', { is_retired: true })
    assert.equal(((await changed.json()) as { is_retired: boolean }).is_retired, true)
    assert.equal((await send('DELETE', `/streamers/${s.id}`, 'root')).status, 204)
  })
})
