import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CHANGED_AT,
  CHANGED_USER,
  EMPTY_DAY,
  HASHED_USER,
  LEGACY_USER,
  LEGACY_USER_2,
  SECRET,
  SEED_DAY,
  SEED_DAY_KEYS,
} from '#harness/fixtures.js'
import { claims, craftToken, decodePart, nowSeconds } from '#harness/tokens.js'
import { feedCases } from './feeds.js'
import { headerCases } from './headers.js'
import { type Conformance, createConformance, type OpenApiDocument, observe } from './openapi-conformance.js'
import type { ContractTarget } from './target.js'
import { thirdGenerationCases } from './third-generation.js'
import { writeCases } from './writes.js'

export type { ContractTarget }

const JSON_TYPE = 'application/json; charset=UTF-8'
const INVALID_CREDENTIALS = { status_code: 401, error: 'Bad Request', description: 'Invalid credentials' }
const HOLODULE_KEYS = ['key', 'video_id', 'datetime', 'name', 'title', 'url', 'description']

const readJson = async (res: Response): Promise<unknown> => {
  assert.equal(res.headers.get('content-type'), JSON_TYPE)
  return JSON.parse(await res.text())
}

/**
 * Every row of shared/contract.md that a client can observe over HTTP. Targets are seeded with
 * harness/fixtures.ts and signed with its SECRET, HS256, default lifetimes and prefix.
 */
