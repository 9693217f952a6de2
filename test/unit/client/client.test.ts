import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { z } from '@hono/zod-openapi'
import type { scheduleItemSchema, streamerSchema } from '#src/app/routes/schedules/schedules.routes.js'
import { HASH_FLOORS } from '#src/auth/password.js'
import { issueAccessToken, issueBearerToken } from '#src/auth/token.js'
import { createClient, type Fetch, type Generation } from '#src/client/client.js'
import {
  BadDateError,
  BadRequestError,
  InactiveUserError,
  InvalidCredentialsError,
  NotFoundError,
  TokenError,
  UnexpectedResponseError,
} from '#src/client/errors.js'
import type { ScheduleItem, Streamer } from '#src/client/schedule-answers.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { testApp, testClock, testConfig } from '../../support/app.js'
import { LAYOUT_SEED } from '../../support/layout-cases.js'

const row = (code: string, datetime: string): HoloduleRecord => ({
  key: `${code}_${datetime.replace(' ', '_')}`,
  code,
  video_id: 'yEttl2nfhsQ',
  datetime,
  name: '尾丸ポルカ',
  title: 'title',
  url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
  description: 'd',
})

/**
 * The real app in this process, on a clock the test moves, as the client's fetch; the log notes
 * each request's method, path and status.
 */
const setup = () => {
  const clock = testClock(Date.UTC(2020, 11, 9, 12))
  // Plain text, as the old service left it: the first login rewrites it as a hash.
  const store = new MemoryStore({
    users: [{ id: '1', username: 'user01', password: 'password01' }],
    holodules: [row('HL0503', '20201209 230000'), row('HL0101', '20201210 000000')],
  })
  const { app } = testApp({ store, clock })
  const log: string[] = []
  const fetch: Fetch = async (input, init) => {
    const res = await app.request(input, init)
    log.push(`${init.method} ${new URL(input).pathname} ${res.status}`)
    return res
  }
  return {
    store,
    log,
    fetch,
    client: (generation: 1 | 2 = 1, maxCachedDays?: number) =>
      createClient({ baseUrl: 'http://api.test', fetch, generation, maxCachedDays }),
    advance: (seconds: number) => clock.advance(seconds * 1000),
  }
}

describe('createClient', () => {
  it('renews an expired token in either generation, then stops when the password no longer works', async () => {
    const t = setup()
    const [first, second] = [t.client(1), t.client(2)]
    await first.login('user01', 'password01')
    await second.login('user01', 'password01')
    t.advance(901) // past both lifetimes: 300 s (JWT_EXPIRATION_DELTA) and 900 s (JWT_ACCESS_TOKEN_EXPIRES)
    t.log.length = 0
    assert.equal((await first.getDay('20201209')).length, 1)
    assert.equal((await second.getDay('20201209')).length, 1)
    assert.deepEqual(t.log, [
      'GET /holodules/20201209 401',
      'POST /auth 200',
      'GET /holodules/20201209 200',
      'GET /holodules/20201209 401',
      'POST /login 200',
      'GET /holodules/20201209 200',
    ])

    // The password changed: the renewal fails once, and the client forgets the credentials.
    await t.store.setPassword('user01', 'not-a-hash-the-old-password-matches', Date.UTC(2020, 11, 9, 13))
    t.advance(901)
    t.log.length = 0
    await assert.rejects(first.getDay('20201209'), InvalidCredentialsError)
    assert.equal(first.token, undefined)
    const e = await first.getDay('20201209').catch((err: unknown) => err)
    assert.ok(e instanceof TokenError && e.error === 'Authorization Required', String(e))
    assert.deepEqual(t.log, ['GET /holodules/20201209 401', 'POST /auth 401', 'GET /holodules/20201209 401'])
  })

  it('keeps the last ETag of as many days as it is told, least recently used dropped first', async () => {
    const t = setup()
    const client = t.client(1, 1)
    await client.login('user01', 'password01')
    t.log.length = 0
    for (const day of ['20201209', '20201210', '20201210', '20201209']) await client.getDay(day)
    assert.deepEqual(
      t.log.map((l) => l.split(' ')[2]),
      ['200', '200', '304', '200'],
    )
  })

  it('a 304 for a day it does not keep is an unexpected answer, not an empty day', async () => {
    const t = setup()
    const client = t.client()
    await client.login('user01', 'password01')
    // `If-None-Match: *` added on the way (as a cache in between might): the app answers 304.
    const wildcard = createClient({
      baseUrl: 'http://api.test',
      token: client.token,
      fetch: (input, init) => {
        const headers = new Headers(init.headers)
        headers.set('If-None-Match', '*')
        return t.fetch(input, { ...init, headers })
      },
    })
    await assert.rejects(wildcard.getDay('20201209'), UnexpectedResponseError)
    assert.equal(t.log.at(-1), 'GET /holodules/20201209 304')
  })

  it('a 304 is answered from the day the request was sent with, even if it was dropped meanwhile', async () => {
    const t = setup()
    const client = t.client()
    await client.login('user01', 'password01')
    const fresh = await client.getDay('20201209')
    const revalidating = client.getDay('20201209') // If-None-Match is on its way
    client.logout()
    assert.deepEqual(await revalidating, fresh)
    assert.equal(t.log.at(-1), 'GET /holodules/20201209 304')
  })

  it('logout forgets the token, the credentials and the kept days', async () => {
    const t = setup()
    const client = t.client()
    await client.login('user01', 'password01')
    await client.getDay('20201209')
    client.logout()
    assert.equal(client.token, undefined)
    await assert.rejects(client.getDay('20201209'), TokenError)
    assert.equal(t.log.at(-1), 'GET /holodules/20201209 401')
  })

  it('a failed login leaves the client logged out, without the previous session', async () => {
    const t = setup()
    const client = t.client()
    await client.login('user01', 'password01')
    await assert.rejects(client.login('user01', 'wrong'), InvalidCredentialsError)
    assert.equal(client.token, undefined)
  })
})

