import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hc } from 'hono/client'
import { HASHED_USER, SECRET, SEED_DAY } from '#harness/fixtures.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import type { AppType } from '#src/app/create-app.js'
import { SERVICE_UNAVAILABLE_RETRY_AFTER_S } from '#src/app/responses.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { failingStore, seededStore, testApp } from '../../support/app.js'

const bearer = (t: string, prefix = 'JWT') => ({ headers: { Authorization: `${prefix} ${t}` } })

describe('app behaviour beyond the default configuration', () => {
  it('honours JWT_LEEWAY on exp, nbf and iat', async () => {
    const { app } = testApp({ env: { JWT_LEEWAY: '60' }, store: await seededStore() })
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
    const { app } = testApp({
      env: {
        JWT_AUTH_HEADER_PREFIX: 'Token',
        JWT_ALGORITHM: 'HS512',
        JWT_EXPIRATION_DELTA: '3600',
        JWT_NOT_BEFORE_DELTA: '5',
      },
      store: await seededStore(),
    })
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
    const { app } = testApp({ store: failingStore(() => new StoreUnavailableError('connect ECONNREFUSED')) })
    const login = await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    assert.equal(login.status, 503)
    assert.deepEqual(await login.json(), { error: 'Service Unavailable' })
    const sched = await app.request(`/holodules/${SEED_DAY}`, bearer(craftToken(claims('user01'), SECRET)))
    assert.equal(sched.status, 503)
    const ready = await app.request('/readyz')
    assert.equal(ready.status, 503)
    // Every 503 says when to come back, as nginx's does: a few seconds (responses.ts says why).
    for (const res of [login, sched, ready])
      assert.equal(res.headers.get('retry-after'), String(SERVICE_UNAVAILABLE_RETRY_AFTER_S))
    assert.ok(SERVICE_UNAVAILABLE_RETRY_AFTER_S >= 1 && SERVICE_UNAVAILABLE_RETRY_AFTER_S <= 5)
    assert.equal((await app.request('/healthz')).status, 200)
  })

  it('answers an unexpected failure with a bare 500, logged with the request id and no secret', async () => {
    const { app, lines } = testApp({
      store: failingStore(() => new Error('boom at line 42')),
      logLevel: 'info',
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
    const { app, lines } = testApp({ store: await seededStore(), logLevel: 'info' })
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
    const { app } = testApp({
      env: { CORS_ORIGINS: 'https://a.example, https://b.example' },
      store: await seededStore(),
    })
    const ok = await app.request('/nope', { headers: { Origin: 'https://b.example' } })
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://b.example')
    assert.match(ok.headers.get('vary') ?? '', /Origin/)
    const other = await app.request('/nope', { headers: { Origin: 'https://evil.example' } })
    assert.equal(other.headers.get('access-control-allow-origin'), null)
  })

  it('answers HEAD like GET without a body', async () => {
    const { app } = testApp({ store: await seededStore() })
    const res = await app.request(`/holodules/${SEED_DAY}`, {
      method: 'HEAD',
      ...bearer(craftToken(claims('user01'), SECRET)),
    })
    assert.equal(res.status, 200)
    assert.equal(await res.text(), '')
  })
})

/**
 * The app's type carries every route: `hc<AppType>` knows the paths, the date parameter and the
 * JSON bodies. tsc checks the typed reads below; the runs check they match what is on the wire.
 */
describe('hc<AppType>', () => {
  const { app } = testApp()
  const client = hc<AppType>('http://api.test', {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init),
  })

  it('types the login answers and the Flask-JWT 401', async () => {
    const res = await client.auth.$post({ json: { username: 'nobody', password: 'x' } })
    assert.equal(res.status, 401)
    if (res.status === 401) {
      const body = await res.json()
      const description: string = body.description
      assert.equal(description, 'Invalid credentials')
    }
  })

  it('knows /holodules/:date and its 401 body without a token', async () => {
    const res = await client.holodules[':date'].$get({ param: { date: '20201209' } })
    // The middleware's 401 is not in the route's type; the handler's answers are.
    assert.equal(res.status as number, 401)
    if (res.status === 200) {
      // The first generation's object, or the second's array (a Bearer client).
      const body = await res.json()
      const count: number = Array.isArray(body) ? body.length : body.result
      assert.ok(count >= 0)
    }
  })
})
