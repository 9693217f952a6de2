import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { CacheName, CacheResult, Metrics } from '#src/app/index.js'
import { issueAccessToken } from '#src/auth/token.js'
import type { Env } from '#src/config/env.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { ScheduleQuery } from '#src/store/records.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'
import { LAYOUT_SEED } from '../../../support/layout-cases.js'

const NOW = Date.UTC(2024, 0, 10, 3)
const WEEK = '/schedules?sdate=2024-01-08&edate=2024-01-14&group=hololive'
const SCHEDULE = '/schedules/000000000000000000000001'
const STREAMER = '/streamers/000000000000000000000065'

/** A MemoryStore in the 2024 layout that counts what the app asks of it. */
class CountingStore extends MemoryStore {
  calls = { schedules: 0, streamers: 0, scheduleById: 0, streamerById: 0, days: 0 }
  override async findSchedules(query: ScheduleQuery) {
    this.calls.schedules++
    return super.findSchedules(query)
  }
  override async findStreamers(group?: string) {
    this.calls.streamers++
    return super.findStreamers(group)
  }
  override async findScheduleById(id: string) {
    this.calls.scheduleById++
    return super.findScheduleById(id)
  }
  override async findStreamerById(id: string) {
    this.calls.streamerById++
    return super.findStreamerById(id)
  }
  override async findHolodulesByDate(date: string) {
    this.calls.days++
    return super.findHolodulesByDate(date)
  }
}

