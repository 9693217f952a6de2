import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASHED_USER, SECRET, SEED_DAY } from '#harness/fixtures.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import type { ContractTarget } from './target.js'

/** What the header cases borrow from the suite: its target and its checked fetch. */
export interface HeaderTools {
  target: () => ContractTarget
  /** Every answer checked against the target's own /openapi.json. */
  api: (path: string, init?: RequestInit) => Promise<Response>
}

/** The CORS headers, on every answer and preflight (the old service's after_request hook). */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Content-Type,Authorization',
  'access-control-allow-methods': 'GET,PUT,POST,DELETE,OPTIONS',
}
/** The OWASP REST set and the request id, on every answer but a preflight (values checked below). */
const WIRE = [...Object.keys(CORS), 'x-content-type-options', 'x-frame-options', 'x-request-id']

/**
 * What the server or the connection adds beside the app's headers, never the app's to choose, so
 * allowed on any answer whatever the runtime. What each adds here (curlFetch: a connection a request,
 * `Connection: close`), measured on the four servers of test/conformance/runtimes.test.ts:
 * - Node (@hono/node-server): `date`, `connection: close`, `content-length` (none on a 304 or 204);
 *   on a kept-alive connection `connection: keep-alive` and `keep-alive: timeout=…` instead.
 * - Bun (Bun.serve): `date`, `content-length`; no `connection`.
 * - the Worker in workerd (wrangler dev), through the gateway or direct: `connection: close`,
 *   `content-length`; no `date` (Cloudflare's edge adds its own in production, outside this suite).
 * - in process (app.request): nothing, not even `content-length`.
 * - behind nginx (test/integration/nginx.test.ts): `date`, `connection`, `content-length`, its
 *   `frontHeaders`, and `vary: Accept-Encoding` (gzip_vary) on a body it could compress, which only
 *   answers allowed a Vary here are long enough for.
 * `transfer-encoding: chunked` is where a server streams a body without a length (none does here).
 * `content-length`, where present, is checked against the body.
 */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

/**
 * What every JSON answer carried until issue 20: protections meant for HTML pages (Hono's
 * secureHeaders), HSTS that the TLS terminator sets, and what either might have brought along.
 * None may come back on a JSON answer (a front such as nginx may add HSTS: `target().frontHeaders`).
 */
const REMOVED = [
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'x-powered-by',
]

interface Expected {
  /** Names the answer must carry, beside the transport's and the front's. */
  required: readonly string[]
  /** Names it may carry (a cache that revalidates /schedules is allowed to add its validators). */
  optional?: readonly string[]
}

/**
 * shared/contract.md, "Response headers": a few representative answers carry exactly the contract's
 * set (the CORS headers, Content-Type, Cache-Control, ETag/Vary where a body can be revalidated,
 * nosniff, X-Frame-Options DENY, X-Request-Id) and nothing meant for HTML pages, on every runtime;
 * what a runtime or a front adds for the transport is allowed by name, and nothing else.
 */
export const headerCases = ({ target, api }: HeaderTools) => {
  const check = async (what: string, res: Response, { required, optional = [] }: Expected) => {
    const body = new Uint8Array(await res.arrayBuffer())
    const front = target().frontHeaders ?? {}
    const names = [...new Set([...res.headers.keys()])]
    const context = `${what}: ${JSON.stringify(Object.fromEntries(res.headers))}`
    for (const [name, value] of Object.entries(front)) assert.equal(res.headers.get(name), value, context)
    const own = names.filter((n) => !TRANSPORT.has(n) && !(n in front)).sort()
    const allowed = new Set([...required, ...optional])
    assert.deepEqual(
      own.filter((n) => !allowed.has(n)),
      [],
      `${context}\nheaders beyond the contract's set`,
    )
    assert.deepEqual(
      required.filter((n) => !own.includes(n)),
      [],
      `${context}\nheaders of the contract's set missing`,
    )
    for (const name of REMOVED) {
      if (!(name in front)) assert.equal(res.headers.get(name), null, `${context}\n${name}`)
    }
    for (const [name, value] of Object.entries(CORS)) assert.equal(res.headers.get(name), value, context)
    if (required.includes('x-request-id')) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', context)
      assert.equal(res.headers.get('x-frame-options'), 'DENY', context)
      assert.match(res.headers.get('x-request-id') ?? '', /^[\w\-=]{1,255}$/, context)
    }
    const length = res.headers.get('content-length')
    if (length !== null) assert.equal(Number(length), body.byteLength, context)
  }

  describe('response headers (shared/contract.md, "Response headers")', () => {
    it('a day, its 304, a 401, a 404, a /schedules 200 and a preflight carry exactly the set', async () => {
      const jwt = `JWT ${craftToken(claims(HASHED_USER.username), SECRET)}`
      const iat = nowSeconds()
      const bearer = `Bearer ${craftToken({ sub: HASHED_USER.username, exp: iat + 900, iat }, SECRET)}`
      const json = [...WIRE, 'content-type']

      const day = await api(`/holodules/${SEED_DAY}`, { headers: { Authorization: jwt } })
      assert.equal(day.status, 200)
      const etag = day.headers.get('etag') ?? ''
      await check('200 day', day, { required: [...json, 'cache-control', 'etag', 'vary'] })

      const unchanged = await api(`/holodules/${SEED_DAY}`, {
        headers: { Authorization: jwt, 'If-None-Match': etag },
      })
      assert.equal(unchanged.status, 304)
      await check('304 day', unchanged, { required: [...WIRE, 'cache-control', 'etag', 'vary'] })

      const refused = await api(`/holodules/${SEED_DAY}`)
      assert.equal(refused.status, 401)
      await check('401', refused, { required: [...json, 'www-authenticate'] })

      const unknown = await api('/nope')
      assert.equal(unknown.status, 404)
      await check('404', unknown, { required: json })

      const range = await api('/schedules?sdate=2020-12-09&edate=2020-12-09', {
        headers: { Authorization: bearer },
      })
      assert.equal(range.status, 200)
      // SEED_DAY, as /schedules writes a Japan day.
      await check('200 /schedules', range, {
        required: json,
        optional: ['cache-control', 'etag', 'vary'],
      })

      const preflight = await api('/schedules', {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'Authorization',
        },
      })
      assert.ok(preflight.status === 200 || preflight.status === 204, String(preflight.status))
      await check('preflight', preflight, { required: Object.keys(CORS) })
    })
  })
}
