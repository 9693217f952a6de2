import assert from 'node:assert/strict'
import { createServer, type ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { freePort } from '#harness/ferretdb.js'
import { HASHED_USER } from '#harness/fixtures.js'
import { curlFetch, type RunningTarget, WORKER_FLAGS, wranglerDev } from '#harness/runtimes.js'

const KEY = 'worker-failures-key-0123456789abcdefghijklm'

/**
 * The Worker in workerd against a gateway that misbehaves on cue: refuses the key, never answers,
 * or is gone. What a client sees must stay inside the contract, and the key must never leak.
 */
describe('the Worker when the Data API gateway fails', () => {
  let mode: 'refuse' | 'hang' = 'refuse'
  const hanging: ServerResponse[] = []
  const seenIds: Array<string | undefined> = []
  const gateway = createServer((req, res) => {
    req.resume()
    seenIds.push(req.headers['x-request-id'] as string | undefined)
    if (mode === 'refuse') {
      res.writeHead(401, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: 'invalid API key', error_code: 'InvalidSession' }))
    } else hanging.push(res)
  })
  let worker: RunningTarget

  before(async () => {
    const port = await freePort()
    await new Promise<void>((r) => gateway.listen(port, '127.0.0.1', r))
    worker = await wranglerDev('worker', 'src/entry/worker.ts', WORKER_FLAGS, 'holoduledb', {
      DATA_API_URL: `http://127.0.0.1:${port}`,
      DATA_API_KEY: KEY,
      DATA_API_TIMEOUT_MS: '1000',
    })
  })

  after(async () => {
    await worker?.stop()
    for (const res of hanging) res.destroy()
    gateway.closeAllConnections()
    await new Promise((r) => gateway.close(r))
  })

  const login = () =>
    curlFetch(`${worker.baseUrl}/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })

  it('answers 503 when the gateway refuses the key, and logs one error line that says so, without the key or a stack', async () => {
    mode = 'refuse'
    const res = await login()
    assert.equal(res.status, 503)
    const text = await res.text()
    assert.deepEqual(JSON.parse(text), { error: 'Service Unavailable' })
    assert.ok(!text.includes(KEY))
    // workerd's console reaches wrangler's output asynchronously.
    const deadline = Date.now() + 5000
    while (!worker.output().includes('DATA_API_KEY') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.match(
      worker.output(),
      /Data API rejected the API key \(HTTP 401[^)]*\): check DATA_API_KEY/,
      worker.output(),
    )
    assert.match(worker.output(), /"level":"error","msg":"database refused our credentials"/)
    assert.ok(!/\n\s+at /.test(worker.output()), 'a stack trace reached the log')
    assert.ok(!worker.output().includes(KEY), 'the key reached the log')
  })

  it("sends each request's id to the gateway: the client's, or the one it answers with", async () => {
    mode = 'refuse'
    seenIds.length = 0
    const traced = await curlFetch(`${worker.baseUrl}/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'trace-worker-1' },
      body: JSON.stringify(HASHED_USER),
    })
    assert.equal(traced.headers.get('x-request-id'), 'trace-worker-1')
    // A refused lookup answers 503 at once while its sibling lookups (the login counters are read
    // together) may still reach the gateway: let them land before the next request is traced.
    await new Promise((r) => setTimeout(r, 500))
    assert.ok(seenIds.length > 0 && seenIds.every((id) => id === 'trace-worker-1'), JSON.stringify(seenIds))
    seenIds.length = 0
    const untraced = await login()
    const id = untraced.headers.get('x-request-id')
    assert.match(id ?? '', /^[0-9a-f-]{36}$/)
    assert.ok(seenIds.length > 0 && seenIds.every((s) => s === id), JSON.stringify({ id, seenIds }))
  })

  it('answers 503 within the configured timeout when the gateway does not answer', async () => {
    mode = 'hang'
    for (const path of ['/readyz', '/auth']) {
      const start = Date.now()
      const res = path === '/auth' ? await login() : await curlFetch(`${worker.baseUrl}${path}`)
      const ms = Date.now() - start
      assert.equal(res.status, 503, path)
      assert.deepEqual(await res.json(), { error: 'Service Unavailable' })
      // /auth waits for the gateway's configured timeout (1 s); /readyz waits at most 500 ms on the
      // ping in flight, then says the database is not ready (it reflects an outage within a second).
      const least = path === '/readyz' ? 400 : 900
      assert.ok(ms >= least && ms < 4000, `${path} answered after ${ms} ms`)
    }
  })

  it('answers 503 at once when nothing listens at the gateway address', async () => {
    for (const res of hanging.splice(0)) res.destroy()
    gateway.closeAllConnections()
    await new Promise((r) => gateway.close(r))
    const start = Date.now()
    const res = await curlFetch(`${worker.baseUrl}/readyz`)
    assert.equal(res.status, 503)
    assert.ok(Date.now() - start < 3000, `took ${Date.now() - start} ms`)
  })
})
