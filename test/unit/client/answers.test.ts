import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type Answer,
  bearerError,
  dayError,
  isEmptyDay404,
  isExpired,
  loginError,
  retryAfterOf,
  rowsOf,
} from '#src/client/answers.js'
import type { HoloduleApiErrorKind } from '#src/client/errors.js'
import {
  hasExpired,
  isRefusedBearer,
  listOf,
  toScheduleItem,
  toStreamer,
} from '#src/client/schedule-answers.js'

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers: new Headers(headers),
})

const row = {
  key: 'HL0503_20201209_230000',
  video_id: 'v',
  datetime: '20201209 230000',
  name: 'n',
  title: 't',
}

describe('client answers', () => {
  it('reads Retry-After as seconds or an HTTP-date, and nothing else', () => {
    assert.equal(retryAfterOf(new Headers({ 'Retry-After': '120' })), 120)
    const inAMinute = new Date(Date.now() + 60_500).toUTCString()
    const s = retryAfterOf(new Headers({ 'Retry-After': inAMinute }))
    assert.ok(s !== undefined && s >= 59 && s <= 61, String(s))
    assert.equal(retryAfterOf(new Headers({ 'Retry-After': new Date(0).toUTCString() })), 0)
    assert.equal(retryAfterOf(new Headers({ 'Retry-After': 'soon' })), undefined)
    assert.equal(retryAfterOf(new Headers()), undefined)
  })

  it('maps each login failure to its kind', () => {
    const cases: Array<[Answer, HoloduleApiErrorKind]> = [
      [
        answer(401, { status_code: 401, error: 'Bad Request', description: 'Invalid credentials' }),
        'invalid-credentials',
      ],
      [answer(401, { error: 'Unauthorized' }), 'invalid-credentials'],
      [answer(400, { error: 'Bad request' }), 'bad-request'],
      [answer(401, { message: 'Incorrect username or password' }), 'invalid-credentials'],
      [answer(422, {}), 'bad-request'],
      [answer(429, { message: 'Too many login attempts' }, { 'Retry-After': '60' }), 'throttled'],
      [answer(503, { message: 'Login is busy' }, { 'Retry-After': '1' }), 'unavailable'],
      [answer(413, {}), 'too-large'],
      [answer(429, { error: 'Too Many Requests' }, { 'Retry-After': '60' }), 'throttled'],
      [answer(503, { error: 'Service Unavailable' }, { 'Retry-After': '2' }), 'unavailable'],
      [answer(413, { error: 'Bad request' }), 'too-large'],
      [answer(404, { error: 'Not found' }), 'unexpected'],
      [answer(500, { error: 'Internal Server Error' }), 'unexpected'],
    ]
    for (const [a, kind] of cases) assert.equal(loginError(a).kind, kind, JSON.stringify(a.body))
  })

  it('a 429 without Retry-After (a proxy dropped it) still says when to retry', () => {
    const e = loginError(answer(429, { error: 'Too Many Requests' }))
    assert.ok(e.kind === 'throttled' && 'retryAfter' in e && e.retryAfter === 1)
  })

  it('maps each day failure to its kind, with the server`s words', () => {
    const e = dayError('2020', answer(400, { error: 'Bad Request', description: 'date must be YYYYMMDD' }))
    assert.equal(e.kind, 'bad-date')
    assert.match(e.message, /400 date must be YYYYMMDD/)
    const t = dayError('20201209', answer(422, { msg: 'Signature verification failed' }))
    assert.ok(t.kind === 'token' && t.description === 'Signature verification failed' && !t.expired)
    const gone = dayError('20201209', answer(401, { error: 'Unauthorized' }))
    assert.ok(gone.kind === 'token' && gone.error === 'Unauthorized' && gone.description === undefined)
    assert.equal(dayError('20201209', answer(502, '<html>bad gateway</html>')).kind, 'unexpected')
  })

  it('knows an expired token in either generation`s words, and only those', () => {
    assert.ok(
      isExpired(
        answer(401, { status_code: 401, error: 'Invalid token', description: 'Signature has expired' }),
      ),
    )
    assert.ok(isExpired(answer(401, { msg: 'Token has expired' })))
    assert.ok(!isExpired(answer(422, { msg: 'Token has expired' })))
    assert.ok(
      !isExpired(answer(401, { error: 'Invalid token', description: 'Signature verification failed' })),
    )
  })

  it('an empty day is the contract`s 404 body, not any 404 (a proxy`s page is not an empty day)', () => {
    assert.ok(isEmptyDay404(answer(404, { error: 'Not found' })))
    assert.ok(!isEmptyDay404(answer(404, '<html>404 Not Found</html>')))
    assert.ok(!isEmptyDay404(answer(200, { error: 'Not found' })))
  })

  it('reads rows from either generation`s body; a row without key or datetime fails the body', () => {
    const first = rowsOf({ result: 1, holodules: [row] })
    const second = rowsOf([{ ...row, code: 'HL0503' }])
    assert.deepEqual(first, [{ ...row, url: '', description: '' }])
    assert.deepEqual(Object.keys(second?.[0] ?? {}), [
      'key',
      'code',
      'video_id',
      'datetime',
      'name',
      'title',
      'url',
      'description',
    ])
    assert.ok(Object.isFrozen(first?.[0]))
    assert.equal(rowsOf([{ ...row, key: 1 }]), undefined)
    assert.equal(rowsOf({ result: 1 }), undefined)
    assert.equal(rowsOf('[]'), undefined)
    assert.deepEqual(rowsOf([]), [])
  })

  it('maps each third-generation read failure to its kind, with the server`s words', () => {
    const what = 'GET /schedules'
    const none = bearerError(what, answer(401, { detail: 'Not authenticated' }), false)
    assert.ok(none.kind === 'token' && none.description === 'Not authenticated' && none.error === undefined)
    assert.match(none.message, /401 Not authenticated/)
    const refused = answer(401, { message: 'Could not validate credentials' })
    assert.ok(isRefusedBearer(refused) && !isRefusedBearer(answer(401, { detail: 'Not authenticated' })))
    const old = bearerError(what, refused, true)
    assert.ok(old.kind === 'token' && old.expired && old.description === 'Could not validate credentials')
    const off = bearerError(what, answer(400, { message: 'Inactive user', identifier: 'u1' }), false)
    assert.ok(off.kind === 'inactive-user' && off.identifier === 'u1')
    const gone = bearerError(
      what,
      answer(404, { message: 'The entity does not exist', identifier: 'x' }),
      false,
    )
    assert.ok(gone.kind === 'not-found' && gone.identifier === 'x')
    const dates = bearerError(what, answer(422, {}), false, '2024/01/10..')
    assert.ok(dates.kind === 'bad-date' && dates.date === '2024/01/10..')
    // Without dates to blame, a 422 is not the contract's; neither is a 404 in other words.
    assert.equal(bearerError(what, answer(422, {}), false).kind, 'unexpected')
    assert.equal(bearerError(what, answer(404, { error: 'Not found' }), false).kind, 'unexpected')
    assert.equal(bearerError(what, answer(503, { error: 'Service Unavailable' }), false).kind, 'unavailable')
  })

  it('reads a token`s exp by this clock, and nothing from what is not a JWT', () => {
    const jwt = (payload: unknown) =>
      `eyJhbGciOiJIUzI1NiJ9.${btoa(JSON.stringify(payload)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}.sig`
    assert.equal(hasExpired(jwt({ sub: 'u', exp: 100 }), 100_000), true)
    assert.equal(hasExpired(jwt({ sub: 'u', exp: 101 }), 100_000), false)
    // base64url with `-` and `_` in it, and no padding.
    assert.equal(hasExpired(jwt({ sub: '\u00fb\u00ff?>', exp: 1 }), 2000), true)
    for (const token of [undefined, '', 'a.b.c', jwt({ exp: '1' }), jwt([1])])
      assert.equal(hasExpired(token), false)
  })

  it('reads schedules and streamers key for key in the wire`s order; an item without its id fails the body', () => {
    const item = {
      id: 'i',
      code: 'HL0001',
      video_id: 'v',
      streaming_at: '2024-01-10T21:00:00',
      name: 'n',
      title: 't',
      url: 'u',
      description: 'd',
      published_at: null,
      channel_id: 'c',
      channel_title: null,
      tags: ['a'],
      key: 'HL0001_20240110_210000',
    }
    assert.deepEqual(listOf({ schedules: [item] }, 'schedules', toScheduleItem), [item])
    assert.deepEqual(
      Object.keys(toScheduleItem({ extra: 1, ...Object.fromEntries(Object.entries(item).reverse()) }) ?? {}),
      Object.keys(item),
    )
    assert.equal(listOf({ schedules: [{ ...item, id: 1 }] }, 'schedules', toScheduleItem), undefined)
    assert.equal(listOf({ schedules: {} }, 'schedules', toScheduleItem), undefined)
    assert.deepEqual(listOf({ streamers: [] }, 'streamers', toStreamer), [])
    assert.deepEqual(toStreamer({ id: 's', code: 'HL0001', affiliations: 'gen1', is_retired: 'False' }), {
      id: 's',
      code: 'HL0001',
      name: '',
      group: '',
      affiliations: [],
      image_name: '',
      channel_id: '',
      is_retired: false,
    })
    assert.equal(toStreamer([]), undefined)
  })
})