// The client's types are the wire's (the server's zod schemas), arrays read-only: a change on either side fails tsc here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Wire<T> = { readonly [K in keyof T]: T[K] extends Array<infer U> ? readonly U[] : T[K] }
const sameSchedule: Same<ScheduleItem, Wire<z.infer<typeof scheduleItemSchema>>> = true
const sameStreamer: Same<Streamer, Wire<z.infer<typeof streamerSchema>>> = true

/**
 * The real app on the 2024 layout (test/support/layout-cases.ts's seed) on a clock the test moves,
 * as the client's fetch, with an active user, a disabled one and the log of each request.
 */
const setup2024 = () => {
  const now = Date.UTC(2024, 0, 10, 3)
  const clock = testClock(now)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'user01', password: 'password01' },
      {
        id: '2',
        username: 'off',
        password: 'password01',
        disabled: true,
        documentId: '65a000000000000000000002',
      },
    ],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  // The plain-text password is rewritten at the first login: as a cheap hash, which is not what is tested.
  const { app, config } = testApp({
    store,
    clock,
    config: { ...testConfig(), passwordIterations: HASH_FLOORS.pbkdf2Iterations },
  })
  const log: string[] = []
  const fetch: Fetch = async (input, init) => {
    const res = await app.request(input, init)
    const url = new URL(input)
    log.push(`${init.method} ${url.pathname}${url.search} ${res.status}`)
    return res
  }
  /** What the app answers to a GET with a fresh third-generation token, bypassing the client. */
  const wire = async (path: string) => {
    const token = await issueBearerToken(config.jwt, 'user01', clock.now())
    return (await app.request(path, { headers: { Authorization: `Bearer ${token}` } })).json()
  }
  return {
    store,
    config,
    clock,
    log,
    wire,
    client: (generation: Generation, token?: string) =>
      createClient({ baseUrl: 'http://api.test/', fetch, generation, token }),
    advance: (seconds: number) => clock.advance(seconds * 1000),
  }
}

