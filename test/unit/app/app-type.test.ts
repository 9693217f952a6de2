import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hc } from 'hono/client'
import { type AppType, createApp } from '#src/app/create-app.js'
import { parseConfig } from '#src/config/config.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'

/**
 * The app's type carries every route: `hc<AppType>` knows the paths, the date parameter and the
 * JSON bodies. tsc checks the typed reads below; the runs check they match what is on the wire.
 */
describe('hc<AppType>', () => {
  const parsed = parseConfig({ JWT_SECRET_KEY: 'unit-secret-0123456789-abcdefghijklmnop' })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  const app = createApp({ config: parsed.config.app, store: new MemoryStore() })
  const client = hc<AppType>('http://api.test', {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init),
  })

  it('types the login answers and the Flask-JWT 401', async () => {
    const res = await client.auth.$post({ json: { username: 'nobody', password: 'x' } })
    assert.equal(res.status, 401)
    if (res.status === 401) {
      const body = await res.json()
      const description: string = body.description
      assert.equal(description, 'Invalid credentials')
    }
  })

  it('knows /holodules/:date and its 401 body without a token', async () => {
    const res = await client.holodules[':date'].$get({ param: { date: '20201209' } })
    // The middleware's 401 is not in the route's type; the handler's answers are.
    assert.equal(res.status as number, 401)
    if (res.status === 200) {
      // The first generation's object, or the second's array (a Bearer client).
      const body = await res.json()
      const count: number = Array.isArray(body) ? body.length : body.result
      assert.ok(count >= 0)
    }
  })
})
