import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CHANGED_AT,
  CHANGED_USER,
  DISABLED_USER,
  DISABLED_USER_ID,
  HASHED_USER,
  SECRET,
  SEED_DAY,
  SEED_DAY_KEYS,
  type SeedStream,
  STREAMERS,
  STREAMS,
} from '#harness/fixtures.js'
import { claims, craftToken, decodePart, nowSeconds } from '#harness/tokens.js'
import type { Layout } from '#src/store/store.js'
import type { ContractTarget } from './target.js'

/** What the third generation's cases borrow from the suite: its target, its checked fetch, its JSON read. */
export interface SuiteTools {
  target: () => ContractTarget
  /** Every answer checked against the target's own /openapi.json. */
  api: (path: string, init?: RequestInit) => Promise<Response>
  /** The body as JSON, after checking the content type. */
  readJson: (res: Response) => Promise<unknown>
}

export const SCHEDULE_KEYS = [
  'id',
  'code',
  'video_id',
  'streaming_at',
  'name',
  'title',
  'url',
  'description',
  'published_at',
  'channel_id',
  'channel_title',
  'tags',
  'key',
]
export const STREAMER_KEYS = [
  'id',
  'code',
  'name',
  'group',
  'affiliations',
  'image_name',
  'channel_id',
  'is_retired',
]
const NOT_AUTHENTICATED = { detail: 'Not authenticated' }
const COULD_NOT_VALIDATE = { message: 'Could not validate credentials' }
const missing = (identifier: string) => ({ message: 'The entity does not exist', identifier })

const derivedKey = (s: SeedStream) => `${s.holodule.code}_${s.holodule.datetime.replace(' ', '_')}`

/**
 * A stream as `GET /schedules` must answer it on the layout the target holds: the 2024 layout gives
 * what its collector wrote, the 2020 layout `streaming_at` from `datetime` and the 2024 fields empty.
 * Either way `id` is the document's `_id` and `key` the stored one or the derived one.
 */
const expectedSchedule = (s: SeedStream, layout: Layout) => ({
  id: s.id,
  code: s.holodule.code,
  video_id: s.holodule.video_id,
  streaming_at: s.streamingAt,
  name: s.holodule.name,
  title: s.holodule.title,
  url: s.holodule.url,
  description: s.holodule.description,
  published_at: layout === 'schedules' ? s.publishedAt : null,
  channel_id: layout === 'schedules' ? s.channelId : null,
  channel_title: layout === 'schedules' ? s.channelTitle : null,
  tags: layout === 'schedules' ? s.tags : [],
  key: s.holodule.key ?? derivedKey(s),
})

const expectedStreamer = ({ older: _older, ...s }: (typeof STREAMERS)[number]) => s

const stream = (key: string): SeedStream => {
  const s = STREAMS.find((x) => derivedKey(x) === key)
  assert.ok(s, `no seed stream ${key}`)
  return s
}
const streamerOf = (code: string) => {
  const s = STREAMERS.find((x) => x.code === code)
  assert.ok(s, `no seed streamer ${code}`)
  return s
}

/** A Bearer token as the 2024 service signs it (sub, exp, and iat for the password-change rule). */
const bearerToken = (sub: unknown, overrides: Record<string, unknown> = {}, opts?: { alg?: string }) => {
  const iat = nowSeconds()
  return craftToken({ sub, exp: iat + 900, iat, ...overrides }, SECRET, opts)
}

/**
 * The third generation's rows of shared/contract.md (POST /token, its Bearer guard, /schedules and
 * /streamers, the disabled user), except the admin-only writes. The target holds the contract's
 * streams and streamers (harness/fixtures.ts) in one layout, `target().layout`; the answers are the
 * same on both but for what only the 2024 collector wrote.
 */