describe('createClient, the third generation', () => {
  it('logs in with the /token form and reads schedules and streamers as the wire has them', async () => {
    assert.ok(sameSchedule && sameStreamer)
    const t = setup2024()
    const client = t.client(3)
    assert.equal(client.generation, 3)
    await client.login('user01', 'password01')
    const range = await client.listSchedules({ sdate: '2024-01-10', edate: '2024-01-11', group: 'hololive' })
    const wire = (await t.wire('/schedules?sdate=2024-01-10&edate=2024-01-11&group=hololive')) as {
      schedules: ScheduleItem[]
    }
    assert.deepEqual(range, wire.schedules)
    assert.deepEqual(
      range.map((s) => [s.key, s.streaming_at]),
      [
        ['HL0001_20240110_210000', '2024-01-10T21:00:00'],
        ['HL0002_20240110_003000', '2024-01-10T00:30:00'],
      ],
    )
    assert.deepEqual(Object.keys(range[0] ?? {}), Object.keys(wire.schedules[0] ?? {}))
    assert.ok(Object.isFrozen(range[0]) && Object.isFrozen(range[0]?.tags))
    const [newest] = range as [ScheduleItem]
    assert.deepEqual(await client.getSchedule(newest.id), newest)
    // Every filter goes as it is given (keyword as text); undefined and '' are left out.
    assert.deepEqual(
      (await client.listSchedules({ keyword: '(part', code: 'HL0003', group: '', edate: undefined })).map(
        (s) => s.id,
      ),
      ['000000000000000000000003'],
    )
    assert.equal((await client.listSchedules()).length, LAYOUT_SEED.schedules.length)

    const members = await client.listStreamers({ group: 'hololive' })
    assert.deepEqual(
      members,
      ((await t.wire('/streamers?group=hololive')) as { streamers: Streamer[] }).streamers,
    )
    assert.deepEqual(
      members.map((m) => [m.code, m.affiliations, m.is_retired]),
      [
        ['HL0001', ['gen1'], false],
        ['HL0002', ['gen0', 'jp'], false],
      ],
    )
    assert.equal((await client.listStreamers()).length, 3)
    assert.deepEqual(await client.getStreamer(members[1]?.id ?? ''), members[1])
    assert.deepEqual(t.log, [
      'POST /token 200',
      'GET /schedules?sdate=2024-01-10&edate=2024-01-11&group=hololive 200',
      `GET /schedules/${newest.id} 200`,
      'GET /schedules?keyword=%28part&code=HL0003 200',
      'GET /schedules 200',
      'GET /streamers?group=hololive 200',
      'GET /streamers 200',
      `GET /streamers/${members[1]?.id} 200`,
    ])
  })

  it('reads a day too: its Bearer token is the second generation`s, and so is the answer', async () => {
    const t = setup2024()
    const client = t.client(3)
    await client.login('user01', 'password01')
    const rows = await client.getDay('20240110')
    assert.deepEqual(
      rows.map((r) => [r.code, r.datetime]),
      [
        ['HL0001', '20240110 210000'],
        ['EN0001', '20240110 120000'],
        ['HL0002', '20240110 003000'],
      ],
    )
  })

  it('works on generation 2 (interchangeable Bearer tokens); generation 1 is refused before any request', async () => {
    const t = setup2024()
    const second = t.client(2)
    await second.login('user01', 'password01')
    assert.deepEqual(
      (await second.listStreamers({ group: 'hololive_en' })).map((m) => m.code),
      ['EN0001'],
    )
    const first = t.client(1)
    await first.login('user01', 'password01')
    t.log.length = 0
    for (const call of [
      () => first.listSchedules(),
      () => first.getSchedule('000000000000000000000001'),
      () => first.listStreamers(),
      () => first.getStreamer('000000000000000000000065'),
    ])
      await assert.rejects(
        call(),
        (e: unknown) => e instanceof TypeError && /generation 2 or 3/.test(e.message),
      )
    assert.deepEqual(t.log, [])
  })

  it('logs in again once the token has expired (generations 2 and 3), then stops when the password no longer works', async () => {
    const t = setup2024()
    const [second, third] = [t.client(2), t.client(3)]
    await second.login('user01', 'password01')
    await third.login('user01', 'password01')
    const stale = third.token
    t.advance(901) // past 900 s, both lifetimes (JWT_ACCESS_TOKEN_EXPIRES, JWT_EXP_DELTA_MINUTES)
    t.log.length = 0
    assert.equal((await second.listStreamers()).length, 3)
    assert.equal((await third.listStreamers()).length, 3)
    assert.deepEqual(t.log, [
      'GET /streamers 401',
      'POST /login 200',
      'GET /streamers 200',
      'GET /streamers 401',
      'POST /token 200',
      'GET /streamers 200',
    ])
    assert.notEqual(third.token, stale)

    // Concurrent reads share one login.
    t.advance(901)
    t.log.length = 0
    await Promise.all([
      third.listSchedules(),
      third.getSchedule('000000000000000000000001'),
      third.listStreamers(),
    ])
    assert.equal(t.log.filter((l) => l.startsWith('POST')).length, 1, t.log.join('\n'))

    // A saved token that expired, with no credentials to renew it: a TokenError that says so.
    const saved = t.client(3, stale)
    const e = await saved.listSchedules().catch((err: unknown) => err)
    assert.ok(e instanceof TokenError, String(e))
    assert.deepEqual(
      [e.status, e.kind, e.description, e.expired, e.error],
      [401, 'token', 'Could not validate credentials', true, undefined],
    )
    // No token at all: the other 401.
    const none = await t
      .client(3)
      .listStreamers()
      .catch((err: unknown) => err)
    assert.ok(none instanceof TokenError, String(none))
    assert.deepEqual([none.description, none.expired], ['Not authenticated', false])

    // The password changed: the renewal fails once, and the client forgets the credentials.
    await t.store.setPassword('user01', 'not-a-hash-the-old-password-matches', t.clock.now() + 1000)
    t.advance(901)
    t.log.length = 0
    await assert.rejects(third.listStreamers(), InvalidCredentialsError)
    assert.equal(third.token, undefined)
    assert.deepEqual(t.log, ['GET /streamers 401', 'POST /token 401'])
  })

  it('types each failure of the third generation', async () => {
    const t = setup2024()
    const client = t.client(3)
    const wrong = await client.login('user01', 'nope').catch((e: unknown) => e)
    assert.ok(wrong instanceof InvalidCredentialsError, String(wrong))
    assert.deepEqual(wrong.body, { message: 'Incorrect username or password' })
    assert.doesNotMatch(wrong.message, /nope/)
    // A disabled user logs in as a wrong password does.
    await assert.rejects(client.login('off', 'password01'), InvalidCredentialsError)
    const empty = await client.login('', 'password01').catch((e: unknown) => e)
    assert.ok(empty instanceof BadRequestError && empty.status === 422, String(empty))

    await client.login('user01', 'password01')
    const bad = await client.listSchedules({ sdate: '20240110' }).catch((e: unknown) => e)
    assert.ok(bad instanceof BadDateError, String(bad))
    assert.deepEqual([bad.status, bad.kind, bad.date], [422, 'bad-date', '20240110..'])
    for (const [get, id] of [
      [client.getSchedule, 'nope'],
      [client.getStreamer, '0000000000000000000000ff'],
      [client.getSchedule, 'a/b?c'],
    ] as const) {
      const missing = await get(id).catch((e: unknown) => e)
      assert.ok(missing instanceof NotFoundError, String(missing))
      assert.deepEqual([missing.status, missing.kind, missing.identifier], [404, 'not-found', id])
    }
    t.log.length = 0
    for (const id of ['', '.', '..']) {
      const refused = await client.getStreamer(id).catch((e: unknown) => e)
      assert.ok(refused instanceof NotFoundError && refused.status === 0, String(refused))
    }
    assert.deepEqual(t.log, [])

    // The user was disabled after its token was issued.
    const disabled = t.client(3, await issueBearerToken(t.config.jwt, 'off', t.clock.now()))
    const inactive = await disabled.listSchedules().catch((e: unknown) => e)
    assert.ok(inactive instanceof InactiveUserError, String(inactive))
    assert.deepEqual(
      [inactive.status, inactive.kind, inactive.identifier],
      [400, 'inactive-user', '65a000000000000000000002'],
    )
    // The same through a second-generation token.
    const viaSecond = t.client(2, await issueAccessToken(t.config.jwt, 'off', t.clock.now()))
    await assert.rejects(viaSecond.getStreamer('000000000000000000000065'), InactiveUserError)
  })

  it('a body off the shape, or another 404 (a generation turned off, a proxy), is an unexpected answer', async () => {
    const answering = (body: unknown, status = 200) =>
      createClient({
        baseUrl: 'http://api.test',
        generation: 3,
        token: 'x',
        fetch: async () => Response.json(body, { status }),
      })
    await assert.rejects(answering({ schedules: [{ id: 1 }] }).listSchedules(), UnexpectedResponseError)
    await assert.rejects(answering({ streamers: {} }).listStreamers(), UnexpectedResponseError)
    await assert.rejects(answering({ id: 'x' }).getSchedule('x'), UnexpectedResponseError)
    await assert.rejects(answering({ error: 'Not found' }, 404).getStreamer('x'), UnexpectedResponseError)
  })
})
