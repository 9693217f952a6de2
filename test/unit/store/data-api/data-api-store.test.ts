import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { freePort } from '#harness/ferretdb.js'
import { DataApiConfigError } from '#src/store/data-api/client.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { testApp } from '../../../support/app.js'

const KEY = 'the-secret-api-key-never-logged-0123'

interface Seen {
  path: string
  headers: IncomingMessage['headers']
  body: Record<string, unknown>
}

/** A scripted stand-in for the gateway over real HTTP, to drive every failure the store must map. */
const scriptedGateway = async (respond: (seen: Seen, res: ServerResponse) => void) => {
  const seen: Seen[] = []
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (d) => {
      raw += d
    })
    req.on('end', () => {
      const s = { path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {} }
      seen.push(s)
      respond(s, res)
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${port}/app/data/v1`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

describe('DataApiStore request shape and error mapping', () => {
  let reply: (s: Seen, res: ServerResponse) => void = () => {}
  let gw: Awaited<ReturnType<typeof scriptedGateway>>
  // Generous by default: two test files share two cores. The timeout case passes its own.
  const store = (timeoutMs = 5000) =>
    new DataApiStore({
      url: `${gw.url}/`,
      apiKey: KEY,
      dataSource: 'mongodb-atlas',
      database: 'holoduledb',
      timeoutMs,
    })

  before(async () => {
    gw = await scriptedGateway((s, res) => reply(s, res))
  })
  after(async () => {
    await gw.close()
  })

  it('sends the Data API v1 request: action path, api-key header, body fields', async () => {
    reply = (_s, res) => json(res, 200, { documents: [{ key: 'K', datetime: '20201209 230000' }] })
    const rows = await store().findHolodulesByDate('20201231')
    assert.equal(rows[0]?.key, 'K')
    const last = gw.seen.at(-1) as Seen
    assert.equal(last.path, '/app/data/v1/action/find')
    assert.equal(last.headers['api-key'], KEY)
    assert.equal(last.headers['content-type'], 'application/json')
    assert.deepEqual(last.body.filter, { datetime: { $gte: '20201231', $lt: '20210101' } })
    assert.deepEqual(last.body.sort, { datetime: -1, key: -1 })
    assert.equal((last.body.projection as Record<string, number>)._id, 0)
    assert.equal(last.body.dataSource, 'mongodb-atlas')
    assert.equal(last.body.database, 'holoduledb')
    assert.equal(last.body.collection, 'holodules')
  })

  it('swaps a legacy password with updateOne filtered on the expected value', async () => {
    reply = (_s, res) => json(res, 200, { matchedCount: 1, modifiedCount: 1 })
    assert.equal(await store().updatePasswordHash('user02', 'password02', '$pbkdf2-sha256$x'), true)
    const last = gw.seen.at(-1) as Seen
    assert.equal(last.path, '/app/data/v1/action/updateOne')
    assert.deepEqual(last.body.filter, { username: 'user02', password: 'password02' })
    assert.deepEqual(last.body.update, { $set: { password: '$pbkdf2-sha256$x' } })
    reply = (_s, res) => json(res, 200, { matchedCount: 0, modifiedCount: 0 })
    assert.equal(await store().updatePasswordHash('user02', 'password02', '$pbkdf2-sha256$x'), false)
  })

  it('turns a gateway 5xx into StoreUnavailableError', async () => {
    reply = (_s, res) => json(res, 503, { error: 'database unavailable', error_code: 'ServiceUnavailable' })
    await assert.rejects(store().findUserByUsername('user01'), StoreUnavailableError)
    reply = (_s, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' })
      res.end('<html>bad gateway</html>')
    }
    await assert.rejects(store().findUserByUsername('user01'), StoreUnavailableError)
  })

  it('turns a gateway that does not answer into StoreUnavailableError within the timeout', async () => {
    reply = () => {}
    const start = Date.now()
    await assert.rejects(store(300).findUserByUsername('user01'), (e: Error) => {
      assert.ok(e instanceof StoreUnavailableError)
      assert.match(e.message, /timed out/)
      return true
    })
    assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`)
  })

  it('turns a refused connection into StoreUnavailableError', async () => {
    const dead = new DataApiStore({
      url: `http://127.0.0.1:${await freePort()}/app/data/v1`,
      apiKey: KEY,
      dataSource: 'x',
      database: 'holoduledb',
    })
    await assert.rejects(dead.ping(), StoreUnavailableError)
  })

  it('turns 401 and 403 into a configuration error that says what to mend and never shows the key', async () => {
    for (const status of [401, 403]) {
      reply = (_s, res) => json(res, status, { error: 'invalid api key', error_code: 'InvalidSession' })
      const error = await store()
        .findUserByUsername('user01')
        .then(
          () => null,
          (e: unknown) => e,
        )
      assert.ok(error instanceof DataApiConfigError && error.misconfigured)
      assert.match(error.message, new RegExp(`HTTP ${status}.*check DATA_API_KEY`))
      assert.ok(!error.message.includes(KEY))
    }
  })

  it('makes the app answer 503 when the gateway is down or refuses the key, with one error line for the key', async () => {
    const { app, lines: appLines } = testApp({ store: store(), logLevel: 'debug' })
    const login = () =>
      app.request('/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'user01', password: 'password01' }),
      })
    reply = (_s, res) => json(res, 503, { error: 'down', error_code: 'ServiceUnavailable' })
    const down = await login()
    assert.equal(down.status, 503)
    assert.deepEqual(await down.json(), { error: 'Service Unavailable' })
    reply = (_s, res) => json(res, 401, { error: 'invalid api key', error_code: 'InvalidSession' })
    appLines.length = 0
    const refused = await login()
    assert.equal(refused.status, 503)
    const text = await refused.text()
    assert.deepEqual(JSON.parse(text), { error: 'Service Unavailable' })
    const errors = appLines.filter((l) => l.includes('"level":"error"'))
    assert.equal(errors.length, 1)
    assert.match(errors[0] as string, /database refused our credentials.*check DATA_API_KEY/)
    assert.ok(!text.includes(KEY))
    assert.ok(!appLines.join('\n').includes(KEY))
  })
})
