import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASHED_USER, HOLODULES, SECRET, SEED_DAY, seedUsers } from '#harness/fixtures.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import { createApp } from '#src/app/create-app.js'
import { parseConfig } from '#src/config/config.js'
import type { Env } from '#src/config/env.js'
import { createJsonLogger } from '#src/lib/logger.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { Store } from '#src/store/store.js'
import { toUserRecord } from '#src/store/users.js'

const appConfig = (env: Env = {}) => {
  const parsed = parseConfig({ JWT_SECRET_KEY: SECRET, ...env })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config.app
}

const seeded = async () =>
  new MemoryStore({
    users: (await seedUsers(1000)).flatMap((d) => toUserRecord(d) ?? []),
    holodules: HOLODULES,
  })

/** A store whose every call fails the given way: for the 500 and 503 paths. */
const failingStore = (error: () => Error): Store =>
  new Proxy({} as Store, {
    get: () => async () => {
      throw error()
    },
  })

const bearer = (t: string, prefix = 'JWT') => ({ headers: { Authorization: `${prefix} ${t}` } })

describe('app behaviour beyond the default configuration', () => {
  it('honours JWT_LEEWAY on exp, nbf and iat', async () => {
    const app = createApp({ config: appConfig({ JWT_LEEWAY: '60' }), store: await seeded() })
    const now = nowSeconds()
    const within = [
      { exp: now - 30, iat: now - 330, nbf: now - 330 },
      { nbf: now + 30 },
      { iat: now + 30, nbf: now },
    ]
    for (const o of within) {
      const res = await app.request(`/holodules/${SEED_DAY}`, bearer(craftToken(claims('user01', o), SECRET)))
      assert.equal(res.status, 200, JSON.stringify(o))
    }
    const beyond = craftToken(claims('user01', { exp: now - 61 }), SECRET)
    assert.equal((await app.request(`/holodules/${SEED_DAY}`, bearer(beyond))).status, 401)
  })

  it('uses the configured prefix, algorithm and lifetimes', async () => {
    const config = appConfig({
      JWT_AUTH_HEADER_PREFIX: 'Token',
      JWT_ALGORITHM: 'HS512',
      JWT_EXPIRATION_DELTA: '3600',
      JWT_NOT_BEFORE_DELTA: '5',
    })
    const app = createApp({ config, store: await seeded() })
    const res = await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    const { access_token } = (await res.json()) as { access_token: string }
    const [h, p] = access_token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()))
    assert.deepEqual(h, { alg: 'HS512', typ: 'JWT' })
    assert.equal(p.exp - p.iat, 3600)
    assert.equal(p.nbf - p.iat, 5)
    // nbf is 5 s ahead, so the fresh token is not yet valid: PyJWT would say the same.
    const early = await app.request(`/holodules/${SEED_DAY}`, bearer(access_token, 'Token'))
    assert.equal(
      ((await early.json()) as { description: string }).description,
      'The token is not yet valid (nbf)',
    )
    const ready = craftToken(claims('user01'), SECRET, { alg: 'HS512' })
    assert.equal((await app.request(`/holodules/${SEED_DAY}`, bearer(ready, 'token'))).status, 200)
    const jwtWord = await app.request(`/holodules/${SEED_DAY}`, bearer(ready, 'JWT'))
    assert.equal(
      ((await jwtWord.json()) as { description: string }).description,
      'Unsupported authorization type',
    )
    const hs256 = craftToken(claims('user01'), SECRET)
    const wrongAlg = await app.request(`/holodules/${SEED_DAY}`, bearer(hs256, 'Token'))
    assert.equal(
      ((await wrongAlg.json()) as { description: string }).description,
      'The specified alg value is not allowed',
    )
  })

  it('answers 503 when the store is unavailable, on login and on the schedule', async () => {
    const app = createApp({
      config: appConfig(),
      store: failingStore(() => new StoreUnavailableError('connect ECONNREFUSED')),
    })
    const login = await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    assert.equal(login.status, 503)
    assert.deepEqual(await login.json(), { error: 'Service Unavailable' })
    const sched = await app.request(`/holodules/${SEED_DAY}`, bearer(craftToken(claims('user01'), SECRET)))
    assert.equal(sched.status, 503)
    assert.equal((await app.request('/readyz')).status, 503)
    assert.equal((await app.request('/healthz')).status, 200)
  })

  it('answers an unexpected failure with a bare 500, logged with the request id and no secret', async () => {
    const lines: string[] = []
    const app = createApp({
      config: appConfig(),
      store: failingStore(() => new Error('boom at line 42')),
      logger: createJsonLogger('info', (l) => lines.push(l)),
    })
    const token = craftToken(claims('user01'), SECRET)
    const res = await app.request(`/holodules/${SEED_DAY}`, bearer(token))
    assert.equal(res.status, 500)
    const text = await res.text()
    assert.equal(text, '{"error":"Internal Server Error"}')
    const requestId = res.headers.get('x-request-id')
    assert.ok(requestId)
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const failure = logged.find((l) => l.level === 'error')
    assert.equal(failure?.requestId, requestId)
    assert.match(String(failure?.message), /boom/)
    const all = lines.join('\n')
    assert.ok(!all.includes(token), 'the token must not be logged')
    assert.ok(!all.includes(SECRET), 'the secret must not be logged')
  })

  it('logs one access line per request without credentials', async () => {
    const lines: string[] = []
    const app = createApp({
      config: appConfig(),
      store: await seeded(),
      logger: createJsonLogger('info', (l) => lines.push(l)),
    })
    await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    assert.equal(lines.length, 1)
    const line = JSON.parse(lines[0] as string)
    assert.equal(line.msg, 'request')
    assert.equal(line.status, 200)
    assert.equal(line.path, '/auth')
    assert.ok(!(lines[0] as string).includes(HASHED_USER.password))
  })

  it('allows only the configured CORS origins when a list is given', async () => {
    const app = createApp({
      config: appConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }),
      store: await seeded(),
    })
    const ok = await app.request('/nope', { headers: { Origin: 'https://b.example' } })
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://b.example')
    assert.match(ok.headers.get('vary') ?? '', /Origin/)
    const other = await app.request('/nope', { headers: { Origin: 'https://evil.example' } })
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })

  it('answers HEAD like GET without a body', async () => {
    const app = createApp({ config: appConfig(), store: await seeded() })
    const res = await app.request(`/holodules/${SEED_DAY}`, {
      method: 'HEAD',
      ...bearer(craftToken(claims('user01'), SECRET)),
    })
    assert.equal(res.status, 200)
    assert.equal(await res.text(), '')
  })
})
