import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { issueAccessToken } from '#src/auth/token.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryFeedStore } from '#src/store/memory/feeds.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'
import { LAYOUT_SEED } from '../../../support/layout-cases.js'

/**
 * A calendar app's poll of a live feed asks the store nothing for USER_CACHE_TTL (issue 20: a poll
 * as cheap as a cached day), while a revocation or an owner's removal through this process answers
 * 404 at once, one made elsewhere (the CLI, another process) within the TTL, and every 404 still
 * costs the same two store lookups.
 */
const NOW = Date.UTC(2024, 0, 10, 3)
const USER_ID = '000000000000000000000001'
const UNKNOWN = '/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics'

const setup = async () => {
  const hash = await hashPassword('password01', HASH_FLOORS.pbkdf2Iterations)
  const store = new MemoryStore({
    users: [
      { id: '1', username: 'user01', password: hash, documentId: USER_ID },
      { id: '9', username: 'root', password: hash, admin: true, documentId: '000000000000000000000009' },
    ],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  const feeds = new MemoryFeedStore()
  const clock = testClock(NOW)
  // USER_CACHE_TTL=2 (the default), said here so the test does not hang on a default changing.
  const config = { ...testConfig({ USER_CACHE_TTL: '2' }), passwordIterations: HASH_FLOORS.pbkdf2Iterations }
  const { app } = testApp({ store, clock, config, feeds })
  const send = async (method: string, path: string, username: string, body?: unknown) =>
    app.request(`http://api.test${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${await issueAccessToken(config.jwt, username, clock.now())}`,
        'Content-Type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  const make = async () =>
    (await (await send('POST', '/feeds', 'user01', {})).json()) as { id: string; url: string }
  // What each poll asks the store: the feed by its secret, the owner by name.
  const asked = { feed: 0, account: 0 }
  const findFeed = feeds.findFeedBySecretHash.bind(feeds)
  feeds.findFeedBySecretHash = (h) => {
    asked.feed++
    return findFeed(h)
  }
  const findAccount = store.findAccountByUsername.bind(store)
  store.findAccountByUsername = (name) => {
    asked.account++
    return findAccount(name)
  }
  const poll = async (url: string) => {
    const before = { ...asked }
    const res = await app.request(url)
    const body = await res.text()
    return {
      status: res.status,
      body,
      feed: asked.feed - before.feed,
      account: asked.account - before.account,
    }
  }
  return { app, store, feeds, clock, send, make, poll }
}

describe('calendar feed polls, cached', () => {
  it('a live feed is looked up once per USER_CACHE_TTL: its polls meanwhile ask the store nothing', async () => {
    const { make, poll, clock, app } = await setup()
    const { url } = await make()
    const first = await poll(url)
    assert.deepEqual([first.status, first.feed, first.account], [200, 1, 1])
    // The answer's own headers and every answer's (shared/contract.md, "Response headers").
    const res = await app.request(url)
    for (const name of ['etag', 'cache-control', 'x-request-id', 'x-content-type-options', 'x-frame-options'])
      assert.ok(res.headers.get(name), name)
    assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8')
    // Nor hashes the secret (a SHA-256 through WebCrypto: ~40 us of a poll's ~100 on Node 20).
    const subtle = crypto.subtle as { digest: SubtleCrypto['digest'] }
    const digest = subtle.digest
    let digests = 0
    subtle.digest = (...args) => {
      digests++
      return digest.apply(crypto.subtle, args)
    }
    try {
      for (let i = 0; i < 5; i++) {
        const again = await poll(url)
        assert.deepEqual([again.status, again.feed, again.account], [200, 0, 0], `poll ${i}`)
        assert.equal(again.body, first.body)
      }
    } finally {
      subtle.digest = digest
    }
    assert.equal(digests, 0, 'a live feed is kept by its secret: no hash on a poll')
    clock.advance(2000)
    const past = await poll(url)
    assert.deepEqual([past.status, past.feed, past.account], [200, 1, 1], 'past the TTL: asked again')
  })

  it('DELETE /feeds/{id} through this process: the next poll answers 404 at once, within the TTL', async () => {
    const { make, poll, send } = await setup()
    const kept = await make()
    const revoked = await make()
    assert.equal((await poll(kept.url)).status, 200)
    assert.equal((await poll(revoked.url)).status, 200)
    assert.equal((await send('DELETE', `/feeds/${revoked.id}`, 'user01')).status, 204)
    const gone = await poll(revoked.url)
    assert.deepEqual([gone.status, gone.body], [404, '{"error":"Not found"}'])
    // Only that feed was dropped: the other is still answered from memory.
    assert.deepEqual(Object.values(await poll(kept.url)).slice(2), [0, 0])
  })

  it("another user's DELETE of the id is refused and drops nothing", async () => {
    const { make, poll, send } = await setup()
    const feed = await make()
    await poll(feed.url)
    assert.equal((await send('DELETE', `/feeds/${feed.id}`, 'root')).status, 404)
    const again = await poll(feed.url)
    assert.deepEqual([again.status, again.feed], [200, 0])
  })

  it('an owner disabled or removed through /users here: the feed answers 404 at once', async () => {
    const { make, poll, send } = await setup()
    const { url } = await make()
    assert.equal((await poll(url)).status, 200)
    assert.equal((await send('PUT', `/users/${USER_ID}`, 'root', { disabled: true })).status, 200)
    assert.equal((await poll(url)).status, 404)
    assert.equal((await send('PUT', `/users/${USER_ID}`, 'root', { disabled: false })).status, 200)
    assert.equal((await poll(url)).status, 200)
    assert.equal((await send('DELETE', `/users/${USER_ID}`, 'root')).status, 204)
    assert.equal((await poll(url)).status, 404)
  })

  it('a revocation or removal made elsewhere (the CLI, another process) shows within USER_CACHE_TTL', async () => {
    const { make, poll, feeds, store, clock } = await setup()
    const a = await make()
    const b = await make()
    assert.equal((await poll(a.url)).status, 200)
    assert.equal((await poll(b.url)).status, 200)
    // As `holodule feed remove` and `holodule user disable` do: the store, not this process's API.
    assert.ok(await feeds.removeFeed('user01', a.id))
    await store.updateAccount(USER_ID, { disabled: true })
    clock.advance(1000)
    assert.equal((await poll(a.url)).status, 200, 'within the TTL: the feed kept')
    clock.advance(1000)
    assert.equal((await poll(a.url)).status, 404)
    assert.equal((await poll(b.url)).status, 404)
  })

  it('every 404 costs the same two store lookups: unknown, revoked, orphaned or disabled owner', async () => {
    const { make, poll, send, store } = await setup()
    const twoLookups = async (url: string, what: string) => {
      for (let i = 0; i < 2; i++) {
        const res = await poll(url)
        assert.deepEqual([res.status, res.feed, res.account], [404, 1, 1], `${what}, poll ${i}`)
      }
    }
    await twoLookups(UNKNOWN, 'unknown')
    const revoked = await make()
    await poll(revoked.url)
    await send('DELETE', `/feeds/${revoked.id}`, 'user01')
    await twoLookups(revoked.url, 'revoked')
    const owned = await make()
    await poll(owned.url)
    await send('PUT', `/users/${USER_ID}`, 'root', { disabled: true })
    await twoLookups(owned.url, 'disabled owner')
    await store.removeUser('user01')
    await store.addUser('user01', 'another')
    await twoLookups(owned.url, 'orphaned (the name added again)')
  })
})
