import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASH_FLOORS } from '#src/auth/password.js'
import { createClient, type Fetch, type Generation } from '#src/client/client.js'
import {
  BadRequestError,
  FeedLimitError,
  NotFoundError,
  TokenError,
  UnexpectedResponseError,
} from '#src/client/errors.js'
import { MemoryFeedStore } from '#src/store/memory/feeds.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../support/app.js'

/** The real app in this process on a clock the test moves, its feeds kept where the test can see them. */
const setup = (env: Record<string, string> = {}) => {
  const clock = testClock(Date.UTC(2024, 0, 10, 3))
  const store = new MemoryStore({ users: [{ id: '1', username: 'user01', password: 'password01' }] })
  const feeds = new MemoryFeedStore()
  const config = { ...testConfig(env), passwordIterations: HASH_FLOORS.pbkdf2Iterations }
  const { app } = testApp({ store, clock, feeds, config })
  const log: string[] = []
  const fetch: Fetch = async (input, init) => {
    const res = await app.request(input, init)
    log.push(`${init.method} ${new URL(input).pathname} ${res.status}`)
    return res
  }
  const client = (generation: Generation) => createClient({ baseUrl: 'http://api.test', fetch, generation })
  const poll = async (url: string) => (await app.request(url)).status
  return { app, store, feeds, log, client, poll, advance: (s: number) => clock.advance(s * 1000) }
}

describe('the calendar feeds of the client', () => {
  for (const generation of [1, 2, 3] as const) {
    it(`createFeed, listFeeds, removeFeed on generation ${generation}`, async () => {
      const t = setup()
      const api = t.client(generation)
      await api.login('user01', 'password01')
      const made = await api.createFeed({ group: 'hololive', keyword: '', code: null })
      assert.deepEqual(Object.keys(made), ['id', 'group', 'code', 'keyword', 'created', 'url'])
      assert.deepEqual([made.group, made.code, made.keyword], ['hololive', null, null])
      assert.match(made.url, /^http:\/\/api\.test\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
      assert.equal(await t.poll(made.url), 200)
      const [stored] = await t.feeds.listFeeds('user01')
      assert.equal(stored?.id, made.id)
      assert.equal(stored?.userId, (await t.store.findAccountByUsername('user01'))?.id)

      const { url: _url, ...shown } = made
      assert.deepEqual(await api.listFeeds(), [shown])

      await api.removeFeed(made.id)
      assert.equal(await t.poll(made.url), 404)
      assert.deepEqual(await api.listFeeds(), [])
      const again = await api.removeFeed(made.id).then(
        () => assert.fail('removed twice'),
        (e: unknown) => e,
      )
      assert.ok(again instanceof NotFoundError)
      assert.equal(again.identifier, made.id)
      assert.equal(again.status, 404)
    })
  }

  it('a refused token is renewed once, and a POST sent again makes one feed', async () => {
    for (const [env, generation, words] of [
      [{}, 1, 'POST /auth 200'],
      [{}, 2, 'POST /login 200'],
      [{ AUTH_GENERATIONS: '3' }, 3, 'POST /token 200'],
    ] as const) {
      const t = setup(env)
      const api = t.client(generation)
      await api.login('user01', 'password01')
      t.advance(3600) // past every generation's lifetime
      t.log.length = 0
      await api.createFeed()
      assert.deepEqual(t.log, ['POST /feeds 401', words, 'POST /feeds 201'], `generation ${generation}`)
      assert.equal((await t.feeds.listFeeds('user01')).length, 1)
    }
  })

  it('typed errors: no token, a filter off the schema, the limit, an id that is no segment', async () => {
    const t = setup()
    const noToken = await t
      .client(2)
      .listFeeds()
      .catch((e: unknown) => e)
    assert.ok(noToken instanceof TokenError)
    assert.equal(noToken.status, 401)
    assert.equal(noToken.expired, false)
    const gone = await t
      .client(1)
      .listFeeds()
      .catch((e: unknown) => e)
    assert.ok(gone instanceof TokenError)
    assert.equal(gone.description, 'Request does not contain an access token')

    const api = t.client(1)
    await api.login('user01', 'password01')
    const long = await api.createFeed({ keyword: 'x'.repeat(201) }).catch((e: unknown) => e)
    assert.ok(long instanceof BadRequestError)
    assert.equal(long.status, 400)

    for (let i = 0; i < 20; i++) await api.createFeed({ code: `HL${i}` })
    const full = await api.createFeed().catch((e: unknown) => e)
    assert.ok(full instanceof FeedLimitError)
    assert.equal(full.kind, 'feed-limit')
    assert.equal(full.limit, 20)
    assert.equal(full.status, 409)
    assert.equal((await api.listFeeds()).length, 20)

    t.log.length = 0
    const dots = await api.removeFeed('..').catch((e: unknown) => e)
    assert.ok(dots instanceof NotFoundError)
    assert.equal(dots.status, 0)
    assert.deepEqual(t.log, [], 'not sent')
  })

  it('an answer off the shape is an UnexpectedResponseError', async () => {
    const fetch: Fetch = async () =>
      new Response(JSON.stringify({ id: 'a', group: null }), {
        status: 201,
        headers: { 'Content-Type': 'application/json' },
      })
    const api = createClient({ baseUrl: 'http://api.test', fetch, generation: 2, token: 't' })
    await assert.rejects(api.createFeed(), UnexpectedResponseError)
    await assert.rejects(api.listFeeds(), UnexpectedResponseError)
  })
})
