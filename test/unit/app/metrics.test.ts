import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASHED_USER, SEED_DAY } from '#harness/fixtures.js'
import type { Metrics, MetricsExposition } from '#src/app/metrics.js'
import type { Env } from '#src/config/env.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { failingStore, seededStore, testApp } from '../../support/app.js'

/** One failed login is enough: the next is throttled, so a 429 is among the counted answers. */
const ENV: Env = { LOGIN_MAX_CONSECUTIVE_FAILS: '1' }

/** The port, recording each call as one line. */
const recorder = (): Metrics & { calls: string[] } => {
  const calls: string[] = []
  return {
    calls,
    request: (route, method, status, seconds) => {
      assert.ok(seconds >= 0 && seconds < 10)
      calls.push(`request ${method} ${route} ${status}`)
    },
    login: (outcome) => calls.push(`login ${outcome}`),
    cache: (name, result) => calls.push(`cache ${name} ${result}`),
    storeUnavailable: () => calls.push('storeUnavailable'),
    internalError: () => calls.push('internalError'),
  }
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

const exposition: MetricsExposition = {
  contentType: 'text/plain; version=0.0.4',
  render: async () => 'up 1\n',
}

describe('the Metrics port', () => {
  it('is told of each request by route pattern, each login, each cache lookup', async () => {
    const metrics = recorder()
    const { app } = testApp({ env: ENV, store: await seededStore(), metrics })
    const login = await app.request('/auth', json(HASHED_USER))
    const token = ((await login.json()) as { access_token: string }).access_token
    await app.request('/auth', json({ ...HASHED_USER, password: 'wrong' }))
    await app.request('/auth', json({ ...HASHED_USER, password: 'wrong' }))
    // Not a login: the body is no credentials.
    await app.request('/auth', json([]))
    const auth = { headers: { Authorization: `JWT ${token}` } }
    await app.request(`/holodules/${SEED_DAY}`, auth)
    await app.request(`/holodules/${SEED_DAY}/`, auth)
    await app.request('/nope')
    await app.request('/auth')
    assert.deepEqual(metrics.calls, [
      'login ok',
      'request POST /auth 200',
      'login invalid',
      'request POST /auth 401',
      'login throttled',
      'request POST /auth 429',
      'request POST /auth 400',
      'cache users miss',
      'cache holodules miss',
      'request GET /holodules/:date 200',
      'cache users hit',
      'cache holodules hit',
      'request GET /holodules/:date/ 200',
      'request GET unmatched 404',
      'request GET unmatched 405',
    ])
  })

  it('counts 503s of an unreachable store and 500s apart', async () => {
    const metrics = recorder()
    const { app: down } = testApp({
      env: ENV,
      store: failingStore(() => new StoreUnavailableError('down')),
      metrics,
    })
    assert.equal((await down.request('/auth', json(HASHED_USER))).status, 503)
    const { app: broken } = testApp({ env: ENV, store: failingStore(() => new Error('bug')), metrics })
    assert.equal((await broken.request('/auth', json(HASHED_USER))).status, 500)
    assert.deepEqual(metrics.calls, [
      'storeUnavailable',
      'request POST /auth 503',
      'internalError',
      'request POST /auth 500',
    ])
  })

  it('serves GET /metrics only with a metrics endpoint, behind its token', async () => {
    const store = await seededStore()
    const { app: off } = testApp({ env: ENV, store })
    assert.equal((await off.request('/metrics')).status, 404)
    const { app: on } = testApp({ env: ENV, store, metricsEndpoint: { exposition, token: 't'.repeat(16) } })
    const denied = await on.request('/metrics', { headers: { Authorization: `Bearer ${'t'.repeat(15)}` } })
    assert.equal(denied.status, 401)
    const ok = await on.request('/metrics', { headers: { Authorization: `Bearer ${'t'.repeat(16)}` } })
    assert.equal(ok.status, 200)
    assert.equal(ok.headers.get('content-type'), 'text/plain; version=0.0.4')
    assert.equal(await ok.text(), 'up 1\n')
  })
})