const setup = async (env: Env = {}) => {
  const store = new CountingStore({
    users: [
      { id: '1', username: 'user01', password: 'unused' },
      { id: '9', username: 'root', password: 'unused', admin: true },
    ],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  const clock = testClock(NOW)
  const lookups: string[] = []
  const metrics: Metrics = {
    request() {},
    login() {},
    cache: (name: CacheName, result: CacheResult) => lookups.push(`${name} ${result}`),
    storeUnavailable() {},
    internalError() {},
  }
  const config = testConfig(env)
  const { app } = testApp({ store, clock, config, metrics })
  const bearer = async (user: string) => `Bearer ${await issueAccessToken(config.jwt, user, NOW)}`
  const [user, root] = [await bearer('user01'), await bearer('root')]
  const get = async (path: string, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { Authorization: user, ...headers } })
  const send = async (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { Authorization: root, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return { store, clock, get, send, lookups }
}

const ids = async (res: Response) =>
  ((await res.json()) as { schedules: Array<{ id: string }> }).schedules.map((s) => Number.parseInt(s.id, 16))

describe('the third generation reads: cached for HOLODULES_CACHE_TTL', () => {
  it('asks the store once per normalised /schedules query per TTL, whatever the order of its parameters', async () => {
    const { get, store, clock } = await setup({ HOLODULES_CACHE_TTL: '5' })
    const same = [
      WEEK,
      '/schedules?group=hololive&edate=2024-01-14&sdate=2024-01-08',
      '/schedules?edate=2024-01-14&keyword=&group=hololive&code=&sdate=2024-01-08',
    ]
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => get(same[i % 3] as string)))
    for (const res of answers) assert.deepEqual(await ids(res), [6, 1, 2, 4])
    assert.deepEqual([store.calls.schedules, store.calls.streamers], [1, 1])
    // The key holds the group's codes, not its name: hololive_en is EN0001 alone.
    await get('/schedules?sdate=2024-01-08&edate=2024-01-14&group=hololive_en')
    await get('/schedules?code=EN0001&edate=2024-01-14&sdate=2024-01-08&group=')
    assert.deepEqual([store.calls.schedules, store.calls.streamers], [2, 2])
    clock.advance(4999)
    await get(WEEK)
    assert.deepEqual([store.calls.schedules, store.calls.streamers], [2, 2])
    clock.advance(1)
    await get(WEEK)
    // Past the TTL the answer is served once more while one refresh (streamers, then the range) runs.
    await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual([store.calls.schedules, store.calls.streamers], [3, 3])
  })

  it('keeps empty ranges for the TTL too: distinct ones ask once each', async () => {
    const { get, store } = await setup({ HOLODULES_CACHE_TTL: '60' })
    const empty = ['2030-01-01', '2030-01-02', '2030-01-03'].map((d) => `/schedules?sdate=${d}&edate=${d}`)
    for (let round = 0; round < 3; round++)
      for (const path of empty) assert.deepEqual(await (await get(path)).json(), { schedules: [] })
    assert.equal(store.calls.schedules, 3)
  })

  it('caches /streamers per group and each record by id (an unknown id too)', async () => {
    const { get, store } = await setup()
    for (let i = 0; i < 3; i++) {
      assert.equal((await get('/streamers?group=hololive')).status, 200)
      assert.equal((await get('/streamers')).status, 200)
      assert.equal((await get(SCHEDULE)).status, 200)
      assert.equal((await get(STREAMER)).status, 200)
      assert.equal((await get('/schedules/0000000000000000000000ff')).status, 404)
    }
    // `?group=` is an exact group (none), not every member.
    assert.deepEqual(await (await get('/streamers?group=')).json(), { streamers: [] })
    assert.deepEqual(store.calls, { schedules: 0, streamers: 3, scheduleById: 2, streamerById: 1, days: 0 })
  })

  it('sends ETag, Cache-Control and Vary, and answers 304 to If-None-Match', async () => {
    const { get } = await setup({ HOLODULES_CACHE_TTL: '7' })
    for (const path of [WEEK, SCHEDULE, '/streamers?group=hololive', STREAMER]) {
      const res = await get(path)
      assert.equal(res.status, 200, path)
      const etag = res.headers.get('ETag') as string
      assert.match(etag, /^"[A-Za-z0-9_-]{24}"$/, path)
      assert.equal(res.headers.get('Cache-Control'), 'private, max-age=7', path)
      assert.match(res.headers.get('Vary') ?? '', /\bAuthorization\b/, path)
      assert.equal(res.headers.get('Content-Type'), 'application/json; charset=UTF-8', path)
      const again = await get(path, { 'If-None-Match': `W/${etag}` })
      assert.equal(again.status, 304, path)
      assert.equal(await again.text(), '')
      assert.equal(again.headers.get('ETag'), etag)
      assert.equal(again.headers.get('Cache-Control'), 'private, max-age=7', path)
      assert.equal((await get(path, { 'If-None-Match': '"other"' })).status, 200, path)
    }
  })

  it('HOLODULES_CACHE_TTL=0 asks the store every time and still answers 304', async () => {
    const { get, store } = await setup({ HOLODULES_CACHE_TTL: '0' })
    const etag = (await get(WEEK)).headers.get('ETag') as string
    assert.equal((await get(WEEK, { 'If-None-Match': etag })).status, 304)
    assert.deepEqual([store.calls.schedules, store.calls.streamers], [2, 2])
  })

  it('counts lookups under the caches` names', async () => {
    const { get, lookups } = await setup()
    for (const path of [WEEK, WEEK, SCHEDULE, SCHEDULE, STREAMER, '/streamers?group=hololive'])
      await get(path)
    assert.deepEqual(
      lookups.filter((l) => !l.startsWith('users')),
      [
        'streamers miss',
        'schedules miss',
        // The second week's read is the short way's (app/shortcuts.ts): it finds the range by the
        // query the route resolved, and looks no group up.
        'schedules hit',
        'schedules-by-id miss',
        'schedules-by-id hit',
        'streamers-by-id miss',
        'streamers hit',
      ],
    )
  })
})

describe('writes clear the caches of this process at once', () => {
  const STREAM = {
    code: 'HL0001',
    video_id: 'newvid00001',
    streaming_at: '2024-01-10T22:00:00',
    name: 'talent HL0001',
    title: 'new stream',
    url: 'https://www.youtube.com/watch?v=newvid00001',
  }

  it('a stream added, changed and removed shows in the ranges, by id and in the day', async () => {
    const { get, send } = await setup({ HOLODULES_CACHE_TTL: '600' })
    const day = async () => (await (await get('/holodules/20240110')).json()) as Array<{ title: string }>
    assert.deepEqual(await ids(await get(WEEK)), [6, 1, 2, 4])
    assert.equal((await day()).length, 3)
    const created = (await (await send('POST', '/schedules', STREAM)).json()) as { id: string }
    const id = Number.parseInt(created.id, 16)
    assert.deepEqual(await ids(await get(WEEK)), [6, id, 1, 2, 4])
    assert.equal((await day()).length, 4)
    assert.equal((await get(`/schedules/${created.id}`)).status, 200)
    await send('PUT', `/schedules/${created.id}`, { title: 'renamed' })
    const one = (await (await get(`/schedules/${created.id}`)).json()) as { title: string }
    assert.equal(one.title, 'renamed')
    assert.ok((await day()).some((s) => s.title === 'renamed'))
    assert.equal((await send('DELETE', `/schedules/${created.id}`)).status, 204)
    assert.equal((await get(`/schedules/${created.id}`)).status, 404)
    assert.deepEqual(await ids(await get(WEEK)), [6, 1, 2, 4])
  })

  it('a member added or moved changes /streamers, the group a range resolves, and the member by id', async () => {
    const { get, send } = await setup({ HOLODULES_CACHE_TTL: '600' })
    const codes = async () =>
      (
        (await (await get('/streamers?group=hololive')).json()) as { streamers: Array<{ code: string }> }
      ).streamers.map((s) => s.code)
    assert.deepEqual(await codes(), ['HL0001', 'HL0002'])
    assert.deepEqual(await ids(await get(WEEK)), [6, 1, 2, 4])
    await send('POST', '/streamers', { code: 'EN0001', name: 'n', group: 'hololive' })
    assert.deepEqual(await codes(), ['EN0001', 'HL0001', 'HL0002'])
    assert.deepEqual(await ids(await get(WEEK)), [6, 1, 5, 2, 4])
    await send('PUT', STREAMER, { group: 'holostars' })
    assert.equal(((await (await get(STREAMER)).json()) as { group: string }).group, 'holostars')
    assert.deepEqual(await codes(), ['EN0001', 'HL0001'])
  })
})
