import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Validator } from '@seriousme/openapi-schema-validator'
import type { App } from '#src/app/create-app.js'
import { API_VERSION } from '#src/app/openapi/configure-open-api.js'
import { issueAccessToken, issueToken } from '#src/auth/token.js'
import type { Env } from '#src/config/env.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { createConformance, type OpenApiDocument, observe } from '../../../contract/openapi-conformance.js'
import { testApp, testConfig } from '../../../support/app.js'

interface Doc {
  openapi: string
  info: { version: string }
  paths: Record<string, Record<string, { security?: Array<Record<string, string[]>>; responses: object }>>
  components: { securitySchemes?: Record<string, Record<string, string>> }
}

const appFor = (env: Env = {}) =>
  testApp({
    env,
    store: new MemoryStore({ users: [{ id: '1', username: 'user01', password: 'password01' }] }),
  }).app

const documentOf = async (app: App) => {
  const res = await app.request('/openapi.json')
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
  return JSON.parse(await res.text()) as Doc
}

/** Every method and path the app routes (middleware aside), as the document spells them. */
const routed = (app: App) =>
  new Set(
    app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([^/]+)/g, '{$1}')}`),
  )
const documented = (doc: Doc) =>
  new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)))

const CONFIGS: Array<[string, Env, { first: boolean; second: boolean; third: boolean }]> = [
  ['every generation', {}, { first: true, second: true, third: true }],
  ['AUTH_GENERATIONS=1', { AUTH_GENERATIONS: '1' }, { first: true, second: false, third: false }],
  ['AUTH_GENERATIONS=2', { AUTH_GENERATIONS: '2' }, { first: false, second: true, third: false }],
  ['AUTH_GENERATIONS=3', { AUTH_GENERATIONS: '3' }, { first: false, second: false, third: true }],
]

describe('GET /openapi.json', () => {
  for (const [name, env, g] of CONFIGS) {
    describe(name, () => {
      const app = appFor(env)

      it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
        const doc = await documentOf(app)
        assert.equal(doc.openapi, '3.1.0')
        const validator = new Validator()
        const result = await validator.validate(doc as unknown as Record<string, unknown>)
        assert.equal(validator.version, '3.1')
        assert.deepEqual(result.errors ?? [], [])
        assert.equal(result.valid, true)
      })

      it('documents exactly the routes the app serves', async () => {
        assert.deepEqual([...documented(await documentOf(app))].sort(), [...routed(app)].sort())
      })

      it("answers as its own document says, whichever generation's request it gets", async () => {
        // The contract suite runs with both generations; these are the answers only one gives.
        const conformance = createConformance((await documentOf(app)) as unknown as OpenApiDocument)
        const jwt = testConfig().jwt
        const credentials = JSON.stringify({ username: 'user01', password: 'password01' })
        const requests: Array<[string, RequestInit?]> = [
          ['/auth', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: credentials }],
          ['/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: credentials }],
          ['/login', { method: 'PUT' }],
          ['/holodules/20201209'],
          ['/holodules/20201209', { headers: { Authorization: 'Basic eA==' } }],
          [
            '/holodules/20201209',
            { headers: { Authorization: `JWT ${await issueToken(jwt, 'user01', Date.now())}` } },
          ],
          [
            '/holodules/2020-12-',
            { headers: { Authorization: `JWT ${await issueToken(jwt, 'user01', Date.now())}` } },
          ],
          [
            '/holodules/20201209',
            { headers: { Authorization: `Bearer ${await issueAccessToken(jwt, 'user01', Date.now())}` } },
          ],
          ['/holodules/20201209/', { headers: { Authorization: 'Bearer a.b' } }],
          ['/healthz'],
          ['/readyz'],
        ]
        const statuses = new Set<number>()
        for (const [path, init] of requests) {
          const res = await app.request(path, init)
          statuses.add(res.status)
          conformance.assertConforms(await observe(init?.method ?? 'GET', path, res))
        }
        // The requests reach the answers that differ between the generations.
        for (const s of [200, 401, 404]) assert.ok(statuses.has(s), `no ${s} among ${[...statuses]}`)
      })

      it('has the schemes and login routes of the enabled generations only', async () => {
        const doc = await documentOf(app)
        assert.equal('/auth' in doc.paths, g.first)
        assert.equal('/login' in doc.paths, g.second)
        assert.equal('/token' in doc.paths, g.third)
        assert.equal('/schedules' in doc.paths, g.third)
        const schemes = doc.components.securitySchemes ?? {}
        assert.deepEqual(Object.keys(schemes).sort(), [
          ...(g.second ? ['Bearer'] : []),
          ...(g.first ? ['JWT'] : []),
          ...(g.third ? ['OAuth2'] : []),
        ])
        if (g.third) assert.match(JSON.stringify(schemes.OAuth2), /"tokenUrl":"\/token"/)
        if (!g.first && !g.second) return
        const security = doc.paths['/holodules/{date}']?.get?.security
        assert.deepEqual(security, [...(g.first ? [{ JWT: [] }] : []), ...(g.second ? [{ Bearer: [] }] : [])])
        const statuses = Object.keys(doc.paths['/holodules/{date}']?.get?.responses ?? {})
        assert.equal(statuses.includes('404'), g.first, 'the empty day is 404 in the first generation only')
        assert.equal(statuses.includes('422'), g.second, '422 is the second generation only')
        for (const s of ['200', '304', '400', '401', '500', '503']) assert.ok(statuses.includes(s), s)
      })
    })
  }

  it('describes the JWT scheme as an apiKey in Authorization, the word JWT first', async () => {
    const jwt = (await documentOf(appFor())).components.securitySchemes?.JWT
    assert.equal(jwt?.type, 'apiKey')
    assert.equal(jwt?.in, 'header')
    assert.equal(jwt?.name, 'Authorization')
    assert.match(jwt?.description ?? '', /the word JWT goes first/)
    assert.match(jwt?.description ?? '', /Authorization: JWT <token>/)
    const bearer = (await documentOf(appFor())).components.securitySchemes?.Bearer
    assert.deepEqual([bearer?.type, bearer?.scheme], ['http', 'bearer'])
  })

  it("carries package.json's version, and the same bytes on every request", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    assert.equal(API_VERSION, pkg.version)
    const app = appFor()
    assert.equal((await documentOf(app)).info.version, pkg.version)
    const [a, b] = await Promise.all([app.request('/openapi.json'), app.request('/openapi.json')])
    assert.equal(await a.text(), await b.text())
  })
})
