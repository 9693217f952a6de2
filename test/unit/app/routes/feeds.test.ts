import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import ICAL from 'ical.js'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { issueAccessToken, issueBearerToken, issueToken } from '#src/auth/token.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryFeedStore } from '#src/store/memory/feeds.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../../../support/app.js'
import { LAYOUT_SEED } from '../../../support/layout-cases.js'

// 2024-01-10 12:00 in Japan: the seed's streams fall inside 7 days back and 30 ahead.
const NOW = Date.UTC(2024, 0, 10, 3)

const setup = async (logLevel?: 'info') => {
  const hash = await hashPassword('password01', HASH_FLOORS.pbkdf2Iterations)
  const store = new MemoryStore({
    users: [{ id: '1', username: 'user01', password: hash, documentId: '000000000000000000000001' }],
    schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
    streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
  })
  const feeds = new MemoryFeedStore()
  const clock = testClock(NOW)
  const config = { ...testConfig(), passwordIterations: HASH_FLOORS.pbkdf2Iterations }
  const { app, lines } = testApp({ store, clock, config, feeds, ...(logLevel && { logLevel }) })
  const tokens = {
    JWT: await issueToken(config.jwt, 'user01', NOW),
    Bearer: await issueAccessToken(config.jwt, 'user01', NOW),
    third: await issueBearerToken(config.jwt, 'user01', NOW),
  }
  const create = (body: unknown, auth = `JWT ${tokens.JWT}`) =>
    app.request('http://api.test/feeds', {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
  const poll = (url: string, headers: Record<string, string> = {}) => app.request(url, { headers })
  return { app, store, feeds, clock, tokens, create, poll, lines }
}

const eventsOf = (text: string) =>
  new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v))

describe('calendar feeds', () => {
  it('are made with any generation token under its own scheme, the URL shown once', async () => {
    const { create, tokens, app } = await setup()
    for (const auth of [`JWT ${tokens.JWT}`, `Bearer ${tokens.Bearer}`, `Bearer ${tokens.third}`]) {
      const res = await create({ group: 'hololive' }, auth)
      assert.equal(res.status, 201, auth)
      const body = (await res.json()) as Record<string, unknown>
      assert.deepEqual(Object.keys(body), ['id', 'url', 'group', 'code', 'keyword', 'created'])
      assert.match(String(body.url), /^http:\/\/api\.test\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
      assert.deepEqual([body.group, body.code, body.keyword], ['hololive', null, null])
    }
    const list = await app.request('/feeds', { headers: { Authorization: `JWT ${tokens.JWT}` } })
    const text = await list.text()
    assert.equal((JSON.parse(text) as { feeds: unknown[] }).feeds.length, 3)
    assert.doesNotMatch(text, /calendar|url|secret/i)
    assert.equal((await app.request('/feeds')).status, 401)
  })

  it('answers an RFC 5545 calendar a parser reads: UID, DTSTART in UTC, summary, refresh', async () => {
    const { create, poll } = await setup()
    const { url } = (await (await create({ code: 'HL0001' })).json()) as { url: string }
    const res = await poll(url)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8')
    const text = await res.text()
    assert.ok(
      text.split('\n').every((line) => line === '' || line.endsWith('\r')),
      'CRLF line ends',
    )
    assert.ok(
      text.split('\r\n').every((line) => new TextEncoder().encode(line).length <= 75),
      'folded',
    )
    for (const property of [
      'VERSION:2.0',
      'PRODID:',
      'X-WR-CALNAME:Hololive schedule: HL0001',
      'X-WR-TIMEZONE:Asia/Tokyo',
      'REFRESH-INTERVAL;VALUE=DURATION:PT15M',
    ])
      assert.ok(text.includes(property), property)
    const events = eventsOf(text)
    assert.deepEqual(
      events.map((e) => [e.uid, e.startDate.toJSDate().toISOString(), e.summary]),
      [
        ['vid1@holodule-api', '2024-01-10T12:00:00.000Z', 'talent HL0001: title 1'],
        ['vid4@holodule-api', '2024-01-09T14:59:59.000Z', 'talent HL0001: title 4'],
      ],
    )
    assert.match(text, /DTSTART:20240110T120000Z/)
  })

  it('answers 304 to If-None-Match with its ETag, and polls reach the store once per TTL', async () => {
    const { create, poll, store } = await setup()
    const { url } = (await (await create({})).json()) as { url: string }
    let queries = 0
    const find = store.findSchedules.bind(store)
    store.findSchedules = async (q) => {
      queries++
      return find(q)
    }
    const first = await poll(url)
    const etag = first.headers.get('etag') ?? ''
    assert.match(etag, /^"/)
    const again = await poll(url, { 'If-None-Match': etag })
    assert.equal(again.status, 304)
    await poll(url)
    assert.equal(queries, 1)
  })

  it('answers one 404 for an unknown, revoked, orphaned, re-created or disabled owner', async () => {
    const { create, poll, app, tokens, store, clock } = await setup()
    const unknown = await poll('/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')
    assert.equal(unknown.status, 404)
    const notFound = await unknown.text()
    const made = (await (await create({})).json()) as { id: string; url: string }
    assert.equal((await poll(made.url)).status, 200)
    const revoked = await app.request(`/feeds/${made.id}`, {
      method: 'DELETE',
      headers: { Authorization: `JWT ${tokens.JWT}` },
    })
    assert.equal(revoked.status, 204)
    assert.equal(await (await poll(made.url)).text(), notFound)

    const second = (await (await create({})).json()) as { url: string }
    await store.updateAccount('000000000000000000000001', { disabled: true })
    assert.equal((await poll(second.url)).status, 404)
    await store.updateAccount('000000000000000000000001', { disabled: false })
    assert.equal((await poll(second.url)).status, 200)
    await store.removeUser('user01')
    await store.addUser('user01', 'another')
    // Changed in the store, as the CLI does: a live feed polled before is kept for USER_CACHE_TTL.
    clock.advance(2000)
    const res = await poll(second.url)
    assert.equal(res.status, 404, 'a user added again under the name does not inherit the feed')
    assert.equal(await res.text(), notFound)
  })

  it('bounds the feeds of a user, and keeps secrets out of the access log', async () => {
    const { create, poll, lines } = await setup('info')
    let last = { url: '' }
    for (let i = 0; i < 20; i++) last = (await (await create({ keyword: `k${i}` })).json()) as { url: string }
    const over = await create({})
    assert.equal(over.status, 409)
    assert.deepEqual(await over.json(), { error: 'Too many feeds', limit: 20 })
    await poll(last.url)
    const secret = last.url.split('/').pop()?.replace('.ics', '') ?? ''
    assert.ok(lines.some((l) => l.includes('/calendar/[secret]')))
    assert.ok(lines.every((l) => !l.includes(secret)))
  })

  it('answers 400 for a body off the schema', async () => {
    const { create } = await setup()
    for (const bad of [{ group: 5 }, { unknown: 'x' }, []]) assert.equal((await create(bad)).status, 400)
  })
})