export const contractCases = (target: () => ContractTarget) => {
  // The document this target serves, fetched once: every answer below is checked against it, so
  // an undocumented status, a missing header or a body off its schema fails on every runtime.
  let conformance: Promise<Conformance> | undefined
  const loadConformance = async () => {
    const res = await target().fetch('/openapi.json')
    assert.equal(res.status, 200, 'GET /openapi.json')
    const document = (await readJson(res)) as OpenApiDocument
    return createConformance(document)
  }
  const api = async (path: string, init?: RequestInit) => {
    conformance ??= loadConformance()
    const checker = await conformance
    const res = await target().fetch(path, init)
    checker.assertConforms(await observe(init?.method ?? 'GET', path, res))
    return res
  }
  const login = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
    api('/auth', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
  const schedule = (date: string, authorization?: string) =>
    api(
      `/holodules/${date}`,
      authorization === undefined ? {} : { headers: { Authorization: authorization } },
    )
  const token = (overrides: Record<string, unknown> = {}, opts?: Parameters<typeof craftToken>[2]) =>
    craftToken(claims(HASHED_USER.username, overrides), SECRET, opts)

  const expectAuthError = async (res: Response, error: string, description: string) => {
    assert.equal(res.status, 401)
    assert.deepEqual(await readJson(res), { status_code: 401, error, description })
  }
  const expectInvalidToken = async (authorization: string, description: string) =>
    expectAuthError(await schedule(SEED_DAY, authorization), 'Invalid token', description)

  describe('POST /auth', () => {
    it('returns a Flask-JWT token for valid credentials', async () => {
      const before = nowSeconds()
      const res = await login(HASHED_USER)
      assert.equal(res.status, 200)
      const body = (await readJson(res)) as { access_token: string }
      assert.deepEqual(Object.keys(body), ['access_token'])
      const t = body.access_token
      assert.deepEqual(decodePart(t, 0), { alg: 'HS256', typ: 'JWT' })
      const payload = decodePart(t, 1) as { exp: number; iat: number; nbf: number; identity: string }
      assert.deepEqual(Object.keys(payload), ['exp', 'iat', 'nbf', 'identity'])
      assert.equal(payload.identity, HASHED_USER.username)
      assert.ok(payload.iat >= before - 1 && payload.iat <= nowSeconds() + 1)
      assert.equal(payload.exp - payload.iat, 300)
      assert.equal(payload.nbf, payload.iat)
      assert.ok([payload.exp, payload.iat, payload.nbf].every(Number.isInteger))
      // The token we issue is one we accept.
      assert.equal((await schedule(SEED_DAY, `JWT ${t}`)).status, 200)
    })

    it('answers unknown user and wrong password identically', async () => {
      const unknown = await login({ username: 'nobody', password: HASHED_USER.password })
      const wrong = await login({ username: HASHED_USER.username, password: 'password02' })
      assert.equal(unknown.status, 401)
      assert.equal(wrong.status, 401)
      assert.deepEqual(await readJson(unknown), INVALID_CREDENTIALS)
      assert.deepEqual(await readJson(wrong), INVALID_CREDENTIALS)
    })

    for (const [what, body] of [
      ['a missing password', { username: HASHED_USER.username }],
      ['a missing username', { password: HASHED_USER.password }],
      ['an empty username', { username: '', password: HASHED_USER.password }],
      ['an empty password', { username: HASHED_USER.username, password: '' }],
      ['an extra key', { ...HASHED_USER, remember: true }],
      ['a non-string password', { username: HASHED_USER.username, password: 12345 }],
      ['an empty object', {}],
    ] as const) {
      it(`answers 401 Invalid credentials for ${what}`, async () => {
        const res = await login(body)
        assert.equal(res.status, 401)
        assert.deepEqual(await readJson(res), INVALID_CREDENTIALS)
      })
    }

    for (const [what, raw, headers] of [
      ['a body that is not JSON', '{"username": "user01", ', undefined],
      ['a JSON array', '[1, 2]', undefined],
      ['a JSON string', '"user01"', undefined],
      ['JSON null', 'null', undefined],
      ['an empty body', '', undefined],
      [
        'a form body',
        'username=user01&password=password01',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
      ],
    ] as const) {
      it(`answers 400 for ${what}`, async () => {
        const res = await login(raw, headers)
        assert.equal(res.status, 400)
        const body = (await readJson(res)) as Record<string, unknown>
        assert.deepEqual(Object.keys(body), ['status_code', 'error', 'description'])
        assert.equal(body.status_code, 400)
        assert.equal(body.error, 'Bad Request')
        assert.equal(typeof body.description, 'string')
        assert.ok((body.description as string).length > 0)
      })
    }

    it('answers 413 for a body that is too large', async () => {
      const res = await login({ username: HASHED_USER.username, password: 'x'.repeat(200_000) })
      assert.equal(res.status, 413)
      const body = (await readJson(res)) as Record<string, unknown>
      assert.deepEqual(Object.keys(body), ['status_code', 'error', 'description'])
      assert.equal(body.status_code, 413)
    })

    it('logs a plain-text user in once and rewrites the record with a hash', async () => {
      const first = await login(LEGACY_USER)
      assert.equal(first.status, 200)
      const stored = await target().storedPassword?.(LEGACY_USER.username)
      if (target().storedPassword) {
        assert.match(stored ?? '', /^\$pbkdf2-sha256\$i=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/)
      }
      // The rewritten record still logs in with the same password, and only with it.
      assert.equal((await login(LEGACY_USER)).status, 200)
      assert.equal((await login({ ...LEGACY_USER, password: 'password01' })).status, 401)
    })

    it('keeps passwords with spaces intact', async () => {
      assert.equal((await login(LEGACY_USER_2)).status, 200)
    })
  })

  describe('login throttling', () => {
    it('blocks a user name from an address after 10 failures in a row: 429 with Retry-After, no hint', async () => {
      // A name of its own, so the block touches no other case; it does not exist, and that must not show.
      const probe = `probe-${Math.random().toString(36).slice(2, 10)}`
      for (let i = 0; i < 10; i++) {
        const res = await login({ username: probe, password: 'wrong' })
        assert.equal(res.status, 401)
        await res.body?.cancel()
      }
      const res = await login({ username: probe, password: 'wrong' })
      assert.equal(res.status, 429)
      assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
      assert.deepEqual(await readJson(res), {
        status_code: 429,
        error: 'Too Many Requests',
        description: 'Too many login attempts',
      })
      // Another name from the same address logs in: the block is per (user name, address).
      assert.equal((await login(HASHED_USER)).status, 200)
      // Reading is never throttled.
      const t = ((await (await login(HASHED_USER)).json()) as { access_token: string }).access_token
      assert.equal((await schedule(SEED_DAY, `JWT ${t}`)).status, 200)
      // The count is the name's and the address's, whatever the route: the third generation's
      // POST /token refuses the same name in its own words, and costs no hash either.
      const form = await api('/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: probe, password: 'wrong' }).toString(),
      })
      assert.equal(form.status, 429)
      assert.match(form.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
      assert.deepEqual(await readJson(form), { message: 'Too many login attempts' })
    })
  })

  describe('protected routes: Authorization: JWT <token>', () => {
    it('without the header: Authorization Required and WWW-Authenticate', async () => {
      const res = await schedule(SEED_DAY)
      assert.equal(res.headers.get('www-authenticate'), 'JWT realm="Login Required"')
      await expectAuthError(res, 'Authorization Required', 'Request does not contain an access token')
    })

    // Bearer is the second generation's scheme now (its own section below); other words are not.
    for (const scheme of ['Basic', 'Token']) {
      it(`another scheme (${scheme}): Unsupported authorization type`, async () => {
        const res = await schedule(SEED_DAY, `${scheme} ${token()}`)
        assert.equal(res.headers.get('www-authenticate'), null)
        await expectAuthError(res, 'Invalid JWT header', 'Unsupported authorization type')
      })
    }

    it('the scheme word alone: Token missing', async () => {
      await expectAuthError(await schedule(SEED_DAY, 'JWT'), 'Invalid JWT header', 'Token missing')
    })

    it('more than two words: Token contains spaces', async () => {
      await expectAuthError(
        await schedule(SEED_DAY, `JWT ${token()} extra`),
        'Invalid JWT header',
        'Token contains spaces',
      )
    })

    it('matches the scheme word case-insensitively', async () => {
      assert.equal((await schedule(SEED_DAY, `jwt ${token()}`)).status, 200)
      assert.equal((await schedule(SEED_DAY, `Jwt ${token()}`)).status, 200)
    })

    it('fewer than three segments: Not enough segments', async () => {
      await expectInvalidToken('JWT abc', 'Not enough segments')
      await expectInvalidToken('JWT abc.def', 'Not enough segments')
    })

    it('segments that are not base64url JSON: Invalid header padding', async () => {
      await expectInvalidToken('JWT !!!.e30.abc', 'Invalid header padding')
      const [, payload, sig] = token().split('.')
      await expectInvalidToken(`JWT a.${payload}.${sig}`, 'Invalid header padding')
      // Base64url of text that is not a JSON object: PyJWT's fixed words, the same on every runtime
      // (never the runtime's parser message, which differs and quotes the input).
      for (const header of ['notjson', '{"alg":', '[1]'])
        await expectInvalidToken(
          `JWT ${Buffer.from(header).toString('base64url')}.${payload}.${sig}`,
          'Invalid header string: must be a json object',
        )
    })

    it('a signature that does not match: Signature verification failed', async () => {
      await expectInvalidToken(
        `JWT ${craftToken(claims(HASHED_USER.username), 'another-secret')}`,
        'Signature verification failed',
      )
      const t = token()
      const tampered = `${t.split('.')[0]}.${Buffer.from(JSON.stringify(claims('user02'))).toString('base64url')}.${t.split('.')[2]}`
      await expectInvalidToken(`JWT ${tampered}`, 'Signature verification failed')
    })

    it('an alg other than the configured one: The specified alg value is not allowed', async () => {
      await expectInvalidToken(`JWT ${token({}, { alg: 'none' })}`, 'The specified alg value is not allowed')
      await expectInvalidToken(`JWT ${token({}, { alg: 'HS512' })}`, 'The specified alg value is not allowed')
      await expectInvalidToken(
        `JWT ${token({}, { header: { typ: 'JWT' } })}`,
        'The specified alg value is not allowed',
      )
    })

    for (const claim of ['exp', 'iat', 'nbf']) {
      it(`a missing ${claim}: Token is missing the "${claim}" claim`, async () => {
        const payload: Record<string, unknown> = claims(HASHED_USER.username)
        delete payload[claim]
        await expectInvalidToken(
          `JWT ${craftToken(payload, SECRET)}`,
          `Token is missing the "${claim}" claim`,
        )
      })
    }

    it('an expired token: Signature has expired', async () => {
      const now = nowSeconds()
      await expectInvalidToken(
        `JWT ${token({ iat: now - 600, nbf: now - 600, exp: now - 300 })}`,
        'Signature has expired',
      )
    })

    it('nbf in the future: The token is not yet valid (nbf)', async () => {
      await expectInvalidToken(
        `JWT ${token({ nbf: nowSeconds() + 120 })}`,
        'The token is not yet valid (nbf)',
      )
    })

    it('iat in the future: The token is not yet valid (iat)', async () => {
      await expectInvalidToken(
        `JWT ${token({ iat: nowSeconds() + 120 })}`,
        'The token is not yet valid (iat)',
      )
    })

    it('checks the signature before any claim', async () => {
      const now = nowSeconds()
      const forged = craftToken({ exp: now - 300, iat: now + 999, identity: 'user01' }, 'wrong-secret')
      await expectInvalidToken(`JWT ${forged}`, 'Signature verification failed')
    })

    it('a valid token for a user that no longer exists: User does not exist', async () => {
      const ghost = craftToken(claims('ghost-user'), SECRET)
      await expectAuthError(await schedule(SEED_DAY, `JWT ${ghost}`), 'Invalid JWT', 'User does not exist')
    })

    it('accepts a token in the form PyJWT signs (sorted header, seconds claims)', async () => {
      const pyjwt = craftToken(claims(HASHED_USER.username), SECRET, { header: { alg: 'HS256', typ: 'JWT' } })
      assert.equal((await schedule(SEED_DAY, `JWT ${pyjwt}`)).status, 200)
    })
  })

  describe('the second generation: POST /login and Authorization: Bearer', () => {
    const loginV2 = (
      body: unknown,
      headers: Record<string, string> = { 'Content-Type': 'application/json' },
    ) =>
      api('/login', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) })
    const bearer = async () => {
      const res = await loginV2(HASHED_USER)
      assert.equal(res.status, 200)
      return ((await res.json()) as { access_token: string }).access_token
    }
    const v2Claims = (overrides: Record<string, unknown> = {}) => {
      const iat = nowSeconds()
      return {
        fresh: false,
        iat,
        jti: '3f1b6a9e-1c1e-4c7e-9b5e-0f5a2c2d9e11',
        type: 'access',
        sub: HASHED_USER.username,
        nbf: iat,
        exp: iat + 900,
        ...overrides,
      }
    }

    it('logs in with a Flask-JWT-Extended token: fresh, iat, jti, type, sub, nbf, exp, 15 minutes', async () => {
      const before = nowSeconds()
      const t = await bearer()
      assert.deepEqual(decodePart(t, 0), { alg: 'HS256', typ: 'JWT' })
      const p = decodePart(t, 1)
      assert.deepEqual(Object.keys(p), ['fresh', 'iat', 'jti', 'type', 'sub', 'nbf', 'exp'])
      assert.equal(p.fresh, false)
      assert.equal(p.type, 'access')
      assert.equal(p.sub, HASHED_USER.username)
      assert.match(String(p.jti), /^[0-9a-f-]{36}$/)
      assert.ok((p.iat as number) >= before && (p.iat as number) <= nowSeconds())
      assert.equal(p.nbf, p.iat)
      assert.equal(p.exp, (p.iat as number) + 900)
    })

    it('answers a wrong password and an unknown user alike: 401 {"error": "Unauthorized"}', async () => {
      for (const body of [
        { ...HASHED_USER, password: 'wrong' },
        { username: 'nobody', password: 'x' },
      ]) {
        const res = await loginV2(body)
        assert.equal(res.status, 401)
        assert.deepEqual(await readJson(res), { error: 'Unauthorized' })
      }
    })

    for (const [what, body, headers] of [
      ['a body that is not JSON', 'username=user01', undefined],
      ['a JSON array', [], undefined],
      ['an extra key', { ...HASHED_USER, admin: true }, undefined],
      ['a missing password (the old service: 500)', { username: 'user01' }, undefined],
      ['an empty username', { username: '', password: 'x' }, undefined],
      ['a password that is not a string', { username: 'user01', password: 1 }, undefined],
      ['a form Content-Type', HASHED_USER, { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ] as const) {
      it(`answers 400 {"error": "Bad request"} for ${what}`, async () => {
        const res = await loginV2(body, headers)
        assert.equal(res.status, 400)
        assert.deepEqual(await readJson(res), { error: 'Bad request' })
      })
    }

    it('serves a day under Bearer as a bare array, code included, newest first; [] when empty', async () => {
      const t = await bearer()
      const res = await schedule(SEED_DAY, `Bearer ${t}`)
      assert.equal(res.status, 200)
      const rows = (await readJson(res)) as Array<Record<string, unknown>>
      assert.ok(Array.isArray(rows))
      assert.deepEqual(
        rows.map((r) => r.key),
        SEED_DAY_KEYS,
      )
      for (const r of rows) {
        assert.deepEqual(Object.keys(r), [
          'key',
          'code',
          'video_id',
          'datetime',
          'name',
          'title',
          'url',
          'description',
        ])
      }
      const empty = await schedule(EMPTY_DAY, `Bearer ${t}`)
      assert.equal(empty.status, 200)
      assert.deepEqual(await readJson(empty), [])
      // A trailing slash after the date, under either scheme.
      assert.equal((await schedule(`${SEED_DAY}/`, `Bearer ${t}`)).status, 200)
      assert.equal((await schedule(`${SEED_DAY}/`, `JWT ${token()}`)).status, 200)
    })

    it('answers a date that is not a real YYYYMMDD with 400 {"error": "Bad request"}', async () => {
      const t = await bearer()
      for (const date of ['........', '2020120', '20210230']) {
        const res = await schedule(date, `Bearer ${t}`)
        assert.equal(res.status, 400, date)
        assert.deepEqual(await readJson(res), { error: 'Bad request' })
      }
    })

    it('answers token faults as Flask-JWT-Extended does', async () => {
      const expired = craftToken(
        v2Claims({ iat: nowSeconds() - 1000, nbf: nowSeconds() - 1000, exp: nowSeconds() - 10 }),
        SECRET,
      )
      const cases: Array<[string, number, unknown]> = [
        [expired, 401, { msg: 'Token has expired' }],
        [
          craftToken(v2Claims(), 'another-secret-0123456789-abcdefghijklmnop'),
          422,
          { msg: 'Signature verification failed' },
        ],
        ['aaaa.bbbb', 422, { msg: 'Not enough segments' }],
        ['bm90anNvbg.e30.x', 422, { msg: 'Invalid header string: must be a json object' }],
        // A first-generation token under Bearer.
        [token(), 422, { msg: 'Missing claim: sub' }],
      ]
      for (const [t, status, body] of cases) {
        const res = await schedule(SEED_DAY, `Bearer ${t}`)
        assert.equal(res.status, status, JSON.stringify(body))
        assert.deepEqual(await readJson(res), body)
      }
    })

    it('accepts a token PyJWT would sign with these claims; refuses one whose user no longer exists', async () => {
      assert.equal((await schedule(SEED_DAY, `Bearer ${craftToken(v2Claims(), SECRET)}`)).status, 200)
      const gone = await schedule(SEED_DAY, `Bearer ${craftToken(v2Claims({ sub: 'ghost' }), SECRET)}`)
      assert.equal(gone.status, 401)
      assert.deepEqual(await readJson(gone), { error: 'Unauthorized' })
      // A second-generation token under JWT is the first generation's "User does not exist".
      await expectAuthError(
        await schedule(SEED_DAY, `JWT ${craftToken(v2Claims(), SECRET)}`),
        'Invalid JWT',
        'User does not exist',
      )
    })

    it('refuses a second-generation token issued before a password change: 401 {"error": "Unauthorized"}', async () => {
      const res = await schedule(
        SEED_DAY,
        `Bearer ${craftToken(v2Claims({ sub: CHANGED_USER.username, iat: CHANGED_AT - 1, nbf: CHANGED_AT - 1 }), SECRET)}`,
      )
      assert.equal(res.status, 401)
      assert.deepEqual(await readJson(res), { error: 'Unauthorized' })
    })

    it("answers a request without Authorization with the first generation's 401", async () => {
      await expectAuthError(
        await schedule(SEED_DAY),
        'Authorization Required',
        'Request does not contain an access token',
      )
    })
  })

  describe('tokens after a password change', () => {
    const forChanged = (iat: number) =>
      `JWT ${craftToken(claims(CHANGED_USER.username, { iat, nbf: iat, exp: nowSeconds() + 300 }), SECRET)}`
    it('refuses a token issued before the second the password changed', async () => {
      await expectAuthError(
        await schedule(SEED_DAY, forChanged(CHANGED_AT - 1)),
        'Invalid token',
        'Token was issued before the password changed',
      )
    })
    it('accepts a token issued in that second or later', async () => {
      assert.equal((await schedule(SEED_DAY, forChanged(CHANGED_AT))).status, 200)
      assert.equal((await schedule(SEED_DAY, forChanged(nowSeconds()))).status, 200)
    })
  })

  describe('GET /holodules/{date}', () => {
    it('returns the day newest first, in the wire shape, keys derived for legacy rows', async () => {
      const res = await schedule(SEED_DAY, `JWT ${token()}`)
      assert.equal(res.status, 200)
      const body = (await readJson(res)) as { result: number; holodules: Array<Record<string, string>> }
      assert.deepEqual(Object.keys(body), ['result', 'holodules'])
      assert.equal(body.result, SEED_DAY_KEYS.length)
      assert.deepEqual(
        body.holodules.map((h) => h.key),
        SEED_DAY_KEYS,
      )
      for (const h of body.holodules) assert.deepEqual(Object.keys(h), HOLODULE_KEYS)
      const polka = body.holodules.find((h) => h.key === 'HL0503_20201209_230000')
      assert.deepEqual(polka, {
        key: 'HL0503_20201209_230000',
        video_id: 'yEttl2nfhsQ',
        datetime: '20201209 230000',
        name: '尾丸ポルカ',
        title: '【雑談】ポルカの夜',
        url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
        description: '尾丸ポルカ / 【雑談】ポルカの夜',
      })
    })

    it('answers 404 Not found for a day without streams', async () => {
      const res = await schedule(EMPTY_DAY, `JWT ${token()}`)
      assert.equal(res.status, 404)
      assert.deepEqual(await readJson(res), { error: 'Not found' })
    })

    for (const date of [
      '2020120',
      '202012099',
      '........',
      '2020-12-',
      'abcdefgh',
      '20201332',
      '20210229',
      '20201200',
      '%2E%2A%2E%2A%2E%2A%2E%2A',
    ]) {
      it(`answers 400 for the date ${JSON.stringify(date)}`, async () => {
        const res = await schedule(date, `JWT ${token()}`)
        assert.equal(res.status, 400)
        assert.deepEqual(await readJson(res), { error: 'Bad Request', description: 'date must be YYYYMMDD' })
      })
    }

    it('accepts a leap day', async () => {
      assert.equal((await schedule('20200229', `JWT ${token()}`)).status, 404)
    })

    it('asks for a token before looking at the date', async () => {
      const res = await schedule('........')
      assert.equal(res.status, 401)
    })
  })

  describe('GET /openapi.json and conditional requests', () => {
    it('serves its OpenAPI 3.1 document, both generations and their schemes', async () => {
      const res = await api('/openapi.json')
      assert.equal(res.status, 200)
      const doc = (await readJson(res)) as {
        openapi: string
        paths: Record<string, unknown>
        components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> }
      }
      assert.equal(doc.openapi, '3.1.0')
      for (const path of ['/auth', '/login', '/holodules/{date}']) assert.ok(path in doc.paths, path)
      const { JWT, Bearer } = doc.components.securitySchemes
      assert.deepEqual([JWT?.type, JWT?.in, JWT?.name], ['apiKey', 'header', 'Authorization'])
      assert.equal(Bearer?.type, 'http')
    })

    it('answers If-None-Match with the current ETag by 304, no body, the same ETag', async () => {
      const first = await schedule(SEED_DAY, `JWT ${token()}`)
      assert.equal(first.status, 200)
      const etag = first.headers.get('etag')
      assert.match(etag ?? '', /^"[^"]+"$/)
      await first.body?.cancel()
      const again = await api(`/holodules/${SEED_DAY}`, {
        headers: { Authorization: `JWT ${token()}`, 'If-None-Match': etag ?? '' },
      })
      assert.equal(again.status, 304)
      assert.equal(again.headers.get('etag'), etag)
      assert.equal(await again.text(), '')
    })

    it("says Vary: Authorization on a day's answer: the same URL answers each generation in its shape", async () => {
      const first = await schedule(SEED_DAY, `JWT ${token()}`)
      assert.equal(first.status, 200)
      assert.match(first.headers.get('vary') ?? '', /\bAuthorization\b/)
      await first.body?.cancel()
      const again = await api(`/holodules/${SEED_DAY}`, {
        headers: { Authorization: `JWT ${token()}`, 'If-None-Match': first.headers.get('etag') ?? '' },
      })
      assert.equal(again.status, 304)
      assert.match(again.headers.get('vary') ?? '', /\bAuthorization\b/)
    })
  })

  describe('everything else', () => {
    it('an unknown path: 404 Not found', async () => {
      for (const path of ['/', '/nope', '/holodules', '/holodules/20201209/extra']) {
        const res = await api(path)
        assert.equal(res.status, 404, path)
        assert.deepEqual(await readJson(res), { error: 'Not found' })
      }
    })

    it('a wrong method on a known path: 405 with a JSON body', async () => {
      for (const [method, path] of [
        ['GET', '/auth'],
        ['PUT', '/auth'],
        ['DELETE', `/holodules/${SEED_DAY}`],
        ['POST', `/holodules/${SEED_DAY}`],
      ] as const) {
        const res = await api(path, { method })
        assert.equal(res.status, 405, `${method} ${path}`)
        assert.equal(typeof ((await readJson(res)) as { error: unknown }).error, 'string')
      }
    })

    it('CORS headers as the old service sent them, on success and on errors', async () => {
      for (const res of [await login(HASHED_USER), await schedule(SEED_DAY), await api('/nope')]) {
        assert.equal(res.headers.get('access-control-allow-origin'), '*')
        assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type,Authorization')
        assert.equal(res.headers.get('access-control-allow-methods'), 'GET,PUT,POST,DELETE,OPTIONS')
        await res.body?.cancel()
      }
    })

    it('answers a CORS preflight', async () => {
      const res = await api('/auth', {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
      })
      assert.ok(res.status === 200 || res.status === 204, String(res.status))
      assert.equal(res.headers.get('access-control-allow-origin'), '*')
      assert.equal(res.headers.get('access-control-allow-headers'), 'Content-Type,Authorization')
    })
  })

  thirdGenerationCases({ target, api, readJson })
  writeCases({ target, api, readJson })
  headerCases({ target, api })
  feedCases({ target, api, readJson })
}
