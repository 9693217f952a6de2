import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { HOLODULES, SEED_DAY } from '#harness/fixtures.js'
import type { PasswordVerifier } from '#src/auth/password.js'
import { issueToken } from '#src/auth/token.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp } from '../support/app.js'
import { anyString, fuzzParams, headerValue, within } from './fuzz.js'

/**
 * Property tests of every input of the app, in process: whatever a client sends to `POST /auth` or
 * `GET /holodules/{date}`, the answer is one the contract lists, in its shape, and never a 5xx or a
 * hang. See test/property/fuzz.ts for the run budget (FUZZ_RUNS, FUZZ_SEED).
 */

const RUNS = 150
/** Names that are special on a plain object: a lookup keyed by user input must not trip on them. */
const OBJECT_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf']
const SECRET = 'property-suite-secret-0123456789-abcdef'
const WRONG_SECRET = 'property-suite-wrong-0123456789-abcdef'
const USER = { username: 'user01', password: 'password01' }
const JSON_TYPE = 'application/json; charset=UTF-8'
const BODY_LIMIT = 8192
const HANG_MS = 5000
/** A fixed clock: token times are decided by the generators, not by when the test runs. */
const NOW = Date.UTC(2020, 11, 9, 12, 0, 0)
const NOW_S = NOW / 1000

/**
 * PBKDF2 at the policy's 600,000 iterations (the configured minimum) costs ~100 ms per check, and the
 * fuzz runs hundreds of logins: they use this fake, which compares plain text at no cost. The real
 * verifier has its own unit tests; what is fuzzed here is everything around it.
 */
const fastPasswords: PasswordVerifier = {
  verify: async (password, stored) =>
    stored !== null && password === stored ? { ok: true, rehash: false } : { ok: false },
}

const setup = () => {
  const store = new MemoryStore({ users: [{ id: '1', ...USER }], holodules: HOLODULES })
  // A new peer per request, so login throttling (its own unit tests) does not answer every run with 429.
  let peers = 0
  const { app, config } = testApp({
    env: { JWT_SECRET_KEY: SECRET },
    store,
    clock: { now: () => NOW },
    passwords: fastPasswords,
    peerAddress: () => {
      peers++
      return `10.${(peers >> 16) & 255}.${(peers >> 8) & 255}.${peers & 255}`
    },
  })
  assert.equal(config.authBodyLimit, BODY_LIMIT)
  const request = (path: string, init?: RequestInit) =>
    within(Promise.resolve(app.request(path, init)), HANG_MS, `${init?.method ?? 'GET'} ${path}`)
  return { request, config }
}

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown> | unknown[]
}

/** Every answer: JSON in the contract's content type, and never a 5xx. */
const read = async (res: Response): Promise<Answer> => {
  assert.ok(res.status < 500, `a 5xx: ${res.status} ${await res.clone().text()}`)
  assert.equal(res.headers.get('content-type'), JSON_TYPE)
  const text = await res.text()
  let body: unknown
  assert.doesNotThrow(() => {
    body = JSON.parse(text)
  }, `not JSON: ${text}`)
  assert.equal(typeof body, 'object')
  assert.notEqual(body, null)
  return { status: res.status, headers: res.headers, body: body as Answer['body'] }
}

/** Flask-JWT's error body, keys in its order, status_code mirroring the status. */
const assertFlaskJwtError = (a: Answer): { error: string; description: string } => {
  assert.deepEqual(Object.keys(a.body), ['status_code', 'error', 'description'])
  const body = a.body as Record<string, unknown>
  assert.equal(body.status_code, a.status)
  assert.equal(typeof body.error, 'string')
  assert.equal(typeof body.description, 'string')
  return { error: body.error as string, description: body.description as string }
}

