import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createClient, type Fetch } from '#src/client/client.js'
import { InvalidCredentialsError, TokenError, UnexpectedResponseError } from '#src/client/errors.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { testApp, testClock } from '../../support/app.js'

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
