import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import ICAL from 'ical.js'
import { ADMIN_USER, HASHED_USER, LEGACY_USER_2, SECRET, STREAMS } from '#harness/fixtures.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import type { SuiteTools } from './third-generation.js'

type Json = Record<string, unknown>

const FEED_KEYS = ['id', 'url', 'group', 'code', 'keyword', 'created']
const LISTED_KEYS = ['id', 'group', 'code', 'keyword', 'created']
const NOT_FOUND = { error: 'Not found' }
const CALENDAR_TYPE = 'text/calendar; charset=utf-8'
/** `…/calendar/<secret>.ics`: 256 random bits as unpadded base64url are 43 characters. */
const FEED_PATH = /^\/calendar\/([A-Za-z0-9_-]{43})\.ics$/
/** A secret no feed has: what every unknown, revoked or orphaned URL must answer like. */
const UNKNOWN_SECRET_PATH = `/calendar/${'A'.repeat(43)}.ics`
const MAX_FEEDS = 20
const HOUR_MS = 3600_000
const DAY_MS = 24 * HOUR_MS

const unique = () => Math.random().toString(36).slice(2, 10)

/** The Japan day `offset` days from now, `YYYY-MM-DD` (the calendar's window is counted in them). */
const japanDay = (offset: number) =>
  new Date(Date.now() + 9 * HOUR_MS + offset * DAY_MS).toISOString().slice(0, 10)
/** A Japan wall clock `offset` days from now at `time`, as `streaming_at` holds it. */
const wallClock = (offset: number, time: string) => `${japanDay(offset)}T${time}`
/** The instant a Japan wall clock names, in iCalendar's UTC form: 21:00 in Japan is `…T120000Z`. */
const utcStamp = (wall: string) =>
  new Date(Date.parse(`${wall}Z`) - 9 * HOUR_MS).toISOString().replace(/[-:]/g, '').replace('.000', '')

/** A calendar as ical.js reads it: the VCALENDAR's properties by name, and its events. */
const parseCalendar = (text: string) => {
  const root = new ICAL.Component(ICAL.parse(text))
  assert.equal(root.name, 'vcalendar')
  const value = (name: string) => {
    const v = root.getFirstPropertyValue(name)
    return v === null ? null : String(v)
  }
  const events = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v))
  return { value, events }
}

/**
 * Calendar feeds (shared/contract.md, "Calendar feeds"): made, listed and revoked with each
 * generation's token under its own scheme; polled through the secret URL without one.
 *
 * The calendar holds streams from 7 days back to 30 ahead of *now*, the target's real clock, and the
 * fixture's streams are in 2020/2024: the cases add their own streams around now through the admin's
 * writes (POST /schedules, POST /streamers for a group), under a code, group and keyword of this run,
 * so the in-window, out-of-window and other-filter streams are known exactly on every target, and
 * remove them afterwards. A filter whose only streams are the fixture's gives the empty calendar.
 * Every feed a case makes is revoked in `finally`, with its owner's token.
 */
