import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { HOLODULES, SEED_DAY } from '#harness/fixtures.js'
import { issueToken } from '#src/auth/token.js'
import type { Env } from '#src/config/env.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp } from '../../../support/app.js'

const app = (env: Env = {}) =>
  testApp({ env, store: new MemoryStore({ users: [], holodules: HOLODULES }) }).app

const headersOf = (res: Response) => Object.fromEntries(res.headers)
/** shared/contract.md, "Response headers": the OWASP REST set beside the CORS headers and the id. */
const REST_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' }
/** What every answer carried until issue 20, from Hono's secureHeaders: HTML-page protections and HSTS. */
const REMOVED = [
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]
const CORS = {
  'access-control-allow-headers': 'Content-Type,Authorization',
  'access-control-allow-methods': 'GET,PUT,POST,DELETE,OPTIONS',
}

describe('wire headers: one record per app instead of three middlewares', () => {
  it('puts the same headers on answers built by respond and on those Hono builds itself', async () => {
    const a = app()
    // A 401 (built by respond) and the OpenAPI document (c.body: stamped after the handler).
    for (const res of [await a.request(`/holodules/${SEED_DAY}`), await a.request('/openapi.json')]) {
      const h = headersOf(res)
      assert.match(h['x-request-id'] ?? '', /^[0-9a-f-]{36}$/)
      assert.deepEqual(
        { ...h, 'x-request-id': 'id' },
        {
          ...CORS,
          'access-control-allow-origin': '*',
          ...REST_HEADERS,
          'content-type': 'application/json; charset=UTF-8',
          'x-request-id': 'id',
          ...(res.status === 401 ? { 'www-authenticate': 'JWT realm="Login Required"' } : {}),
        },
      )
      for (const name of REMOVED) assert.equal(h[name], undefined, name)
    }
  })

  it('carries none of the HTML-page protections Hono sets for a page (the app no longer uses them)', async () => {
    // Hono's secureHeaders, as the app configured it before issue 20: every name the app dropped is
    // one of its, so a later upgrade that adds a name does not go unnoticed here.
    const hono = new Hono()
      .use(secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }))
      .get('/', (c) => c.body(null, 204))
    const page = headersOf(await hono.request('/'))
    assert.deepEqual(
      Object.keys(page)
        .filter((n) => !(n in REST_HEADERS))
        .sort(),
      REMOVED,
    )
    const res = await app().request('/nope')
    for (const name of Object.keys(page)) {
      assert.equal(res.headers.get(name), (REST_HEADERS as Record<string, string>)[name] ?? null, name)
    }
  })

  it('keeps a valid incoming X-Request-Id, replaces an invalid one, and never repeats an id', async () => {
    const a = app()
    const given = await a.request('/nope', { headers: { 'X-Request-Id': 'trace-me_1=' } })
    assert.equal(given.headers.get('x-request-id'), 'trace-me_1=')
    const bad = await a.request('/nope', { headers: { 'X-Request-Id': 'not ok!' } })
    assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/)
    const long = await a.request('/nope', { headers: { 'X-Request-Id': 'x'.repeat(256) } })
    assert.notEqual(long.headers.get('x-request-id'), 'x'.repeat(256))
    const ids = new Set<string | null>()
    for (let i = 0; i < 50; i++) ids.add((await a.request('/nope')).headers.get('x-request-id'))
    assert.equal(ids.size, 50)
  })

  it('answers a preflight with the CORS headers only, and names an allowed origin once', async () => {
    const open = await app().request('/anything', { method: 'OPTIONS' })
    assert.equal(open.status, 204)
    assert.deepEqual(headersOf(open), { ...CORS, 'access-control-allow-origin': '*' })
    const listed = app({ CORS_ORIGINS: 'https://a.example' })
    const pre = await listed.request('/x', { method: 'OPTIONS', headers: { Origin: 'https://a.example' } })
    assert.deepEqual(headersOf(pre), {
      ...CORS,
      'access-control-allow-origin': 'https://a.example',
      vary: 'Origin',
    })
    // A 405 is rebuilt from the 404 behind it: Vary still says Origin once.
    const other = await listed.request('/healthz', {
      method: 'DELETE',
      headers: { Origin: 'https://b.example' },
    })
    assert.equal(other.status, 405)
    assert.equal(other.headers.get('vary'), 'Origin')
    assert.equal(other.headers.get('access-control-allow-origin'), null)
    assert.equal(other.headers.get('x-frame-options'), 'DENY')
    // The 405 is rebuilt from the 404 that respond built, so it is stamped after the handler: one id.
    assert.equal(other.headers.get('x-request-id')?.length, 36)
  })
  it("adds a day's Vary: Authorization to the allow-list's Vary: Origin, not instead of it", async () => {
    const store = new MemoryStore({
      users: [{ id: '1', username: 'user01', password: 'x' }],
      holodules: HOLODULES,
    })
    const { app: listed, config } = testApp({ env: { CORS_ORIGINS: 'https://a.example' }, store })
    const token = await issueToken(config.jwt, 'user01', Date.now())
    const res = await listed.request(`/holodules/${SEED_DAY}`, {
      headers: { Authorization: `JWT ${token}`, Origin: 'https://a.example' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('vary'), 'Origin, Authorization')
    assert.equal((await listed.request('/nope')).headers.get('vary'), 'Origin')
  })
})
