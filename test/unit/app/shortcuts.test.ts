import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { App } from '#src/app/index.js'
import { issueAccessToken, issueBearerToken, issueToken } from '#src/auth/token.js'
import type { Env } from '#src/config/env.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock } from '../../support/app.js'
import { LAYOUT_SEED } from '../../support/layout-cases.js'

// The short way (src/app/shortcuts.ts) answers a hot read before Hono's dispatch, synchronously;
// the routes answer through Hono's middleware chain, with a promise. So `app.fetch` returning a
// Response, not a Promise, is how these tests know which way answered.

const NOW = Date.UTC(2024, 0, 10, 3)
const DAY = '/holodules/20240110'
const WEEK = '/schedules?sdate=2024-01-08&edate=2024-01-14&group=hololive'

const setup = async (env: Env = {}, logLevel?: 'info') => {
  const clock = testClock(NOW)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'user01', password: 'unused' },
      { id: '2', username: 'user02', password: 'unused' },
      { id: '9', username: 'root', password: 'unused', admin: true },
    ],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  const routes: string[] = []
  const { app, config, lines } = testApp({
    env: { HOLODULES_CACHE_TTL: '60', USER_CACHE_TTL: '60', ...env },
    store,
    clock,
    logLevel,
    metrics: {
      request: (route, method, status) => routes.push(`${method} ${route} ${status}`),
      login() {},
      cache() {},
      storeUnavailable() {},
      internalError() {},
    },
  })
  const tokens = {
    first: `JWT ${await issueToken(config.jwt, 'user01', clock.now())}`,
    second: `Bearer ${await issueAccessToken(config.jwt, 'user01', clock.now())}`,
    third: `Bearer ${await issueBearerToken(config.jwt, 'user01', clock.now())}`,
  }
  return { app, config, store, clock, tokens, routes, lines }
}

/** One request through `app.fetch`, and whether the short way answered it (no promise). */
const fetchOnce = async (app: App, path: string, headers: Record<string, string> = {}) => {
  const answer = app.fetch(new Request(`http://localhost${path}`, { headers }))
  return { short: !(answer instanceof Promise), res: await answer }
}

/** What a client sees of an answer, but its id (a new one per request). */
const seen = async (res: Response) => {
  const headers = [...res.headers].filter(([name]) => name !== 'x-request-id')
  return { status: res.status, headers, body: await res.text() }
}

/** The routes' answer, then the short way's: the same status, headers and bytes. */
const sameBothWays = async (app: App, path: string, headers: Record<string, string>) => {
  const cold = await fetchOnce(app, path, headers)
  const warm = await fetchOnce(app, path, headers)
  assert.equal(cold.short, false, `${path}: the routes answer first`)
  assert.equal(warm.short, true, `${path}: then the short way`)
  const expected = await seen(cold.res)
  assert.deepEqual(await seen(warm.res), expected, path)
  return expected
}