export const feedCases = ({ target, api, readJson }: SuiteTools) => {
  const admin = () =>
    `Bearer ${craftToken({ sub: ADMIN_USER.username, exp: nowSeconds() + 900, iat: nowSeconds() }, SECRET)}`
  /** A first-generation token of `username`, signed here (the cleanup's and the other user's). */
  const jwtOf = (username: string) => `JWT ${craftToken(claims(username), SECRET)}`
  const send = (method: string, path: string, authorization?: string, body?: unknown) => {
    const headers: Record<string, string> = {}
    if (authorization !== undefined) headers.Authorization = authorization
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    return api(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  }
  const answer = async (res: Response, status: number, what: string): Promise<unknown> => {
    assert.equal(res.status, status, `${what}: ${res.status}`)
    if (status === 204 || status === 304) {
      assert.equal(await res.text(), '', what)
      return null
    }
    return readJson(res)
  }
  const accessToken = async (res: Response, what: string) =>
    ((await answer(res, 200, what)) as { access_token: string }).access_token

  /** A token of HASHED_USER from each generation's own login, under that generation's scheme. */
  const generationTokens = async (): Promise<Array<[string, string]>> => {
    const json = (path: string) =>
      api(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })
    const form = () =>
      api('/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(HASHED_USER).toString(),
      })
    return [
      ['JWT from POST /auth', `JWT ${await accessToken(await json('/auth'), 'POST /auth')}`],
      ['Bearer from POST /login', `Bearer ${await accessToken(await json('/login'), 'POST /login')}`],
      ['Bearer from POST /token', `Bearer ${await accessToken(await form(), 'POST /token')}`],
    ]
  }

  /**
   * The origin a feed URL must carry: the one the request went to. Over HTTP that is the answer's
   * `url` (curlFetch sets it, as fetch does); app.request() in process asks http://localhost.
   */
  const originOf = (res: Response) => (res.url ? new URL(res.url).origin : 'http://localhost')

  interface Feed {
    id: string
    url: string
    /** The origin the request went to: the URL's must be this. */
    origin: string
    path: string
    secret: string
    group: string | null
    code: string | null
    keyword: string | null
    created: string
  }

  /**
   * Runs `body` with `make`, which creates a feed and remembers it: every feed made is revoked
   * afterwards with its owner's token, whatever happened.
   */
  const withFeeds = async (
    body: (make: (authorization: string, filter: Json, owner?: string) => Promise<Feed>) => Promise<void>,
  ) => {
    const made: Array<[string, string]> = []
    const make = async (authorization: string, filter: Json, owner = HASHED_USER.username) => {
      const before = Date.now()
      const res = await send('POST', '/feeds', authorization, filter)
      const origin = originOf(res)
      const feed = (await answer(res, 201, `POST /feeds ${JSON.stringify(filter)}`)) as Json
      made.push([owner, String(feed.id)])
      assert.deepEqual(Object.keys(feed), FEED_KEYS)
      assert.equal(typeof feed.id, 'string')
      assert.ok((feed.id as string).length > 0)
      for (const k of ['group', 'code', 'keyword']) assert.equal(feed[k], filter[k] ?? null, k)
      const created = Date.parse(String(feed.created))
      assert.match(String(feed.created), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/)
      assert.ok(created >= before - 2000 && created <= Date.now() + 2000, `created ${feed.created}`)
      const url = new URL(String(feed.url))
      assert.equal(url.origin, origin, `the URL's origin: ${feed.url}`)
      assert.match(url.protocol, /^https?:$/, String(feed.url))
      assert.equal(url.search + url.hash, '', String(feed.url))
      const secret = FEED_PATH.exec(url.pathname)?.[1]
      assert.ok(secret, `the URL's path: ${feed.url}`)
      return { ...(feed as Omit<Feed, 'origin' | 'path' | 'secret'>), origin, path: url.pathname, secret }
    }
    try {
      await body(make)
    } finally {
      for (const [owner, id] of made) {
        const res = await target().fetch(`/feeds/${id}`, {
          method: 'DELETE',
          headers: { Authorization: jwtOf(owner) },
        })
        await res.body?.cancel()
      }
    }
  }

  /** The user's feeds as GET /feeds answers them, its text checked for secrets. */
  const listFeeds = async (authorization: string, secrets: string[] = []) => {
    const res = await send('GET', '/feeds', authorization)
    assert.equal(res.status, 200, `GET /feeds: ${res.status}`)
    const text = await res.clone().text()
    for (const s of secrets) assert.ok(!text.includes(s), 'a secret is listed')
    assert.doesNotMatch(text, /calendar|\.ics|"url"|secret|hash|_id/i)
    const body = (await readJson(res)) as { feeds: Json[] }
    assert.deepEqual(Object.keys(body), ['feeds'])
    for (const f of body.feeds) assert.deepEqual(Object.keys(f), LISTED_KEYS)
    return body.feeds
  }
  const listed = ({ url: _url, origin: _origin, path: _path, secret: _secret, ...f }: Feed) => f

  let documented: Promise<void> | undefined
  /** The target's /openapi.json documents the calendar's 200 as text/calendar, a string. */
  const calendarDocumented = () => {
    documented ??= (async () => {
      const res = await target().fetch('/openapi.json')
      assert.equal(res.status, 200, 'GET /openapi.json')
      const doc = (await readJson(res)) as {
        paths: Record<
          string,
          { get?: { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> } }
        >
      }
      const content = doc.paths['/calendar/{file}']?.get?.responses?.['200']?.content
      assert.deepEqual(
        Object.keys(content ?? {}),
        ['text/calendar'],
        'GET /calendar/{file} 200 is documented as text/calendar',
      )
      assert.equal(content?.['text/calendar']?.schema?.type, 'string')
    })()
    return documented
  }

  /** `GET <feed path>` without Authorization: the calendar's text, after the contract's headers. */
  const poll = async (path: string, headers: Record<string, string> = {}) => {
    // Not through api(): its check reads every documented body as JSON. The calendar's 200 is held
    // to the document here instead: documented as text/calendar, a string (304s and 404s go through api()).
    await calendarDocumented()
    const res = await target().fetch(path, { headers })
    assert.equal(res.status, 200, `GET ${path}: ${res.status}`)
    assert.equal(res.headers.get('content-type'), CALENDAR_TYPE)
    const etag = res.headers.get('etag')
    assert.match(etag ?? '', /^(W\/)?"[^"]+"$/, 'ETag')
    return { text: await res.text(), etag: etag as string }
  }
  /** An answer exactly like the unknown secret's: 404, the same content type and body. */
  const expectLikeUnknown = async (res: Response, what: string) => {
    const unknown = await api(UNKNOWN_SECRET_PATH)
    assert.equal(unknown.status, 404, 'an unknown secret')
    assert.equal(res.status, 404, `${what}: ${res.status}`)
    assert.equal(res.headers.get('content-type'), unknown.headers.get('content-type'), what)
    const [body, unknownBody] = [await res.text(), await unknown.text()]
    assert.equal(body, unknownBody, what)
    assert.deepEqual(JSON.parse(body), NOT_FOUND, what)
  }

  /** The calendar's frame: RFC 5545's lines and the properties the contract names. */
  const expectCalendar = (text: string, name: string) => {
    assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n'), 'begins with BEGIN:VCALENDAR')
    assert.ok(text.endsWith('END:VCALENDAR\r\n'), 'ends with END:VCALENDAR and CRLF')
    assert.ok(!/[^\r]\n/.test(text), 'every line ends with CRLF')
    for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`)
    const cal = parseCalendar(text)
    assert.equal(cal.value('version'), '2.0')
    assert.ok((cal.value('prodid') ?? '').length > 0, 'PRODID')
    assert.ok(
      (cal.value('x-wr-calname') ?? '').includes(name),
      `X-WR-CALNAME names ${name}: ${cal.value('x-wr-calname')}`,
    )
    assert.equal(cal.value('x-wr-timezone'), 'Asia/Tokyo')
    assert.equal(cal.value('refresh-interval'), 'PT15M')
    return cal
  }

  describe('calendar feeds: made with each generation’s token, listed without secrets', () => {
    it('answers 201 {id, url, group, code, keyword, created}; the URL absolute on the target’s origin, `/calendar/<43 url-safe>.ics`', async () => {
      await withFeeds(async (make) => {
        const tokens = await generationTokens()
        const code = `ZF${unique()}`
        const feeds: Feed[] = []
        for (const [what, authorization] of tokens) {
          const filter = what.startsWith('JWT')
            ? { code }
            : what.includes('/login')
              ? { group: 'hololive', keyword: `kw ${code}` }
              : {}
          feeds.push(await make(authorization, filter))
        }
        assert.equal(new Set(feeds.map((f) => f.id)).size, feeds.length, 'ids are unique')
        assert.equal(new Set(feeds.map((f) => f.secret)).size, feeds.length, 'secrets are unique')
        for (const f of feeds) assert.ok(!f.url.includes(f.id), 'the URL does not carry the id')
        // Each generation's token lists the same feeds without their URLs.
        const ids = new Set(feeds.map((f) => f.id))
        for (const [what, authorization] of tokens) {
          const mine = (
            await listFeeds(
              authorization,
              feeds.map((f) => f.secret),
            )
          ).filter((f) => ids.has(String(f.id)))
          // Oldest first: by `created`, and two of the same millisecond in either order.
          const createdOrder = mine.map((f) => String(f.created))
          assert.deepEqual(createdOrder, [...createdOrder].sort(), what)
          const byId = (a: Json, b: Json) => String(a.id).localeCompare(String(b.id))
          assert.deepEqual([...mine].sort(byId), feeds.map(listed).sort(byId), what)
        }
        // Another user sees none of them.
        const other = await listFeeds(jwtOf(LEGACY_USER_2.username))
        assert.ok(!other.some((f) => ids.has(String(f.id))), "another user's list")
      })
    })

    it('hands out the URL on the origin the client reached', async () => {
      await withFeeds(async (make) => {
        const feed = await make(jwtOf(HASHED_USER.username), {})
        assert.equal(new URL(feed.url).origin, feed.origin, feed.url)
      })
    })

    it('answers 400 {"error"} for a body off the schema, and makes nothing', async () => {
      await withFeeds(async () => {
        const authorization = jwtOf(HASHED_USER.username)
        const before = await listFeeds(authorization)
        for (const [what, body] of [
          ['an unknown field', { code: 'HL0101', color: 'red' }],
          ['a number', { code: 101 }],
          ['an empty string', { keyword: '' }],
          ['a list', { group: ['hololive'] }],
          ['a JSON array', [1, 2]],
        ] as const) {
          const res = await send('POST', '/feeds', authorization, body)
          const error = (await answer(res, 400, what)) as Json
          assert.deepEqual(Object.keys(error), ['error'], what)
          assert.equal(typeof error.error, 'string', what)
        }
        assert.deepEqual(await listFeeds(authorization), before)
      })
    })

    it('answers 409 {"error": "Too many feeds", "limit": 20} past 20 feeds of a user', async () => {
      await withFeeds(async (make) => {
        const owner = LEGACY_USER_2.username
        const authorization = jwtOf(owner)
        const have = (await listFeeds(authorization)).length
        for (let i = have; i < MAX_FEEDS; i++) await make(authorization, { keyword: `limit ${i}` }, owner)
        const res = await send('POST', '/feeds', authorization, { keyword: 'one too many' })
        assert.deepEqual(await answer(res, 409, 'the 21st'), { error: 'Too many feeds', limit: MAX_FEEDS })
        assert.equal((await listFeeds(authorization)).length, MAX_FEEDS)
        // Another user's count is its own.
        await make(jwtOf(HASHED_USER.username), { keyword: 'not counted with the other' })
      })
    })

    it('refuses each route without a token or with a refused one, in each generation’s words', async () => {
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/feeds'],
        ['POST', '/feeds', { code: 'HL0101' }],
        ['DELETE', '/feeds/some-feed-id'],
      ]
      const now = nowSeconds()
      const refusals: Array<[string, string | undefined, unknown, string | null]> = [
        [
          'no Authorization (the first generation’s answer)',
          undefined,
          {
            status_code: 401,
            error: 'Authorization Required',
            description: 'Request does not contain an access token',
          },
          'JWT realm="Login Required"',
        ],
        [
          'JWT, expired',
          `JWT ${craftToken(claims(HASHED_USER.username, { iat: now - 600, nbf: now - 600, exp: now - 300 }), SECRET)}`,
          { status_code: 401, error: 'Invalid token', description: 'Signature has expired' },
          null,
        ],
        [
          'JWT, a user that does not exist',
          jwtOf('ghost-user'),
          { status_code: 401, error: 'Invalid JWT', description: 'User does not exist' },
          null,
        ],
        [
          'Bearer, expired (a /login or /token token alike)',
          `Bearer ${craftToken({ sub: HASHED_USER.username, iat: now - 1200, exp: now - 300 }, SECRET)}`,
          { msg: 'Token has expired' },
          null,
        ],
        [
          'Bearer, a user that does not exist',
          `Bearer ${craftToken({ sub: 'ghost-user', iat: now, exp: now + 900 }, SECRET)}`,
          { error: 'Unauthorized' },
          null,
        ],
      ]
      const authorization = jwtOf(HASHED_USER.username)
      const before = await listFeeds(authorization)
      for (const [method, path, body] of routes) {
        for (const [what, token, expected, challenge] of refusals) {
          const res = await send(method, path, token, body)
          assert.equal(res.headers.get('www-authenticate'), challenge, `${method} ${path}, ${what}`)
          assert.deepEqual(
            await answer(res, 401, `${method} ${path}, ${what}`),
            expected,
            `${method} ${path}, ${what}`,
          )
        }
      }
      assert.deepEqual(await listFeeds(authorization), before, 'nothing was made')
    })
  })

  describe('calendar feeds: the secret URL', () => {
    /**
     * Streams of this run around now, added as the admin and removed afterwards: a code `C` with
     * two streams inside the window and one on each side of it, a code `C2` of a group `G` (a
     * member added for it) with two inside, and a keyword `K` in one title of each code.
     */
    const withStreams = async (
      body: (run: {
        code: string
        otherCode: string
        group: string
        keyword: string
        streams: Json[]
      }) => Promise<void>,
    ) => {
      const run = unique()
      const code = `ZF${run}`
      const otherCode = `ZG${run}`
      const group = `feeds_${run}`
      const keyword = `kw${run}`
      const stream = (n: number, c: string, wall: string, title: string) => ({
        code: c,
        video_id: `feed${run}${n}`,
        streaming_at: wall,
        name: 'カレンダー, テスト',
        title,
        url: `https://www.youtube.com/watch?v=feed${run}${n}`,
        description: `a stream of the feed cases; text to escape: comma, semicolon; backslash \\ and a line\nbreak`,
      })
      const streams = [
        stream(1, code, wallClock(2, '21:00:00'), `【歌枠】21:00 in Japan ${keyword}`),
        stream(2, code, wallClock(-3, '05:30:00'), 'early morning in Japan, the day before in UTC'),
        stream(3, code, wallClock(-9, '21:00:00'), 'nine days back: outside'),
        stream(4, code, wallClock(32, '21:00:00'), 'thirty-two days ahead: outside'),
        stream(5, otherCode, wallClock(1, '18:00:00'), `another code, ${keyword.toUpperCase()} in capitals`),
        stream(6, otherCode, wallClock(29, '00:00:00'), 'midnight in Japan, 29 days ahead'),
      ]
      const added: string[] = []
      try {
        for (const s of streams) {
          const res = await send('POST', '/schedules', admin(), s)
          added.push(`/schedules/${((await answer(res, 201, `POST /schedules ${s.video_id}`)) as Json).id}`)
        }
        const member = { code: otherCode, name: 'Feed member', group }
        const res = await send('POST', '/streamers', admin(), member)
        added.push(`/streamers/${((await answer(res, 201, 'POST /streamers')) as Json).id}`)
        await body({ code, otherCode, group, keyword, streams })
      } finally {
        for (const path of added) {
          const res = await target().fetch(path, { method: 'DELETE', headers: { Authorization: admin() } })
          await res.body?.cancel()
        }
      }
    }

    /** The events a calendar of `streams` must hold, newest first as they are listed. */
    const expectEvents = (text: string, streams: Json[]) => {
      const { events } = parseCalendar(text)
      const expected = [...streams].sort((a, b) =>
        String(b.streaming_at).localeCompare(String(a.streaming_at)),
      )
      assert.deepEqual(
        events.map((e) => e.uid).sort(),
        expected.map((s) => `${s.video_id}@holodule-api`).sort(),
        'one VEVENT per stream of the filter in the window, its UID from the video id',
      )
      for (const s of expected) {
        const e = events.find((x) => x.uid === `${s.video_id}@holodule-api`)
        assert.ok(e)
        const start = utcStamp(String(s.streaming_at))
        assert.ok(text.includes(`\r\nDTSTART:${start}\r\n`), `DTSTART:${start} (${s.streaming_at} in Japan)`)
        assert.equal(e.startDate.zone?.tzid, 'UTC', 'DTSTART in UTC')
        assert.equal(e.startDate.toJSDate().getTime(), Date.parse(`${s.streaming_at}Z`) - 9 * HOUR_MS)
        assert.ok(e.endDate.toJSDate().getTime() > e.startDate.toJSDate().getTime(), 'a duration')
        assert.equal(e.summary, `${s.name}: ${s.title}`)
        assert.equal(e.description, s.description)
        assert.equal(String(e.component.getFirstPropertyValue('url')), s.url)
        assert.ok(e.component.getFirstPropertyValue('dtstamp'), 'DTSTAMP')
      }
      return events.map((e) => e.uid)
    }

    it('is an RFC 5545 calendar of the filter’s streams from 7 days back to 30 ahead of now, DTSTART in UTC, polled without Authorization', async () => {
      await withStreams(async ({ code, group, keyword, streams }) => {
        await withFeeds(async (make) => {
          const [jwt, login, token] = (await generationTokens()).map(([, authorization]) => authorization)
          const byCode = await make(jwt as string, { code })
          const byGroup = await make(login as string, { group })
          const byKeyword = await make(token as string, { keyword })
          const s = (n: number) => streams[n - 1] as Json

          const codeText = (await poll(byCode.path)).text
          expectCalendar(codeText, code)
          const codeUids = expectEvents(codeText, [s(1), s(2)])
          const groupText = (await poll(byGroup.path)).text
          expectCalendar(groupText, group)
          expectEvents(groupText, [s(5), s(6)])
          const keywordText = (await poll(byKeyword.path)).text
          expectCalendar(keywordText, keyword)
          const keywordUids = expectEvents(keywordText, [s(1), s(5)])
          // One stream, one UID: in every feed that holds it, and poll after poll.
          assert.ok(keywordUids.includes(codeUids.find((u) => u.startsWith(String(s(1).video_id))) as string))
          assert.deepEqual(expectEvents((await poll(byCode.path)).text, [s(1), s(2)]), codeUids)
          // The URL is all it takes: an Authorization header changes nothing, another's token neither.
          assert.deepEqual(
            expectEvents((await poll(byCode.path, { Authorization: jwtOf(LEGACY_USER_2.username) })).text, [
              s(1),
              s(2),
            ]),
            codeUids,
          )
        })
      })
    })

    it('is a valid calendar with no VEVENT when no stream of the filter is in the window', async () => {
      // The fixture's streams are in 2020 and 2024: a code of theirs has none around now.
      const fixtureCode = (STREAMS[0] as (typeof STREAMS)[number]).holodule.code
      await withFeeds(async (make) => {
        const feed = await make(jwtOf(HASHED_USER.username), { code: fixtureCode })
        const { text } = await poll(feed.path)
        assert.deepEqual(expectCalendar(text, fixtureCode).events, [])
        assert.ok(!text.includes('BEGIN:VEVENT'))
      })
    })

    it('answers If-None-Match with its ETag 304, another ETag 200', async () => {
      await withFeeds(async (make) => {
        const feed = await make(jwtOf(HASHED_USER.username), { keyword: `etag ${unique()}` })
        const first = await poll(feed.path)
        const again = await api(feed.path, { headers: { 'If-None-Match': first.etag } })
        assert.equal(again.status, 304)
        assert.equal(await again.text(), '')
        assert.equal(again.headers.get('etag'), first.etag)
        const other = await poll(feed.path, { 'If-None-Match': '"another"' })
        assert.equal(other.etag, first.etag)
        assert.equal(other.text, first.text)
      })
    })

    it('answers an unknown or malformed secret 404 {"error": "Not found"}', async () => {
      for (const path of [
        UNKNOWN_SECRET_PATH,
        `/calendar/${'A'.repeat(43)}`,
        '/calendar/not-a-secret.ics',
        '/calendar/.ics',
      ]) {
        await expectLikeUnknown(await api(path), path)
      }
    })

    it('revoked (DELETE → 204), answers 404 at once like an unknown secret; another user cannot revoke it (404)', async () => {
      await withFeeds(async (make) => {
        const owner = jwtOf(HASHED_USER.username)
        const feed = await make(owner, { code: 'HL0101' })
        const kept = await make(owner, { code: 'HL0101' })
        await poll(feed.path)

        // Another user, even an admin, under any scheme: 404, as for a feed that does not exist.
        for (const [what, authorization] of [
          ['another user, JWT', jwtOf(LEGACY_USER_2.username)],
          ['the admin, Bearer', admin()],
        ] as const) {
          assert.deepEqual(
            await answer(await send('DELETE', `/feeds/${feed.id}`, authorization), 404, what),
            NOT_FOUND,
          )
        }
        await poll(feed.path)
        assert.ok(
          (await listFeeds(owner)).some((f) => f.id === feed.id),
          'still listed',
        )

        assert.equal(await answer(await send('DELETE', `/feeds/${feed.id}`, owner), 204, 'DELETE'), null)
        await expectLikeUnknown(await api(feed.path), 'the revoked URL')
        await expectLikeUnknown(
          await api(feed.path, { headers: { 'If-None-Match': '*' } }),
          'the revoked URL, If-None-Match',
        )
        const left = (await listFeeds(owner)).map((f) => f.id)
        assert.ok(!left.includes(feed.id) && left.includes(kept.id), 'the list loses it, and only it')
        await poll(kept.path)
        assert.deepEqual(
          await answer(await send('DELETE', `/feeds/${feed.id}`, owner), 404, 'DELETE again'),
          NOT_FOUND,
        )
        assert.deepEqual(
          await answer(await send('DELETE', '/feeds/no-such-feed', owner), 404, 'an unknown id'),
          NOT_FOUND,
        )
      })
    })
  })
}
