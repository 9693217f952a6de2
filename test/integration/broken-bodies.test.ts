import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ProcessRuntime } from '#harness/server-process.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'
import { rawExchange } from '../support/raw-socket.js'

const TOKEN = 'metrics-scrape-token-0123456789'

const counter = async (base: string, line: RegExp) => {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  ).text()
  const found = text.split('\n').find((l) => line.test(l))
  return found === undefined ? 0 : Number(found.split(' ').at(-1))
}

const POST_AUTH = 'POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'

/**
 * A client that sends a broken body (a bad chunk size) or leaves mid-body makes a client error: the
 * runtime's 400 when an answer is still possible, and in the app no stack trace, no 500 and no
 * holodule_internal_errors_total (issue 19, item 6: before the fix each such request logged
 * "unhandled error" with a stack and counted a 500 and an internal error, on Node and Bun).
 */
for (const runtime of ['node', 'bun'] as const satisfies ProcessRuntime[]) {
  describe(`${runtime}: broken request bodies are the client's errors`, () => {
    let server: EntryProcess
    let port: number
    before(async () => {
      // The embedded store: no database is needed to read a body.
      server = await startEntry(runtime, { LOG_LEVEL: 'info', METRICS: 'on', METRICS_TOKEN: TOKEN })
      port = Number(new URL(server.baseUrl).port)
    })
    after(async () => {
      await server?.stop(500)
    })

    it('a bad chunk size, a chunked body cut off, a Content-Length body cut off', async () => {
      // The header arrives first, so the app is reading the body when the framing breaks.
      const badChunk = await rawExchange(port, `${POST_AUTH}Transfer-Encoding: chunked\r\n\r\n`, {
        rest: '5\r\n{"use\r\nzz\r\n{}\r\n0\r\n\r\n',
      })
      assert.match(badChunk, /^HTTP\/1\.1 400 /)
      await rawExchange(port, `${POST_AUTH}Transfer-Encoding: chunked\r\n\r\n5\r\n{"use\r\n`, {
        destroyAfterMs: 300,
      })
      await rawExchange(port, `${POST_AUTH}Content-Length: 100\r\n\r\n{"username":`, { destroyAfterMs: 300 })
      // The access lines are written once the app has answered (to nobody).
      const deadline = Date.now() + 5000
      const lines = () =>
        server
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      while (
        lines().filter((l) => l.msg === 'request' && l.path === '/auth').length < 3 &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 50))
      const auth = lines().filter((l) => l.msg === 'request' && l.path === '/auth')
      assert.equal(auth.length, 3, server.output())
      assert.ok(
        auth.every((l) => l.status !== 500),
        server.output(),
      )
      // The peer as it connected: read after the client left, Node's socket no longer knows it and
      // Bun's requestIP() is null, and such requests were logged (and throttled) as `unknown`.
      assert.ok(
        auth.every((l) => l.address === '127.0.0.1'),
        server.output(),
      )
      assert.ok(!lines().some((l) => l.level === 'error' || 'stack' in l), server.output())
      assert.equal(await counter(server.baseUrl, /^holodule_internal_errors_total /), 0)
      assert.equal(await counter(server.baseUrl, /^holodule_http_requests_total\{.*status="500"/), 0)
    })
  })
}