export const thirdGenerationCases = ({ target, api, readJson }: SuiteTools) => {
  const layout = (): Layout => target().layout ?? 'holodules'
  const form = (fields: Record<string, string>) =>
    api('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  const get = (path: string, authorization?: string) =>
    api(path, authorization === undefined ? {} : { headers: { Authorization: authorization } })
  const bearer = () => `Bearer ${bearerToken(HASHED_USER.username)}`

  const expectRefused = async (res: Response, body: unknown, what: string) => {
    assert.equal(res.status, 401, what)
    assert.equal(res.headers.get('www-authenticate'), 'Bearer', what)
    assert.deepEqual(await readJson(res), body, what)
  }
  /** `GET /schedules?<query>` with a valid token: the keys of the answer, in order. */
  const keysOf = async (query: string) => {
    const res = await get(`/schedules?${query}`, bearer())
    assert.equal(res.status, 200, query)
    const body = (await readJson(res)) as { schedules: Array<Record<string, unknown>> }
    assert.deepEqual(Object.keys(body), ['schedules'])
    return body.schedules.map((s) => s.key)
  }

  describe('the third generation: POST /token', () => {
    it('answers {access_token, token_type: bearer}; the token is HS256 {sub, exp, iat}, 15 minutes', async () => {
      const before = nowSeconds()
      // OAuth2's optional fields are accepted and ignored.
      const res = await form({
        grant_type: 'password',
        ...HASHED_USER,
        scope: '',
        client_id: 'web',
        client_secret: 'x',
      })
      assert.equal(res.status, 200)
      const body = (await readJson(res)) as { access_token: string; token_type: string }
      assert.deepEqual(Object.keys(body), ['access_token', 'token_type'])
      assert.equal(body.token_type, 'bearer')
      assert.deepEqual(decodePart(body.access_token, 0), { alg: 'HS256', typ: 'JWT' })
      const p = decodePart(body.access_token, 1) as { sub: string; exp: number; iat: number }
      assert.deepEqual(Object.keys(p), ['sub', 'exp', 'iat'])
      assert.equal(p.sub, HASHED_USER.username)
      assert.ok(p.iat >= before - 1 && p.iat <= nowSeconds() + 1)
      assert.equal(p.exp, p.iat + 900)
      // The token it issues opens its routes, and the second generation's (interchangeable Bearer tokens).
      assert.equal((await get('/schedules', `Bearer ${body.access_token}`)).status, 200)
      const day = await get(`/holodules/${SEED_DAY}`, `Bearer ${body.access_token}`)
      assert.equal(day.status, 200)
      assert.deepEqual(
        ((await readJson(day)) as Array<{ key: string }>).map((h) => h.key),
        SEED_DAY_KEYS,
      )
    })

    it('answers a wrong password, an unknown user and a disabled user alike: 401 with WWW-Authenticate: Bearer', async () => {
      for (const fields of [
        { ...HASHED_USER, password: 'wrong' },
        { username: 'nobody', password: HASHED_USER.password },
        DISABLED_USER,
      ]) {
        await expectRefused(
          await form(fields),
          { message: 'Incorrect username or password' },
          fields.username,
        )
      }
    })

    for (const [what, init] of [
      [
        'a missing password',
        {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'username=user01',
        },
      ],
      [
        'a missing username',
        {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'password=password01',
        },
      ],
      ['a JSON body', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(HASHED_USER) }],
    ] as const) {
      it(`answers 422 {} for ${what}`, async () => {
        const res = await api('/token', { method: 'POST', ...init })
        assert.equal(res.status, 422)
        assert.deepEqual(await readJson(res), {})
      })
    }

    it('answers another method with 405 and a JSON body', async () => {
      const res = await api('/token')
      assert.equal(res.status, 405)
      assert.equal(typeof ((await readJson(res)) as { error: unknown }).error, 'string')
    })
  })

  describe('the third generation: its Bearer guard', () => {
    it('no header, or another scheme (JWT included): 401 {"detail": "Not authenticated"}', async () => {
      await expectRefused(await get('/schedules'), NOT_AUTHENTICATED, 'no header')
      const firstGeneration = craftToken(claims(HASHED_USER.username), SECRET)
      for (const auth of [
        `JWT ${firstGeneration}`,
        `JWT ${bearerToken(HASHED_USER.username)}`,
        'Basic dXNlcjAx',
      ]) {
        await expectRefused(await get('/schedules', auth), NOT_AUTHENTICATED, auth)
      }
      // The guard answers before the parameters are looked at.
      await expectRefused(await get('/schedules?sdate=20240110'), NOT_AUTHENTICATED, 'a bad sdate')
      await expectRefused(await get('/streamers'), NOT_AUTHENTICATED, '/streamers')
    })

    it('matches the scheme word case-insensitively', async () => {
      const t = bearerToken(HASHED_USER.username)
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const res = await get('/schedules', `${scheme} ${t}`)
        assert.equal(res.status, 200, scheme)
        await res.body?.cancel()
      }
    })

    it("accepts the second generation's token from POST /login", async () => {
      const login = await api('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })
      assert.equal(login.status, 200)
      const t = ((await readJson(login)) as { access_token: string }).access_token
      assert.equal((await get('/schedules', `Bearer ${t}`)).status, 200)
      assert.equal((await get('/streamers', `Bearer ${t}`)).status, 200)
    })

    it('refuses every other token with 401 {"message": "Could not validate credentials"}', async () => {
      const now = nowSeconds()
      const v2 = {
        fresh: false,
        iat: now,
        jti: '3f1b6a9e-1c1e-4c7e-9b5e-0f5a2c2d9e11',
        type: 'access',
        sub: 'ghost',
        nbf: now,
        exp: now + 900,
      }
      const cases: Array<[string, string]> = [
        ['malformed', 'aaaa.bbbb'],
        ['a header that is not JSON', 'bm90anNvbg.e30.x'],
        ['the scheme word alone', ''],
        [
          'a bad signature',
          craftToken({ sub: HASHED_USER.username, exp: now + 900 }, 'another-secret-0123456789-abcdef'),
        ],
        ['alg HS512', bearerToken(HASHED_USER.username, {}, { alg: 'HS512' })],
        ['alg none', bearerToken(HASHED_USER.username, {}, { alg: 'none' })],
        ['expired', bearerToken(HASHED_USER.username, { iat: now - 1000, exp: now - 10 })],
        ['sub missing (a first-generation token)', craftToken(claims(HASHED_USER.username), SECRET)],
        ['sub not a string', bearerToken(1)],
        ['an unknown user', bearerToken('ghost')],
        ['an unknown user (second-generation claims)', craftToken(v2, SECRET)],
        ['issued before a password change', bearerToken(CHANGED_USER.username, { iat: CHANGED_AT - 1 })],
        [
          "without iat (the 2024 service's own), its user's password changed",
          craftToken({ sub: CHANGED_USER.username, exp: now + 900 }, SECRET),
        ],
      ]
      for (const [what, t] of cases) {
        await expectRefused(await get('/schedules', `Bearer ${t}`.trim()), COULD_NOT_VALIDATE, what)
      }
      // Issued in that second or later: accepted.
      const changed = await get(
        '/schedules',
        `Bearer ${bearerToken(CHANGED_USER.username, { iat: CHANGED_AT })}`,
      )
      assert.equal(changed.status, 200)
    })

    it('a disabled user: 400 {"message": "Inactive user", "identifier": <its _id>}', async () => {
      for (const path of ['/schedules', '/streamers', `/schedules/${STREAMS[0]?.id}`]) {
        const res = await get(path, `Bearer ${bearerToken(DISABLED_USER.username)}`)
        assert.equal(res.status, 400, path)
        assert.deepEqual(await readJson(res), { message: 'Inactive user', identifier: DISABLED_USER_ID })
      }
    })

    it('a disabled user is refused by the first and second generations too', async () => {
      const auth = await api('/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(DISABLED_USER),
      })
      assert.equal(auth.status, 401)
      assert.deepEqual(await readJson(auth), {
        status_code: 401,
        error: 'Bad Request',
        description: 'Invalid credentials',
      })
      const login = await api('/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(DISABLED_USER),
      })
      assert.equal(login.status, 401)
      assert.deepEqual(await readJson(login), { error: 'Unauthorized' })
      const jwt = await get(
        `/holodules/${SEED_DAY}`,
        `JWT ${craftToken(claims(DISABLED_USER.username), SECRET)}`,
      )
      assert.equal(jwt.status, 401)
      assert.deepEqual(await readJson(jwt), {
        status_code: 401,
        error: 'Invalid JWT',
        description: 'User does not exist',
      })
      const v2 = await get(`/holodules/${SEED_DAY}`, `Bearer ${bearerToken(DISABLED_USER.username)}`)
      assert.equal(v2.status, 401)
      assert.deepEqual(await readJson(v2), { error: 'Unauthorized' })
    })
  })

  describe('the third generation: GET /schedules', () => {
    it('answers {"schedules": [...]} of every stream newest first, each in the wire order', async () => {
      const res = await get('/schedules', bearer())
      assert.equal(res.status, 200)
      const body = (await readJson(res)) as { schedules: Array<Record<string, unknown>> }
      assert.deepEqual(Object.keys(body), ['schedules'])
      const newestFirst = [...STREAMS].sort((a, b) => (a.streamingAt < b.streamingAt ? 1 : -1))
      assert.deepEqual(
        body.schedules,
        newestFirst.map((s) => expectedSchedule(s, layout())),
      )
      for (const s of body.schedules) assert.deepEqual(Object.keys(s), SCHEDULE_KEYS)
    })

    it('reads sdate and edate as Japan days, both inclusive', async () => {
      assert.deepEqual(await keysOf('sdate=2020-12-09&edate=2020-12-09'), SEED_DAY_KEYS)
      assert.deepEqual(await keysOf('sdate=2020-12-08&edate=2020-12-10'), [
        'HL0402_20201210_000000',
        ...SEED_DAY_KEYS,
        'HL0001_20201208_235959',
      ])
      // A day's first and last second are in it; the seconds either side are not.
      assert.deepEqual(await keysOf('sdate=2024-01-10&edate=2024-01-10'), [
        'EN0101_20240110_210000',
        'HL0101_20240110_003000',
      ])
      assert.deepEqual(await keysOf('sdate=2024-01-10'), [
        'EN0101_20240111_000000',
        'EN0101_20240110_210000',
        'HL0101_20240110_003000',
      ])
      assert.deepEqual(await keysOf('edate=2020-12-08'), ['HL0001_20201208_235959'])
      assert.equal((await get('/schedules?sdate=2024-02-29', bearer())).status, 200)
    })

    it('answers no stream as {"schedules": []}', async () => {
      const res = await get('/schedules?sdate=2020-12-07&edate=2020-12-07', bearer())
      assert.equal(res.status, 200)
      assert.deepEqual(await readJson(res), { schedules: [] })
      // A later start than end is no stream, not an error.
      assert.deepEqual(await keysOf('sdate=2020-12-10&edate=2020-12-09'), [])
    })

    it("filters by a group's codes and a code, their union when both are given", async () => {
      assert.deepEqual(await keysOf('group=hololive&sdate=2020-12-09&edate=2020-12-09'), [
        'HL0203_20201209_235959',
        'HL0503_20201209_230000',
        'HL0101_20201209_000000',
      ])
      assert.deepEqual(await keysOf('code=HL0402'), ['HL0402_20201210_000000', 'HL0402_20201209_180000'])
      assert.deepEqual(await keysOf('group=hololive_en&code=HL0101&sdate=2024-01-01'), [
        'EN0101_20240111_000000',
        'EN0101_20240110_210000',
        'HL0101_20240110_003000',
      ])
      // A group whose members have no stream: nothing.
      assert.deepEqual(await keysOf('group=hololive_DEV_IS'), [])
    })

    it('a group with no streamer and no code filters nothing; with a code, the code alone', async () => {
      const all2024 = [
        'EN0101_20240111_000000',
        'EN0101_20240110_210000',
        'HL0101_20240110_003000',
        'ID0101_20240109_235959',
      ]
      assert.deepEqual(await keysOf('group=nobody&sdate=2024-01-01'), all2024)
      assert.deepEqual(await keysOf('group=hololive_&sdate=2024-01-01'), all2024)
      assert.deepEqual(await keysOf('group=nobody&code=ID0101'), ['ID0101_20240109_235959'])
    })

    it('matches keyword as text in title, name or description, any case', async () => {
      assert.deepEqual(await keysOf('keyword=minecraft'), [
        'EN0101_20240111_000000',
        'HL0101_20240110_003000',
        'ID0101_20240109_235959',
      ])
      assert.deepEqual(await keysOf('keyword=CALLIOPE'), ['EN0101_20240111_000000', 'EN0101_20240110_210000'])
      assert.deepEqual(await keysOf(`keyword=${encodeURIComponent('ポルカ')}`), ['HL0503_20201209_230000'])
      assert.deepEqual(await keysOf('keyword=minecraft&group=hololive'), ['HL0101_20240110_003000'])
    })

    it('matches pattern characters literally: "(" is text, not a 500', async () => {
      assert.deepEqual(await keysOf(`keyword=${encodeURIComponent('(')}`), ['EN0101_20240110_210000'])
      assert.deepEqual(await keysOf(`keyword=${encodeURIComponent('(Part 2)')}`), ['EN0101_20240110_210000'])
      for (const k of ['.*', '[', '\\', '$where', '^M']) {
        assert.deepEqual(await keysOf(`keyword=${encodeURIComponent(k)}`), [], k)
      }
    })

    for (const [param, value] of [
      ['sdate', '20240110'],
      ['sdate', '2024/01/10'],
      ['edate', '2024-02-30'],
      ['edate', '2023-02-29'],
      ['sdate', '2024-1-10'],
    ] as const) {
      it(`answers 422 {} for ${param}=${value}`, async () => {
        const res = await get(`/schedules?${param}=${encodeURIComponent(value)}`, bearer())
        assert.equal(res.status, 422)
        assert.deepEqual(await readJson(res), {})
      })
    }
  })

  describe('the third generation: GET /schedules/{id}', () => {
    it('answers one stream by its id', async () => {
      for (const key of ['HL0503_20201209_230000', 'HL0402_20201209_180000', 'EN0101_20240110_210000']) {
        const s = stream(key)
        const res = await get(`/schedules/${s.id}`, bearer())
        assert.equal(res.status, 200, key)
        const body = (await readJson(res)) as Record<string, unknown>
        assert.deepEqual(Object.keys(body), SCHEDULE_KEYS)
        assert.deepEqual(body, expectedSchedule(s, layout()))
      }
    })

    it('answers 404 {"message": "The entity does not exist", "identifier": <id>}, also for an id that is not an ObjectId', async () => {
      for (const id of ['657a00000000000000000fff', streamerOf('HL0101').id, 'not-an-id', '12345']) {
        const res = await get(`/schedules/${id}`, bearer())
        assert.equal(res.status, 404, id)
        assert.deepEqual(await readJson(res), missing(id))
      }
    })
  })

  describe('the third generation: GET /streamers and /streamers/{id}', () => {
    it('lists every member sorted by code, the older collector’s string fields read as they mean', async () => {
      const res = await get('/streamers', bearer())
      assert.equal(res.status, 200)
      const body = (await readJson(res)) as { streamers: Array<Record<string, unknown>> }
      assert.deepEqual(Object.keys(body), ['streamers'])
      const byCode = [...STREAMERS].sort((a, b) => (a.code < b.code ? -1 : 1))
      assert.deepEqual(body.streamers, byCode.map(expectedStreamer))
      for (const s of body.streamers) assert.deepEqual(Object.keys(s), STREAMER_KEYS)
    })

    it('lists one group, an exact match, sorted by code', async () => {
      const res = await get('/streamers?group=hololive', bearer())
      assert.equal(res.status, 200)
      assert.deepEqual(await readJson(res), {
        streamers: ['HL0101', 'HL0203', 'HL0503'].map((c) => expectedStreamer(streamerOf(c))),
      })
      for (const group of ['hololive_', 'HOLOLIVE', 'nobody']) {
        const other = await get(`/streamers?group=${group}`, bearer())
        assert.equal(other.status, 200, group)
        assert.deepEqual(await readJson(other), { streamers: [] }, group)
      }
    })

    it('answers one member by its id', async () => {
      for (const code of ['HL0203', 'EN0101']) {
        const s = streamerOf(code)
        const res = await get(`/streamers/${s.id}`, bearer())
        assert.equal(res.status, 200, code)
        assert.deepEqual(await readJson(res), expectedStreamer(s))
      }
    })

    it('answers 404 {"message": "The entity does not exist", "identifier": <id>}, also for an id that is not an ObjectId', async () => {
      for (const id of ['656b00000000000000000fff', stream('HL0503_20201209_230000').id, 'not-an-id']) {
        const res = await get(`/streamers/${id}`, bearer())
        assert.equal(res.status, 404, id)
        assert.deepEqual(await readJson(res), missing(id))
      }
    })
  })

  describe('the third generation: its document and CORS', () => {
    it('documents its paths and the OAuth2 password flow', async () => {
      const res = await api('/openapi.json')
      const doc = (await readJson(res)) as {
        paths: Record<string, Record<string, { security?: unknown }>>
        components: { securitySchemes: Record<string, { type: string; flows?: unknown }> }
      }
      assert.ok('/token' in doc.paths)
      // Every read asks for the OAuth2 scheme, so the docs page's Authorize button logs in at /token.
      for (const path of ['/schedules', '/schedules/{id}', '/streamers', '/streamers/{id}']) {
        assert.deepEqual(doc.paths[path]?.get?.security, [{ OAuth2: [] }], path)
      }
      const { type, flows } = doc.components.securitySchemes.OAuth2 ?? {}
      assert.deepEqual(
        { type, flows },
        { type: 'oauth2', flows: { password: { tokenUrl: '/token', scopes: {} } } },
      )
    })

    it('answers a preflight for its routes with Authorization allowed, and CORS on its answers', async () => {
      for (const path of ['/schedules', '/streamers/x', '/token']) {
        const res = await api(path, {
          method: 'OPTIONS',
          headers: {
            Origin: 'https://app.example',
            'Access-Control-Request-Method': path === '/token' ? 'POST' : 'GET',
            'Access-Control-Request-Headers': 'authorization',
          },
        })
        assert.ok(res.status === 200 || res.status === 204, `${path}: ${res.status}`)
        assert.equal(res.headers.get('access-control-allow-origin'), '*')
        assert.match(res.headers.get('access-control-allow-headers') ?? '', /\bAuthorization\b/i)
      }
      for (const res of [await get('/schedules'), await get('/schedules', bearer())]) {
        assert.equal(res.headers.get('access-control-allow-origin'), '*')
        await res.body?.cancel()
      }
    })
  })
}
