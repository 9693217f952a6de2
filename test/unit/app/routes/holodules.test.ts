import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { issueAccessToken, issueToken } from '#src/auth/token.js'
import type { Env } from '#src/config/env.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'

const DAY = '20201209'

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

/** A MemoryStore that counts what the app asks of it. */
class CountingStore extends MemoryStore {
  dayQueries = 0
  userQueries = 0
  override async findHolodulesByDate(date: string) {
    this.dayQueries++
    return super.findHolodulesByDate(date)
  }
  override async findUserByUsername(username: string) {
    this.userQueries++
    return super.findUserByUsername(username)
  }
}

export const setup = async (env: Env = {}) => {
  const clock = testClock(Date.UTC(2020, 11, 9, 12))
  const store = new CountingStore({
    users: [{ id: '1', username: 'user01', password: 'unused' }],
    holodules: [row('HL0503', `${DAY} 230000`), row('HL0101', `${DAY} 000000`)],
  })
  const { app, config } = testApp({ env, store, clock })
  const token = await issueToken(config.jwt, 'user01', clock.now())
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { Authorization: `JWT ${token}`, ...headers } })
  return { app, store, clock, get }
}

describe('schedule responses: cache, ETag and 304', () => {
  it('sends a strong ETag and Cache-Control: private, max-age=<HOLODULES_CACHE_TTL>', async () => {
    const { get } = await setup({ HOLODULES_CACHE_TTL: '7' })
    const res = await get(`/holodules/${DAY}`)
    assert.equal(res.status, 200)
    assert.match(res.headers.get('ETag') ?? '', /^"[A-Za-z0-9_-]{24}"$/)
    assert.equal(res.headers.get('Cache-Control'), 'private, max-age=7')
    assert.equal(res.headers.get('Content-Type'), 'application/json; charset=UTF-8')
    const body = (await res.json()) as { result: number; holodules: Array<{ key: string }> }
    assert.equal(body.result, 2)
    assert.deepEqual(Object.keys(body), ['result', 'holodules'])
  })

  it('answers 304 with no body to a matching If-None-Match (also weak, in a list, or *), 200 otherwise', async () => {
    const { get } = await setup()
    const etag = (await get(`/holodules/${DAY}`)).headers.get('ETag') as string
    for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await get(`/holodules/${DAY}`, { 'If-None-Match': inm })
      assert.equal(res.status, 304, inm)
      assert.equal(await res.text(), '')
      assert.equal(res.headers.get('ETag'), etag)
    }
    const other = await get(`/holodules/${DAY}`, { 'If-None-Match': '"something-else"' })
    assert.equal(other.status, 200)
    assert.equal(other.headers.get('ETag'), etag)
  })

  it('the ETag changes when the day changes', async () => {
    const { get, store, clock } = await setup({ HOLODULES_CACHE_TTL: '5' })
    const before = (await get(`/holodules/${DAY}`)).headers.get('ETag')
    await store.upsertHolodules([row('HL0301', `${DAY} 120000`)])
    clock.advance(5000)
    // Past the TTL the old answer may be served once more while the refresh runs.
    let res = await get(`/holodules/${DAY}`, { 'If-None-Match': before ?? '' })
    for (let i = 0; i < 100 && res.status === 304; i++) {
      await new Promise((r) => setTimeout(r, 5))
      res = await get(`/holodules/${DAY}`, { 'If-None-Match': before ?? '' })
    }
    assert.equal(res.status, 200)
    assert.notEqual(res.headers.get('ETag'), before)
    assert.equal(((await res.json()) as { result: number }).result, 3)
  })

  it('asks the store once for concurrent misses, then once per TTL', async () => {
    const { get, store, clock } = await setup({ HOLODULES_CACHE_TTL: '5' })
    await Promise.all(Array.from({ length: 10 }, () => get(`/holodules/${DAY}`)))
    assert.equal(store.dayQueries, 1)
    clock.advance(4999)
    await Promise.all(Array.from({ length: 10 }, () => get(`/holodules/${DAY}`)))
    assert.equal(store.dayQueries, 1)
    clock.advance(1)
    await Promise.all(Array.from({ length: 10 }, () => get(`/holodules/${DAY}`)))
    assert.equal(store.dayQueries, 2)
  })

  it('keeps an empty day for the TTL: its first row shows within the TTL, as any change', async () => {
    const { get, store, clock } = await setup({ HOLODULES_CACHE_TTL: '60' })
    assert.equal((await get('/holodules/20201210')).status, 404)
    await store.upsertHolodules([row('HL0301', '20201210 120000')])
    clock.advance(59_999)
    assert.equal((await get('/holodules/20201210')).status, 404)
    assert.equal(store.dayQueries, 1)
    clock.advance(1)
    // Past the TTL the empty answer may be served once more while the refresh runs.
    let res = await get('/holodules/20201210')
    for (let i = 0; i < 100 && res.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 5))
      res = await get('/holodules/20201210')
    }
    assert.equal(res.status, 200)
    assert.equal(store.dayQueries, 2)
  })

  it('distinct empty days from one client: one store query per day per TTL, in both generations', async () => {
    const { app, get, store, clock } = await setup({ HOLODULES_CACHE_TTL: '5' })
    const bearer = await issueAccessToken(testConfig({}).jwt, 'user01', clock.now())
    const days = Array.from({ length: 30 }, (_, i) => `202101${String(i + 1).padStart(2, '0')}`)
    for (let round = 0; round < 3; round++) {
      for (const day of days) {
        assert.equal((await get(`/holodules/${day}`)).status, 404)
        const second = await app.request(`/holodules/${day}`, {
          headers: { Authorization: `Bearer ${bearer}` },
        })
        assert.deepEqual(await second.json(), [])
      }
    }
    assert.equal(store.dayQueries, days.length)
    clock.advance(5000)
    await Promise.all(days.map((day) => get(`/holodules/${day}`)))
    await new Promise((r) => setTimeout(r, 10))
    assert.equal(store.dayQueries, 2 * days.length)
  })

  it('HOLODULES_CACHE_TTL=0 asks the store on every request and still answers 304', async () => {
    const { get, store } = await setup({ HOLODULES_CACHE_TTL: '0' })
    const first = await get(`/holodules/${DAY}`)
    assert.equal(first.headers.get('Cache-Control'), 'private, max-age=0')
    const again = await get(`/holodules/${DAY}`, { 'If-None-Match': first.headers.get('ETag') ?? '' })
    assert.equal(again.status, 304)
    assert.equal(store.dayQueries, 2)
  })
})

