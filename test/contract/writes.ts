import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ADMIN_USER,
  CHANGED_USER,
  DISABLED_USER,
  DISABLED_USER_ID,
  HASHED_USER,
  LEGACY_USER,
  LEGACY_USER_2,
  SECRET,
  STREAMERS,
  STREAMS,
} from '#harness/fixtures.js'
import { craftToken, decodePart, nowSeconds } from '#harness/tokens.js'
import { DEFAULT_USER_CACHE_TTL } from '#src/app/index.js'
import type { Layout } from '#src/store/store.js'
import { SCHEDULE_KEYS, STREAMER_KEYS, type SuiteTools } from './third-generation.js'

const USER_KEYS = ['id', 'username', 'firstname', 'lastname', 'disabled', 'admin']
const OBJECT_ID = /^[0-9a-f]{24}$/
const NOT_ALLOWED = { message: 'Not allowed' }
const missing = (identifier: string) => ({ message: 'The entity does not exist', identifier })
/** Every user of the fixture, by username (the order /users answers in). */
const SEED_USERNAMES = [HASHED_USER, LEGACY_USER, LEGACY_USER_2, CHANGED_USER, DISABLED_USER, ADMIN_USER]
  .map((u) => u.username)
  .sort()
/** Ids no document of the fixture has: an ObjectId, and one that is not. */
const UNKNOWN_IDS = ['657a00000000000000000fff', 'not-an-id']

type Json = Record<string, unknown>

/** A name of this run's own, so a case never meets what another left (or a taken name by chance). */
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A Bearer token as the 2024 service signs it. */
const bearer = (sub: string, iat = nowSeconds()) =>
  `Bearer ${craftToken({ sub, exp: iat + 900, iat }, SECRET)}`

/** A new stream with every field a writer may send; `n` keeps each case's streams apart. */
const newStream = (n: number) => ({
  code: `ZZ990${n}`,
  video_id: `cccccccccc${n}`,
  streaming_at: `2030-05-0${n}T07:08:09`,
  name: 'コントラクト',
  title: `Written by the contract suite (${n})`,
  url: `https://www.youtube.com/watch?v=cccccccccc${n}`,
  description: 'a stream that exists only while its case runs',
  published_at: `2030-05-0${n - 1}T22:08:09`,
  channel_id: 'UCZZ9900channel',
  channel_title: 'Contract Ch.',
  tags: ['contract', `zz990${n}`],
})
type NewStream = ReturnType<typeof newStream>

const newStreamer = (n: number) => ({
  code: `ZZ980${n}`,
  name: `Contract member ${n}`,
  group: 'contract_group',
  affiliations: ['contract', 'jp'],
  image_name: `zz980${n}.png`,
  channel_id: `UCZZ980${n}channel`,
  is_retired: false,
})

/**
 * What `POST /schedules` stores of `sent`, as the reads answer it, on the layout the target holds:
 * the 2020 layout keeps no `published_at`, `channel_*` or `tags`; `key` is derived as the 2024
 * collector derives it.
 */
const storedStream = (sent: NewStream, id: string, layout: Layout) => ({
  id,
  code: sent.code,
  video_id: sent.video_id,
  streaming_at: sent.streaming_at,
  name: sent.name,
  title: sent.title,
  url: sent.url,
  description: sent.description,
  published_at: layout === 'schedules' ? sent.published_at : null,
  channel_id: layout === 'schedules' ? sent.channel_id : null,
  channel_title: layout === 'schedules' ? sent.channel_title : null,
  tags: layout === 'schedules' ? sent.tags : [],
  key: `${sent.code}_${sent.streaming_at.replace(/-|:/g, '').replace('T', '_')}`,
})

/**
 * The third generation's admin-only writes and /users (shared/contract.md, "Writes"): who may,
 * what is stored and answered, what is refused. Every case leaves the target's data as it found
 * it: what it adds it removes (in `finally`, also when it fails), and it changes nothing it did
 * not add, since the other cases read the same data.
 */