/** A 200 of POST /auth: exactly an access token of three segments. */
const assertToken = (a: Answer) => {
  assert.deepEqual(Object.keys(a.body), ['access_token'])
  assert.match(String((a.body as Record<string, unknown>).access_token), /^[\w-]+\.[\w-]+\.[\w-]+$/)
}

// ---------------------------------------------------------------------------------------------
// POST /auth

/** A value a client might put under username or password. */
const credentialValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(USER.username, USER.password, '', ' ', 'nobody') },
  { weight: 1, arbitrary: fc.constantFrom(...OBJECT_KEYS) },
  { weight: 3, arbitrary: anyString() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)

/** Objects with or without username and password, of any types, sometimes with extra keys. */
const credentialObject = fc
  .tuple(
    fc.record({ username: credentialValue, password: credentialValue }, { requiredKeys: [] }),
    fc.option(fc.dictionary(anyString(10), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }), { freq: 3 }),
  )
  .map(([creds, extra]) => ({ ...(extra ?? {}), ...creds }))

/** A body just under or over the limit, in multi-byte characters. */
const hugeBody = fc
  .tuple(fc.integer({ min: BODY_LIMIT / 4, max: BODY_LIMIT }), fc.constantFrom('a', 'é', '尾', '😀'))
  .map(([n, ch]) => JSON.stringify({ username: USER.username, password: ch.repeat(n) }))

const authBody = fc.oneof(
  { weight: 2, arbitrary: fc.constant(JSON.stringify(USER)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ` \n${JSON.stringify(USER)}\t`,
      JSON.stringify({ password: USER.password, username: USER.username }),
      '\uFEFF{"username":"user01","password":"password01"}',
      // Lone surrogates: sent as U+FFFD.
      '{"username":"user01","password":"\uD800"}',
      '{"username":"\uDC00user01","password":"password01"}',
    ),
  },
  { weight: 4, arbitrary: credentialObject.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: anyString(200) },
  { weight: 1, arbitrary: hugeBody },
)

/** Content types the handler takes as JSON, and then anything at all (or none). */
const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
]
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...JSON_TYPES) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/jsonp'),
  },
  { weight: 2, arbitrary: headerValue() },
  { weight: 1, arbitrary: fc.constant(undefined) },
)

/** What the server reads of a body: UTF-8 encoded (lone surrogates become U+FFFD), decoded, BOM dropped. */
const asReceived = (body: string): { bytes: number; text: string } => {
  const bytes = new TextEncoder().encode(body)
  return { bytes: bytes.length, text: new TextDecoder().decode(bytes) }
}

/** The contract's answer to a body the handler reads as JSON: 200, 400 (not JSON / not an object) or 401. */
const expectedAuthStatus = (text: string): 200 | 400 | 401 => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 400
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 400
  const o = value as Record<string, unknown>
  return Object.keys(o).length === 2 && o.username === USER.username && o.password === USER.password
    ? 200
    : 401
}