describe('the short way (app/shortcuts.ts)', () => {
  it('answers a kept day as the routes do, for each generation and both paths', async () => {
    for (const [generation, path] of [
      ['first', DAY],
      ['second', DAY],
      ['first', `${DAY}/`],
      ['second', `${DAY}/`],
    ] as const) {
      const { app, tokens } = await setup()
      const seenAnswer = await sameBothWays(app, path, { Authorization: tokens[generation] })
      assert.equal(seenAnswer.status, 200)
    }
  })

  it('answers 304, an empty day (404 and []), a given request id and an allow-listed origin as the routes do', async () => {
    const { app, tokens } = await setup({ CORS_ORIGINS: 'https://app.example' })
    const etag = (await fetchOnce(app, DAY, { Authorization: tokens.first })).res.headers.get(
      'etag',
    ) as string
    const cases: Array<[string, Record<string, string>, number]> = [
      [DAY, { Authorization: tokens.first, 'If-None-Match': `W/${etag}` }, 304],
      ['/holodules/20240301', { Authorization: tokens.first }, 404],
      ['/holodules/20240302', { Authorization: tokens.second }, 200],
      [DAY, { Authorization: tokens.first, Origin: 'https://app.example' }, 200],
      [DAY, { Authorization: tokens.second, Origin: 'https://elsewhere.example' }, 200],
    ]
    for (const [path, headers, status] of cases) {
      // A new path each time the routes must answer first: a day the cache already holds is short.
      const first = await fetchOnce(app, path, headers)
      const second = await fetchOnce(app, path, headers)
      assert.equal(second.short, true, path)
      const both = [await seen(first.res), await seen(second.res)]
      assert.deepEqual(both[1], both[0], `${path} ${JSON.stringify(headers)}`)
      assert.equal(both[1]?.status, status)
    }
    const given = await fetchOnce(app, DAY, { Authorization: tokens.first, 'X-Request-Id': 'req-1' })
    assert.equal(given.short, true)
    assert.equal(given.res.headers.get('x-request-id'), 'req-1')
  })

  it("answers a read without a token with the routes' 401, at once", async () => {
    const { app, routes } = await setup()
    for (const path of [DAY, `${DAY}/`, '/holodules/not-a-date']) {
      const short = await fetchOnce(app, path)
      // A query string is the routes' to answer: the same 401, through the guard.
      const long = await fetchOnce(app, `${path}?x=1`)
      assert.deepEqual([short.short, long.short], [true, false], path)
      assert.deepEqual(await seen(short.res), await seen(long.res), path)
      assert.equal(short.res.status, 401)
    }
    assert.deepEqual(routes.slice(0, 2), ['GET /holodules/:date 401', 'GET /holodules/:date 401'])
    // Only the second generation served: its own words, from the routes.
    const second = await setup({ AUTH_GENERATIONS: '2' })
    const answer = await fetchOnce(second.app, DAY)
    assert.deepEqual([answer.short, answer.res.status], [false, 401])
    assert.equal(await answer.res.text(), '{"msg":"Missing Authorization Header"}')
  })

  it('answers a kept /schedules query and a kept calendar as the routes do', async () => {
    const { app, tokens } = await setup()
    await sameBothWays(app, WEEK, { Authorization: tokens.third })
    // Another order of the same parameters is another query string: the routes answer it first.
    const reordered = await fetchOnce(app, '/schedules?group=hololive&sdate=2024-01-08&edate=2024-01-14', {
      Authorization: tokens.third,
    })
    assert.equal(reordered.short, false)
    const made = await app.request('/feeds', {
      method: 'POST',
      headers: { Authorization: tokens.first, 'Content-Type': 'application/json' },
      body: '{}',
    })
    const path = new URL(((await made.json()) as { url: string }).url).pathname
    const calendar = await sameBothWays(app, path, {})
    assert.equal(calendar.status, 200)
    const etag = calendar.headers.find(([name]) => name === 'etag')?.[1] as string
    const notModified = await fetchOnce(app, path, { 'If-None-Match': etag })
    assert.deepEqual([notModified.short, notModified.res.status], [true, 304])
  })

  it('leaves every refusal to the routes: an expired token, a disabled user, a token older than a password change', async () => {
    // Days kept for an hour: the day stays fresh, so only the token and the user can send a read to the routes.
    const { app, store, clock, tokens, config } = await setup({ HOLODULES_CACHE_TTL: '3600' })
    await sameBothWays(app, DAY, { Authorization: tokens.first })
    // Past the first generation's 300 s: the routes' 401, in that generation's words.
    clock.advance(301_000)
    const expired = await fetchOnce(app, DAY, { Authorization: tokens.first })
    assert.deepEqual([expired.short, expired.res.status], [false, 401])
    assert.match(await expired.res.text(), /Signature has expired/)

    const fresh = `JWT ${await issueToken(config.jwt, 'user02', clock.now())}`
    await sameBothWays(app, DAY, { Authorization: fresh })
    const other = await store.findAccountByUsername('user02')
    assert.ok(await store.updateAccount(other?.id as string, { disabled: true }))
    // Within USER_CACHE_TTL the kept user still reads, on either way; past it, the routes refuse.
    clock.advance(60_000)
    // The routes keep the disabled user, and its token stays verified: the short way must refuse both times.
    for (let i = 0; i < 2; i++) {
      const disabled = await fetchOnce(app, DAY, { Authorization: fresh })
      assert.deepEqual([disabled.short, disabled.res.status], [false, 401])
    }

    const mine = `Bearer ${await issueAccessToken(config.jwt, 'user01', clock.now())}`
    await sameBothWays(app, DAY, { Authorization: mine })
    const account = await store.findAccountByUsername('user01')
    clock.advance(1000)
    await store.updateAccount(account?.id as string, { password: { hash: 'x', changedAtMs: clock.now() } })
    clock.advance(60_000)
    for (let i = 0; i < 2; i++) {
      const older = await fetchOnce(app, DAY, { Authorization: mine })
      assert.deepEqual([older.short, older.res.status], [false, 401])
    }
  })

  it("leaves the third generation's refusals to the routes: a disabled user, a token older than a password change", async () => {
    const { app, store, clock, config } = await setup({ HOLODULES_CACHE_TTL: '3600' })
    const bearer = async (name: string) => `Bearer ${await issueBearerToken(config.jwt, name, clock.now())}`
    const first = await bearer('user01')
    const second = await bearer('user02')
    await sameBothWays(app, WEEK, { Authorization: first })
    await fetchOnce(app, WEEK, { Authorization: second })
    const one = await store.findAccountByUsername('user01')
    const two = await store.findAccountByUsername('user02')
    clock.advance(1000)
    await store.updateAccount(one?.id as string, { password: { hash: 'x', changedAtMs: clock.now() } })
    await store.updateAccount(two?.id as string, { disabled: true })
    // Past USER_CACHE_TTL the routes load each user again; the short way must refuse both, every time.
    clock.advance(60_000)
    for (let i = 0; i < 2; i++) {
      const older = await fetchOnce(app, WEEK, { Authorization: first })
      assert.deepEqual([older.short, older.res.status], [false, 401])
      const disabled = await fetchOnce(app, WEEK, { Authorization: second })
      assert.deepEqual([disabled.short, disabled.res.status], [false, 400])
    }
  })

  it('refuses at once a user disabled through /users of this process', async () => {
    const { app, config, clock, store, tokens } = await setup()
    await sameBothWays(app, DAY, { Authorization: tokens.second })
    const account = await store.findAccountByUsername('user01')
    const admin = `Bearer ${await issueBearerToken(config.jwt, 'root', clock.now())}`
    const put = await app.request(`/users/${account?.id}`, {
      method: 'PUT',
      headers: { Authorization: admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    })
    assert.equal(put.status, 200)
    const after = await fetchOnce(app, DAY, { Authorization: tokens.second })
    assert.deepEqual([after.short, after.res.status], [false, 401])
  })

  it('leaves a day past its refresh point, a query string, a HEAD and an encoded path to the routes', async () => {
    const { app, clock, tokens } = await setup()
    await sameBothWays(app, DAY, { Authorization: tokens.first })
    for (const [path, init] of [
      [`${DAY}?x=1`, {}],
      [DAY, { method: 'HEAD' }],
      ['/holodules/2024011%30', {}],
    ] as const) {
      const answer = app.fetch(
        new Request(`http://localhost${path}`, { ...init, headers: { Authorization: tokens.first } }),
      )
      assert.ok(answer instanceof Promise, path)
      assert.equal((await answer).status, 200, path)
    }
    // A day is refreshed from 3/4 of the TTL (60 s): past it, the routes answer (and start the refresh).
    clock.advance(45_000)
    const late = await fetchOnce(app, DAY, { Authorization: tokens.first })
    assert.deepEqual([late.short, late.res.status], [false, 200])
  })

  it('writes the access line and the metrics the routes would', async () => {
    const { app, tokens, routes, lines } = await setup({}, 'info')
    await sameBothWays(app, DAY, { Authorization: tokens.first })
    await sameBothWays(app, `${DAY}/`, { Authorization: tokens.second })
    const logged = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request')
      .map(({ requestId: _id, ms: _ms, time: _t, ...rest }) => rest)
    assert.equal(logged.length, 4)
    assert.deepEqual(logged[1], logged[0])
    assert.deepEqual(logged[3], logged[2])
    assert.deepEqual(routes, [
      'GET /holodules/:date 200',
      'GET /holodules/:date 200',
      'GET /holodules/:date/ 200',
      'GET /holodules/:date/ 200',
    ])
  })
})