export const writeCases = ({ target, api, readJson }: SuiteTools) => {
  const layout = (): Layout => target().layout ?? 'holodules'
  const admin = () => bearer(ADMIN_USER.username)
  const send = (method: string, path: string, authorization?: string, body?: unknown) => {
    const headers: Record<string, string> = {}
    if (authorization !== undefined) headers.Authorization = authorization
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    return api(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  }
  const token = (username: string, password: string) =>
    api('/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    })
  /** An answer's status and JSON body (null for none), the body's content type checked. */
  const answer = async (res: Response, status: number, what: string): Promise<unknown> => {
    assert.equal(res.status, status, `${what}: ${res.status}`)
    if (status === 204) {
      assert.equal(await res.text(), '', what)
      return null
    }
    return readJson(res)
  }
  const expectAnswer = async (res: Response, status: number, body: unknown, what: string) =>
    assert.deepEqual(await answer(res, status, what), body, what)
  /** GET as the admin: the JSON body of a 200. */
  const read = async (path: string) => (await answer(await send('GET', path, admin()), 200, path)) as Json

  /**
   * Runs `body` with a list of paths to DELETE afterwards (as the admin, whatever happened): each
   * case removes what it added even when an assertion stops it half way.
   */
  const cleaningUp = async (body: (added: string[]) => Promise<void>) => {
    const added: string[] = []
    try {
      await body(added)
    } finally {
      for (const path of added) {
        const res = await target().fetch(path, { method: 'DELETE', headers: { Authorization: admin() } })
        await res.body?.cancel()
      }
    }
  }

  /** The user list, as the admin reads it. */
  const users = async () => (await read('/users')).users as Json[]
  const idOf = async (username: string) => {
    const u = (await users()).find((x) => x.username === username)
    assert.ok(u, `no user ${username}`)
    return String(u.id)
  }

  describe('the third generation: writes and /users are for admins only', () => {
    const seedStream = STREAMS[0]?.id as string
    const seedStreamer = STREAMERS[0]?.id as string
    const requests = (fresh: string): Array<[string, string, unknown?]> => [
      ['POST', '/schedules', newStream(1)],
      ['PUT', `/schedules/${seedStream}`, { title: 'changed by a user who may not' }],
      ['DELETE', `/schedules/${seedStream}`],
      ['POST', '/streamers', newStreamer(1)],
      ['PUT', `/streamers/${seedStreamer}`, { is_retired: true }],
      ['DELETE', `/streamers/${seedStreamer}`],
      ['GET', '/users'],
      ['GET', `/users/${DISABLED_USER_ID}`],
      ['POST', '/users', { username: fresh, password: 'password-of-nobody', admin: true }],
      ['PUT', `/users/${DISABLED_USER_ID}`, { disabled: false, admin: true }],
      ['DELETE', `/users/${DISABLED_USER_ID}`],
    ]
    /** What those requests would touch, as the admin reads it. */
    const snapshot = async () => ({
      schedule: await read(`/schedules/${seedStream}`),
      streamer: await read(`/streamers/${seedStreamer}`),
      users: await users(),
    })

    it('without a token: 401 {"detail": "Not authenticated"} with WWW-Authenticate: Bearer', async () => {
      for (const [method, path, body] of requests(unique('nobody'))) {
        const res = await send(method, path, undefined, body)
        assert.equal(res.headers.get('www-authenticate'), 'Bearer', `${method} ${path}`)
        await expectAnswer(res, 401, { detail: 'Not authenticated' }, `${method} ${path}`)
      }
    })

    it('a user who is not an admin: 403 {"message": "Not allowed"} on every write and on /users, and nothing changes', async () => {
      const before = await snapshot()
      const fresh = unique('nobody')
      const user = bearer(HASHED_USER.username)
      for (const [method, path, body] of requests(fresh)) {
        await expectAnswer(await send(method, path, user, body), 403, NOT_ALLOWED, `${method} ${path}`)
      }
      // Refused before the body is looked at: a body off the schema is 403 too, not 422.
      await expectAnswer(await send('POST', '/schedules', user, { title: 1 }), 403, NOT_ALLOWED, 'a bad body')
      await expectAnswer(await send('POST', '/users', user, {}), 403, NOT_ALLOWED, 'a bad user')
      assert.deepEqual(await snapshot(), before)
      assert.ok(!(await users()).some((u) => u.username === fresh))
      // The same user still reads.
      await answer(await send('GET', `/schedules/${seedStream}`, user), 200, 'a read')
    })

    it('an admin logs in at /token like anyone, and its token writes', async () => {
      const res = await token(ADMIN_USER.username, ADMIN_USER.password)
      const t = ((await answer(res, 200, '/token')) as { access_token: string }).access_token
      await answer(await send('GET', '/users', `Bearer ${t}`), 200, 'GET /users')
    })
  })

  describe('the third generation: POST, PUT, DELETE /schedules (admin)', () => {
    it('adds a stream (201, as stored), reads it, changes only the fields sent, removes it (204), then 404', async () => {
      await cleaningUp(async (added) => {
        const sent = newStream(2)
        const created = (await answer(await send('POST', '/schedules', admin(), sent), 201, 'POST')) as Json
        assert.match(String(created.id), OBJECT_ID)
        const path = `/schedules/${created.id}`
        added.push(path)
        assert.ok(!STREAMS.some((s) => s.id === created.id), 'a new id')
        assert.deepEqual(Object.keys(created), SCHEDULE_KEYS)
        assert.deepEqual(created, storedStream(sent, String(created.id), layout()))
        assert.deepEqual(await read(path), created)
        assert.deepEqual(await read(`/schedules?code=${sent.code}`), { schedules: [created] })

        // Only the title: the dates left out stay as they were (the 2024 service wrote "now" there).
        const renamed = await answer(await send('PUT', path, admin(), { title: 'Renamed' }), 200, 'PUT title')
        assert.deepEqual(renamed, { ...created, title: 'Renamed' })
        assert.deepEqual(await read(path), renamed)
        // A new start: the stored key stays, as every field not sent does.
        const moved = await answer(
          await send('PUT', path, admin(), { streaming_at: '2030-05-02T23:59:59', tags: [] }),
          200,
          'PUT streaming_at',
        )
        assert.deepEqual(moved, {
          ...created,
          title: 'Renamed',
          streaming_at: '2030-05-02T23:59:59',
          tags: [],
        })
        assert.deepEqual(await read(path), moved)
        // Nothing sent: nothing changes.
        await expectAnswer(await send('PUT', path, admin(), {}), 200, moved, 'PUT {}')

        await answer(await send('DELETE', path, admin()), 204, 'DELETE')
        await expectAnswer(await send('GET', path, admin()), 404, missing(String(created.id)), 'GET after')
        await expectAnswer(
          await send('PUT', path, admin(), { title: 'x' }),
          404,
          missing(String(created.id)),
          'PUT after',
        )
        await expectAnswer(
          await send('DELETE', path, admin()),
          404,
          missing(String(created.id)),
          'DELETE after',
        )
        assert.deepEqual(await read(`/schedules?code=${sent.code}`), { schedules: [] })
      })
    })

    it('stores no field the schema does not name, on POST and PUT', async () => {
      await cleaningUp(async (added) => {
        const sent = newStream(3)
        const extra = { ...sent, id: '657a00000000000000000001', _id: 'mine', admin: true, rating: 5 }
        const created = (await answer(await send('POST', '/schedules', admin(), extra), 201, 'POST')) as Json
        added.push(`/schedules/${created.id}`)
        assert.notEqual(created.id, extra.id)
        assert.deepEqual(created, storedStream(sent, String(created.id), layout()))
        const changed = await answer(
          await send('PUT', `/schedules/${created.id}`, admin(), { rating: 4, _id: 'x', description: 'd' }),
          200,
          'PUT',
        )
        assert.deepEqual(changed, { ...created, description: 'd' })
        assert.deepEqual(await read(`/schedules/${created.id}`), changed)
        // The seed's stream whose id was sent is as it was.
        assert.equal((await read(`/schedules/${extra.id}`)).title, STREAMS[0]?.holodule.title)
      })
    })

    it('answers 422 {} for a body off the schema and stores nothing', async () => {
      const seed = STREAMS[0]?.id as string
      const before = await read(`/schedules/${seed}`)
      const { title: _title, ...noTitle } = newStream(4)
      for (const [what, body] of [
        ['a missing field', noTitle],
        ['a wrong type', { ...newStream(4), code: 4 }],
        ['tags not an array', { ...newStream(4), tags: 'contract' }],
        ['an impossible date', { ...newStream(4), streaming_at: '2024-02-30T00:00:00' }],
        ['a date with an offset', { ...newStream(4), streaming_at: '2024-01-10T21:00:00+09:00' }],
        ['an impossible published_at', { ...newStream(4), published_at: '2023-02-29T12:00:00' }],
        ['a JSON array', [newStream(4)]],
      ] as const) {
        await expectAnswer(await send('POST', '/schedules', admin(), body), 422, {}, `POST, ${what}`)
      }
      for (const [what, body] of [
        ['a wrong type', { title: 5 }],
        ['an impossible date', { streaming_at: '2024-02-30T00:00:00' }],
        ['a null where none is allowed', { streaming_at: null }],
      ] as const) {
        await expectAnswer(await send('PUT', `/schedules/${seed}`, admin(), body), 422, {}, `PUT, ${what}`)
      }
      assert.deepEqual(await read(`/schedules/${seed}`), before)
      assert.deepEqual(await read(`/schedules?code=${newStream(4).code}`), { schedules: [] })
    })

    it('answers 404 {"message": "The entity does not exist", "identifier"} for an unknown id', async () => {
      for (const id of UNKNOWN_IDS) {
        await expectAnswer(
          await send('PUT', `/schedules/${id}`, admin(), { title: 'x' }),
          404,
          missing(id),
          id,
        )
        await expectAnswer(await send('DELETE', `/schedules/${id}`, admin()), 404, missing(id), id)
      }
    })
  })

  describe('the third generation: POST, PUT, DELETE /streamers (admin)', () => {
    it('adds a member (201, as stored), reads it, changes only the fields sent, removes it (204), then 404', async () => {
      await cleaningUp(async (added) => {
        const sent = newStreamer(2)
        const created = (await answer(await send('POST', '/streamers', admin(), sent), 201, 'POST')) as Json
        assert.match(String(created.id), OBJECT_ID)
        const path = `/streamers/${created.id}`
        added.push(path)
        assert.deepEqual(Object.keys(created), STREAMER_KEYS)
        assert.deepEqual(created, { id: created.id, ...sent })
        assert.deepEqual(await read(path), created)
        assert.deepEqual(await read(`/streamers?group=${sent.group}`), { streamers: [created] })

        const retired = await answer(await send('PUT', path, admin(), { is_retired: true }), 200, 'PUT')
        assert.deepEqual(retired, { ...created, is_retired: true })
        assert.deepEqual(await read(path), retired)
        const moved = await answer(
          await send('PUT', path, admin(), { affiliations: [], group: 'contract_other' }),
          200,
          'PUT group',
        )
        assert.deepEqual(moved, { ...created, is_retired: true, affiliations: [], group: 'contract_other' })
        assert.deepEqual(await read(path), moved)

        await answer(await send('DELETE', path, admin()), 204, 'DELETE')
        await expectAnswer(await send('GET', path, admin()), 404, missing(String(created.id)), 'GET after')
        await expectAnswer(
          await send('PUT', path, admin(), { name: 'x' }),
          404,
          missing(String(created.id)),
          'PUT after',
        )
        await expectAnswer(
          await send('DELETE', path, admin()),
          404,
          missing(String(created.id)),
          'DELETE after',
        )
      })
    })

    it('fills what is left out with the defaults and stores no field the schema does not name', async () => {
      await cleaningUp(async (added) => {
        const sent = { code: 'ZZ9803', name: 'Contract member 3', group: 'contract_group', debut: '2030' }
        const created = (await answer(await send('POST', '/streamers', admin(), sent), 201, 'POST')) as Json
        added.push(`/streamers/${created.id}`)
        assert.deepEqual(created, {
          id: created.id,
          code: sent.code,
          name: sent.name,
          group: sent.group,
          affiliations: [],
          image_name: '',
          channel_id: '',
          is_retired: false,
        })
        assert.deepEqual(await read(`/streamers/${created.id}`), created)
        const changed = await answer(
          await send('PUT', `/streamers/${created.id}`, admin(), { debut: '2031', image_name: 'x.png' }),
          200,
          'PUT',
        )
        assert.deepEqual(changed, { ...created, image_name: 'x.png' })
      })
    })

    it('answers 422 {} for a body off the schema and stores nothing', async () => {
      const seed = STREAMERS[0]?.id as string
      const before = await read(`/streamers/${seed}`)
      const { group: _group, ...noGroup } = newStreamer(4)
      for (const [what, body] of [
        ['a missing field', noGroup],
        ['a wrong type', { ...newStreamer(4), is_retired: 'False' }],
        ['affiliations as text', { ...newStreamer(4), affiliations: "['gen0', 'jp']" }],
        ['an empty code', { ...newStreamer(4), code: '' }],
      ] as const) {
        await expectAnswer(await send('POST', '/streamers', admin(), body), 422, {}, `POST, ${what}`)
      }
      for (const [what, body] of [
        ['a wrong type', { is_retired: 'yes' }],
        ['a null', { name: null }],
      ] as const) {
        await expectAnswer(await send('PUT', `/streamers/${seed}`, admin(), body), 422, {}, `PUT, ${what}`)
      }
      assert.deepEqual(await read(`/streamers/${seed}`), before)
      assert.deepEqual(await read(`/streamers?group=${newStreamer(4).group}`), { streamers: [] })
    })

    it('answers 404 {"message": "The entity does not exist", "identifier"} for an unknown id', async () => {
      for (const id of UNKNOWN_IDS) {
        await expectAnswer(
          await send('PUT', `/streamers/${id}`, admin(), { name: 'x' }),
          404,
          missing(id),
          id,
        )
        await expectAnswer(await send('DELETE', `/streamers/${id}`, admin()), 404, missing(id), id)
      }
    })
  })

  describe('the third generation: /users (admin)', () => {
    it('lists every user by username, never a password nor a hash', async () => {
      const res = await send('GET', '/users', admin())
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
      const text = await res.text()
      assert.doesNotMatch(text, /password|\$pbkdf2|\$2[aby]\$|pbkdf2/i)
      for (const plain of [LEGACY_USER.password, LEGACY_USER_2.password]) assert.ok(!text.includes(plain))
      const body = JSON.parse(text) as { users: Json[] }
      assert.deepEqual(Object.keys(body), ['users'])
      assert.deepEqual(
        body.users.map((u) => u.username),
        SEED_USERNAMES,
      )
      for (const u of body.users) {
        assert.deepEqual(Object.keys(u), USER_KEYS, String(u.username))
        assert.equal(typeof u.id, 'string')
        assert.ok((u.id as string).length > 0)
        assert.equal(u.firstname, null)
        assert.equal(u.lastname, null)
        assert.equal(u.disabled, u.username === DISABLED_USER.username, String(u.username))
        assert.equal(u.admin, u.username === ADMIN_USER.username, String(u.username))
      }
      assert.equal(new Set(body.users.map((u) => u.id)).size, body.users.length, 'ids are unique')
      const disabled = body.users.find((u) => u.username === DISABLED_USER.username)
      assert.equal(disabled?.id, DISABLED_USER_ID)
      // One by id: the same record.
      for (const u of body.users.filter((x) => x.admin || x.disabled)) {
        assert.deepEqual(await read(`/users/${u.id}`), u)
      }
      for (const id of UNKNOWN_IDS) {
        await expectAnswer(await send('GET', `/users/${id}`, admin()), 404, missing(id), id)
      }
    })

    it('adds a user who then logs in at /token (and is no admin); a taken name is 409; removes it', async () => {
      await cleaningUp(async (added) => {
        const username = unique('contract')
        const password = 'the new user password'
        const res = await send('POST', '/users', admin(), {
          username,
          password,
          firstname: 'Ada',
          plan: 'pro',
        })
        const created = (await answer(res, 201, 'POST /users')) as Json
        added.push(`/users/${created.id}`)
        assert.deepEqual(created, {
          id: created.id,
          username,
          firstname: 'Ada',
          lastname: null,
          disabled: false,
          admin: false,
        })
        assert.deepEqual(await read(`/users/${created.id}`), created)
        assert.deepEqual(
          (await users()).map((u) => u.username),
          [...SEED_USERNAMES, username].sort(),
        )
        const stored = await target().storedPassword?.(username)
        if (target().storedPassword) assert.match(stored ?? '', /^\$pbkdf2-sha256\$/)

        const login = await token(username, password)
        const t = ((await answer(login, 200, '/token')) as { access_token: string }).access_token
        await answer(
          await send('GET', '/schedules?sdate=2020-12-09&edate=2020-12-09', `Bearer ${t}`),
          200,
          'read',
        )
        await expectAnswer(await send('GET', '/users', `Bearer ${t}`), 403, NOT_ALLOWED, 'not an admin')

        for (const name of [username, HASHED_USER.username, ADMIN_USER.username]) {
          await expectAnswer(
            await send('POST', '/users', admin(), { username: name, password: 'another password' }),
            409,
            { message: 'The entity already exists', identifier: name },
            name,
          )
        }
        // The 409s changed nobody's password.
        assert.equal((await token(username, password)).status, 200)

        await answer(await send('DELETE', `/users/${created.id}`, admin()), 204, 'DELETE')
        await expectAnswer(
          await send('GET', `/users/${created.id}`, admin()),
          404,
          missing(String(created.id)),
          'gone',
        )
        await expectAnswer(
          await send('DELETE', `/users/${created.id}`, admin()),
          404,
          missing(String(created.id)),
          'DELETE again',
        )
        assert.deepEqual(
          (await users()).map((u) => u.username),
          SEED_USERNAMES,
        )
      })
    })

    it("changes only the fields sent; a new password refuses the user's older tokens and logs in", async () => {
      await cleaningUp(async (added) => {
        const username = unique('contract')
        const [oldPassword, newPassword] = ['the first password', 'the second password']
        const res = await send('POST', '/users', admin(), { username, password: oldPassword })
        const created = (await answer(res, 201, 'POST /users')) as Json
        const path = `/users/${created.id}`
        added.push(path)

        const older = (
          (await answer(await token(username, oldPassword), 200, '/token')) as { access_token: string }
        ).access_token
        await answer(await send('GET', '/schedules', `Bearer ${older}`), 200, 'the older token, before')

        const named = await answer(
          await send('PUT', path, admin(), { lastname: 'Lovelace' }),
          200,
          'PUT name',
        )
        assert.deepEqual(named, { ...created, lastname: 'Lovelace' })
        // The change must fall in a later second than the token's iat (tokens of that second stand).
        const iat = decodePart(older, 1).iat as number
        while (nowSeconds() <= iat) await sleep(50)
        const changed = await answer(
          await send('PUT', path, admin(), { password: newPassword }),
          200,
          'PUT password',
        )
        assert.deepEqual(changed, named)
        if (target().storedPassword)
          assert.match((await target().storedPassword?.(username)) ?? '', /^\$pbkdf2/)

        // Refused once the user behind a verified token is looked up again (USER_CACHE_TTL).
        const deadline = Date.now() + (DEFAULT_USER_CACHE_TTL + 3) * 1000
        for (;;) {
          const again = await send('GET', '/schedules', `Bearer ${older}`)
          if (again.status === 401) {
            assert.equal(again.headers.get('www-authenticate'), 'Bearer')
            assert.deepEqual(await readJson(again), { message: 'Could not validate credentials' })
            break
          }
          assert.equal(again.status, 200)
          await again.body?.cancel()
          assert.ok(Date.now() < deadline, 'the older token is still accepted')
          await sleep(250)
        }
        assert.equal((await token(username, oldPassword)).status, 401)
        const newer = (
          (await answer(await token(username, newPassword), 200, '/token')) as { access_token: string }
        ).access_token
        await answer(await send('GET', '/schedules', `Bearer ${newer}`), 200, 'the newer token')

        // An admin flag given and taken back; the name stays as it was set.
        const promoted = await answer(await send('PUT', path, admin(), { admin: true }), 200, 'PUT admin')
        assert.deepEqual(promoted, { ...named, admin: true })
        assert.deepEqual(
          await answer(await send('PUT', path, admin(), { admin: false }), 200, 'PUT back'),
          named,
        )
      })
    })

    it('answers 422 {} for a body off the schema, 404 for an unknown id, and changes nothing', async () => {
      const before = await users()
      const fresh = unique('contract')
      for (const [what, body] of [
        ['a missing password', { username: fresh }],
        ['a missing username', { password: 'x' }],
        ['an empty username', { username: '', password: 'x' }],
        ['a wrong type', { username: fresh, password: 'x', admin: 'yes' }],
        ['a password that is not a string', { username: fresh, password: 12345678 }],
      ] as const) {
        await expectAnswer(await send('POST', '/users', admin(), body), 422, {}, `POST, ${what}`)
      }
      for (const [what, body] of [
        ['a wrong type', { firstname: 5 }],
        ['an empty password', { password: '' }],
        ['a flag as text', { disabled: 'False' }],
      ] as const) {
        await expectAnswer(
          await send('PUT', `/users/${DISABLED_USER_ID}`, admin(), body),
          422,
          {},
          `PUT, ${what}`,
        )
      }
      for (const id of UNKNOWN_IDS) {
        await expectAnswer(
          await send('PUT', `/users/${id}`, admin(), { firstname: 'x' }),
          404,
          missing(id),
          id,
        )
        await expectAnswer(await send('DELETE', `/users/${id}`, admin()), 404, missing(id), id)
      }
      assert.deepEqual(await users(), before)
      assert.ok(!(await users()).some((u) => u.username === fresh))
      assert.equal(await idOf(DISABLED_USER.username), DISABLED_USER_ID)
    })
  })

  describe('the third generation: the writes leave the data as they found it', () => {
    it('holds the fixture’s streams, members and users, and nothing else', async () => {
      const schedules = (await read('/schedules')).schedules as Json[]
      assert.deepEqual(schedules.map((s) => s.id).sort(), STREAMS.map((s) => s.id).sort())
      const streamers = (await read('/streamers')).streamers as Json[]
      assert.deepEqual(streamers.map((s) => s.id).sort(), STREAMERS.map((s) => s.id).sort())
      assert.deepEqual(
        (await users()).map((u) => u.username),
        SEED_USERNAMES,
      )
    })
  })
}