describe('POST /auth, any body and Content-Type', () => {
  const { request } = setup()

  it('answers 200 only for the real credentials, otherwise 400/401/413 (or 429) in the Flask-JWT shape', async () => {
    await fc.assert(
      fc.asyncProperty(authBody, contentType, async (body, type) => {
        const headers: Record<string, string> = {}
        if (type !== undefined) headers['Content-Type'] = type
        const a = await read(await request('/auth', { method: 'POST', headers, body }))
        const sent = asReceived(body)
        if (a.status === 200) {
          assertToken(a)
          assert.equal(expectedAuthStatus(sent.text), 200)
          return
        }
        const { error, description } = assertFlaskJwtError(a)
        if (a.status === 429) {
          assert.deepEqual([error, description], ['Too Many Requests', 'Too many login attempts'])
          assert.match(a.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
          return
        }
        assert.equal(error, 'Bad Request')
        if (sent.bytes > BODY_LIMIT) {
          assert.equal(a.status, 413)
          return
        }
        assert.notEqual(a.status, 413, `413 for ${sent.bytes} bytes`)
        const expected = expectedAuthStatus(sent.text)
        if (type !== undefined && JSON_TYPES.includes(type)) {
          assert.equal(a.status, expected, description)
          if (expected === 401) assert.equal(description, 'Invalid credentials')
        } else {
          // Another content type may be refused before the body is read; it never logs in.
          assert.ok(a.status === 400 || a.status === expected, `${a.status} ${description}`)
        }
      }),
      fuzzParams(RUNS),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Authorization on GET /holodules/20201209

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')
const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }

/** A claim time: valid, expired, in the future, or any JSON value at all. */
const claimTime = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(-86_400, -300, -60, 0, 60, 300, 86_400).map((d) => NOW_S + d) },
  { weight: 1, arbitrary: fc.constantFrom(1e300, -1e300, 1.5, 0, 2 ** 53, NOW_S + 0.5) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
)

const jsonHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ alg: 'HS256', typ: 'JWT' }) },
  {
    weight: 2,
    arbitrary: fc.record({ alg: fc.constantFrom('HS256', 'HS384', 'HS512', 'none', 'RS256', 'hs256') }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.dictionary(anyString(8), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
        fc.option(fc.jsonValue()),
      )
      .map(([o, alg]) => (alg === null ? o : { ...o, alg })),
  },
)

const jsonPayload = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      exp: fc.constant(NOW_S + 300),
      iat: fc.constant(NOW_S),
      nbf: fc.constant(NOW_S),
      identity: fc.oneof(
        { weight: 3, arbitrary: fc.constant(USER.username) },
        { weight: 1, arbitrary: fc.constantFrom('nobody', ...OBJECT_KEYS) },
      ),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record(
      {
        exp: claimTime,
        iat: claimTime,
        nbf: claimTime,
        identity: fc.oneof(
          fc.constantFrom(USER.username, 'nobody', '', ...OBJECT_KEYS),
          anyString(),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: ['identity'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)

type Signing = 'right' | 'wrong-secret' | 'garbage'

/** A token of three segments: JSON header and payload, signed with the secret or not. */
const structuredToken = fc
  .tuple(
    jsonHeader,
    jsonPayload,
    fc.constantFrom<Signing>('right', 'right', 'wrong-secret', 'garbage'),
    fc.base64String({ maxLength: 20 }),
  )
  .map(([header, payload, signing, garbage]) => {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload) ?? 'null')}`
    const alg = (header as { alg?: unknown }).alg
    const hash = typeof alg === 'string' && HMAC[alg] ? HMAC[alg] : 'sha256'
    const signature =
      signing === 'garbage'
        ? garbage.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
        : createHmac(hash, signing === 'right' ? SECRET : WRONG_SECRET)
            .update(input)
            .digest('base64url')
    return { token: `${input}.${signature}`, header, payload, signing }
  })

/** What only a genuine, current token of an existing user may get past. */
const shouldPass = ({
  header,
  payload,
  signing,
}: {
  header: unknown
  payload: unknown
  signing: Signing
}) => {
  if (signing !== 'right' || (header as { alg?: unknown }).alg !== 'HS256') return false
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false
  const p = payload as Record<string, unknown>
  const times = [p.exp, p.iat, p.nbf]
  if (!times.every((t) => typeof t === 'number' && Number.isFinite(t))) return false
  const [exp, iat, nbf] = times as number[]
  return (
    (exp as number) > NOW_S &&
    (iat as number) <= NOW_S &&
    (nbf as number) <= NOW_S &&
    p.identity === USER.username
  )
}

/** The 401s the contract lists for a protected route (with PyJWT's wording where it names the fault). */
const TOKEN_DESCRIPTIONS = [
  /^Not enough segments$/,
  /^Invalid (header|payload|crypto) padding$/,
  /^Invalid (header|payload) string: /,
  /^Signature verification failed$/,
  /^The specified alg value is not allowed$/,
  /^Token is missing the "(exp|iat|nbf)" claim$/,
  /^(Expiration Time|Issued At|Not Before) claim \((exp|iat|nbf)\) must be an integer\.$/,
  /^Signature has expired$/,
  /^The token is not yet valid \((nbf|iat)\)$/,
  /^Token was issued before the password changed$/,
]
/** A forged token learns nothing about its claims: it fails on its structure, its alg or its signature. */
const BEFORE_SIGNATURE = TOKEN_DESCRIPTIONS.slice(0, 5)

const assert401 = (a: Answer) => {
  const { error, description } = assertFlaskJwtError(a)
  switch (error) {
    case 'Authorization Required':
      assert.equal(description, 'Request does not contain an access token')
      assert.equal(a.headers.get('www-authenticate'), 'JWT realm="Login Required"')
      break
    case 'Invalid JWT header':
      assert.ok(
        ['Unsupported authorization type', 'Token missing', 'Token contains spaces'].includes(description),
        description,
      )
      break
    case 'Invalid token':
      assert.ok(
        TOKEN_DESCRIPTIONS.some((re) => re.test(description)),
        description,
      )
      break
    case 'Invalid JWT':
      assert.equal(description, 'User does not exist')
      break
    default:
      assert.fail(`unexpected error ${JSON.stringify(error)}`)
  }
  return { error, description }
}

/** A protected route's own answers once the token passed: the day's schedule or its absence. */
const assertSchedule = (a: Answer, date: string) => {
  if (a.status === 404) {
    assert.deepEqual(a.body, { error: 'Not found' })
    return
  }
  assert.equal(a.status, 200)
  const body = a.body as { result: unknown; holodules: Array<Record<string, unknown>> }
  assert.deepEqual(Object.keys(body), ['result', 'holodules'])
  assert.ok(Array.isArray(body.holodules) && body.holodules.length > 0)
  assert.equal(body.result, body.holodules.length)
  let previous = '99999999 999999'
  for (const h of body.holodules) {
    assert.deepEqual(Object.keys(h), ['key', 'video_id', 'datetime', 'name', 'title', 'url', 'description'])
    assert.ok(Object.values(h).every((v) => typeof v === 'string'))
    assert.ok(String(h.datetime).startsWith(date), `${h.datetime} is not on ${date}`)
    assert.ok(String(h.datetime) <= previous, 'newest first')
    previous = String(h.datetime)
  }
}

describe('GET /holodules/20201209, any Authorization header', () => {
  const { request } = setup()
  const get = async (authorization: string | undefined) => {
    const headers: Record<string, string> =
      authorization === undefined ? {} : { Authorization: authorization }
    return read(await request(`/holodules/${SEED_DAY}`, { headers }))
  }

  it('answers any header string with the schedule or a listed 401', async () => {
    const scheme = fc.constantFrom('JWT', 'jwt', 'Jwt', 'Bearer', 'Basic', '')
    const header = fc.oneof(
      headerValue(80),
      fc.tuple(scheme, headerValue(80)).map(([s, rest]) => `${s} ${rest}`),
      fc
        .tuple(scheme, fc.array(fc.stringMatching(/^[\w-]{0,12}$/), { maxLength: 5 }))
        .map(([s, segs]) => `${s} ${segs.join('.')}`),
      fc.constant(undefined),
    )
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const a = await get(authorization)
        // Nothing here is a genuine token (those are below). `Bearer` is the second generation's
        // scheme: Flask-JWT-Extended's 401/422 `{"msg"}` (or `{"error": "Unauthorized"}`); every
        // other header gets one of Flask-JWT's 401s.
        if ((authorization ?? '').trim().split(/\s+/)[0]?.toLowerCase() === 'bearer') {
          assert.ok(a.status === 401 || a.status === 422, String(a.status))
          const body = a.body as Record<string, unknown>
          assert.ok(
            (Object.keys(body).join() === 'msg' && typeof body.msg === 'string') ||
              (a.status === 401 && body.error === 'Unauthorized' && Object.keys(body).length === 1),
            JSON.stringify(body),
          )
          return
        }
        assert.equal(a.status, 401)
        assert401(a)
      }),
      fuzzParams(RUNS),
    )
  })

  it('passes a token only when it is genuine and current, and checks the signature before any claim', async () => {
    const header = fc.tuple(
      fc.constantFrom('JWT ', 'jwt ', ' JWT\t', 'JWT  '),
      structuredToken,
      fc.constantFrom('', ' ', ' x'),
    )
    await fc.assert(
      fc.asyncProperty(header, async ([prefix, token, suffix]) => {
        const a = await get(`${prefix}${token.token}${suffix}`)
        if (suffix === ' x') {
          assert.deepEqual(assert401(a), {
            error: 'Invalid JWT header',
            description: 'Token contains spaces',
          })
          return
        }
        if (shouldPass(token)) {
          assertSchedule(a, SEED_DAY)
          assert.equal(a.status, 200)
          return
        }
        assert.equal(a.status, 401, JSON.stringify(a.body))
        const { description } = assert401(a)
        if (token.signing !== 'right' || (token.header as { alg?: unknown }).alg !== 'HS256')
          assert.ok(
            BEFORE_SIGNATURE.some((re) => re.test(description)),
            `a forged token was told: ${description}`,
          )
      }),
      fuzzParams(RUNS),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// The date of GET /holodules/{date}

/** An independent oracle: a real day of the proleptic Gregorian calendar, years 0000-9999. */
const isRealDay = (s: string): boolean => {
  if (!/^[0-9]{8}$/.test(s)) return false
  const y = Number(s.slice(0, 4))
  const m = Number(s.slice(4, 6))
  const d = Number(s.slice(6, 8))
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
  return days !== undefined && d >= 1 && d <= days
}

const dateText = fc.oneof(
  { weight: 3, arbitrary: anyString(12) },
  { weight: 3, arbitrary: fc.stringMatching(/^[0-9]{8}$/) },
  {
    weight: 3,
    arbitrary: fc
      .date({
        min: new Date('0000-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10).replaceAll('-', '')),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      )
      .map(
        ([y, m, d]) =>
          `${String(y).padStart(4, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      SEED_DAY,
      '........',
      '2020120',
      '202012090',
      '２０２０１２０９',
      '20201209 ',
      '-2020120',
    ),
  },
)

describe('GET /holodules/{date}, any date, with a valid token', () => {
  const { request, config } = setup()

  it('answers a real YYYYMMDD with 200/404 and anything else with the contract 400 (or 404 off the route)', async () => {
    const token = await issueToken(config.jwt, USER.username, NOW)
    await fc.assert(
      fc.asyncProperty(dateText, async (date) => {
        const path = `/holodules/${encodeURIComponent(date)}`
        const a = await read(await request(path, { headers: { Authorization: `JWT ${token}` } }))
        if (isRealDay(date)) {
          assertSchedule(a, date)
          if (date === SEED_DAY) assert.equal(a.status, 200)
          return
        }
        if (a.status === 404) {
          // Only a path the route cannot match: empty, dot segments, or a slash inside.
          assert.deepEqual(a.body, { error: 'Not found' })
          assert.ok(
            date === '' || date === '.' || date === '..' || date.includes('/'),
            `404 for ${JSON.stringify(date)}`,
          )
          return
        }
        assert.equal(a.status, 400, `${a.status} for ${JSON.stringify(date)}`)
        assert.deepEqual(a.body, { error: 'Bad Request', description: 'date must be YYYYMMDD' })
        assert.equal(JSON.stringify(a.body), '{"error":"Bad Request","description":"date must be YYYYMMDD"}')
      }),
      fuzzParams(RUNS),
    )
  })
})