describe('the user behind a token: cached for USER_CACHE_TTL', () => {
  it('looks the user up once per TTL', async () => {
    const { get, store, clock } = await setup({ USER_CACHE_TTL: '2' })
    for (let i = 0; i < 5; i++) assert.equal((await get(`/holodules/${DAY}`)).status, 200)
    assert.equal(store.userQueries, 1)
    clock.advance(2000)
    await get(`/holodules/${DAY}`)
    assert.equal(store.userQueries, 2)
  })

  it('a deleted user stops working within the TTL: User does not exist', async () => {
    const { get, store, clock } = await setup({ USER_CACHE_TTL: '2' })
    assert.equal((await get(`/holodules/${DAY}`)).status, 200)
    await store.removeUser('user01')
    // Still within the TTL: the cached user answers, as documented.
    clock.advance(1999)
    assert.equal((await get(`/holodules/${DAY}`)).status, 200)
    clock.advance(1)
    const res = await get(`/holodules/${DAY}`)
    assert.equal(res.status, 401)
    assert.deepEqual(await res.json(), {
      status_code: 401,
      error: 'Invalid JWT',
      description: 'User does not exist',
    })
  })

  it('USER_CACHE_TTL=0: a deleted user stops working at once', async () => {
    const { get, store } = await setup({ USER_CACHE_TTL: '0' })
    assert.equal((await get(`/holodules/${DAY}`)).status, 200)
    await store.removeUser('user01')
    assert.equal((await get(`/holodules/${DAY}`)).status, 401)
  })

  it('an unknown user is not kept: a user added later works at once', async () => {
    const { app, store, clock } = await setup({ USER_CACHE_TTL: '60' })
    const cfg = testConfig({ USER_CACHE_TTL: '60' })
    const token = await issueToken(cfg.jwt, 'newcomer', clock.now())
    const get = () => app.request(`/holodules/${DAY}`, { headers: { Authorization: `JWT ${token}` } })
    assert.equal((await get()).status, 401)
    await store.addUser('newcomer', 'unused')
    assert.equal((await get()).status, 200)
  })
})
