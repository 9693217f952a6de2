import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { runWrk, wrkBinary } from '../../bench/lib/wrk.js'

/**
 * bench/lib/wrk.ts against a real node:http server: what wrk sends is what the spec says (method,
 * headers with awkward bytes, body, cycling paths), and every status is counted, not only wrk's
 * own >= 400 errors, so a scenario with a wrong answer under load fails.
 */
describe('the bench load through wrk', () => {
  const seen: Array<{ method: string; url: string; auth: string; body: string }> = []
  const server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      body += c
    })
    req.on('end', () => {
      if (seen.length < 1000)
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          auth: req.headers.authorization ?? '',
          body,
        })
      // Every third path is "wrong": 304 is not an error to wrk, 500 is.
      const status = req.url === '/c' ? 304 : req.url === '/b' ? 500 : 200
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 304 ? undefined : 'ok')
    })
  })
  let url = ''
  const wrk = wrkBinary()

  before(async () => {
    assert.ok(wrk, 'wrk is not installed: apt-get install wrk (bash scripts/test-deps.sh does it as root)')
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('sends the spec as written and counts every status', async () => {
    // A quote and a backslash before digits, as in an ETag: Lua's decimal escapes must not run on.
    const header = 'JWT a"3b\\1c é'
    const result = await runWrk(wrk as string, {
      url: `${url}/a`,
      // One connection: the server sees the paths in the order request() hands them out.
      connections: 1,
      duration: 0.6,
      method: 'POST',
      headers: { Authorization: header, 'Content-Type': 'application/json' },
      body: '{"username":"ü"}',
      paths: ['/a', '/b', '/c'],
    })
    assert.equal(result.tool, 'wrk')
    assert.ok(result.requests > 30, `only ${result.requests} requests`)
    // A fractional duration ends by SIGINT, and wrk still reports.
    assert.ok(result.duration > 0.4 && result.duration < 1.5, `ran ${result.duration} s`)
    const statuses = Object.keys(result.statuses).sort()
    assert.deepEqual(statuses, ['200', '304', '500'])
    const counted = Object.values(result.statuses).reduce((a, b) => a + b, 0)
    assert.equal(counted, result.requests)
    assert.ok(result.p50 > 0 && result.p99 >= result.p50 && result.max >= result.p99)
    const first = seen[0]
    assert.ok(first)
    assert.equal(first.method, 'POST')
    assert.equal(Buffer.from(first.auth, 'latin1').toString('utf8'), header)
    assert.equal(first.body, '{"username":"ü"}')
    // In turn (wrk calls request() once before the run to check it, so the cycle starts one on).
    const next = { '/a': '/b', '/b': '/c', '/c': '/a' } as Record<string, string>
    for (let i = 1; i < Math.min(seen.length, 30); i++)
      assert.equal(seen[i]?.url, next[seen[i - 1]?.url ?? ''], `request ${i}`)
  })

  it('sends one prebuilt request when no paths cycle', async () => {
    seen.length = 0
    const result = await runWrk(wrk as string, { url: `${url}/a`, connections: 1, duration: 1 })
    assert.deepEqual(Object.keys(result.statuses), ['200'])
    assert.ok(seen.every((s) => s.method === 'GET' && s.url === '/a' && s.auth === ''))
  })
})
