import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { ProcessRuntime } from '#harness/server-process.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'
import { rawExchange } from '../support/raw-socket.js'

/** A GET on `agent` (or a fresh connection from `localAddress`): status, Connection header, or the error's code. */
const get = (
  base: string,
  path: string,
  options: { agent?: Agent; localAddress?: string } = {},
): Promise<{ status: number; connection?: string } | { error: string }> =>
  new Promise((resolve) => {
    const url = new URL(path, base)
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: options.agent ?? false,
        localAddress: options.localAddress,
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }))
      },
    )
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.end()
  })

for (const runtime of ['node', 'bun'] as const satisfies ProcessRuntime[]) {
  describe(`${runtime}: SIGTERM under keep-alive loses no request`, () => {
    let server: EntryProcess
    before(async () => {
      // The embedded store: no database is needed; a grace long enough for the requests below.
      server = await startEntry(runtime, { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000' })
    })
    after(async () => {
      await server?.stop(500)
    })

    it('idle keep-alive connections are answered with Connection: close, /readyz turns 503, then exit 0', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 6 })
      try {
        // Six keep-alive connections, idle once answered (nginx's upstream pool between requests).
        const warm = await Promise.all(
          Array.from({ length: 6 }, () => get(server.baseUrl, '/healthz', { agent })),
        )
        assert.ok(
          warm.every((r) => 'status' in r && r.status === 200),
          JSON.stringify(warm),
        )
        assert.equal(Object.values(agent.freeSockets).flat().length, 6)
        const exited = server.signal('SIGTERM')
        // Let the signal land; before the fix every idle connection was closed at once here.
        await new Promise((r) => setTimeout(r, 500))
        const next = await Promise.all(
          Array.from({ length: 6 }, () => get(server.baseUrl, '/healthz', { agent })),
        )
        assert.deepEqual(
          next,
          Array.from({ length: 6 }, () => ({ status: 200, connection: 'close' })),
          'each idle connection answers its next request, and says it closes (no ECONNRESET)',
        )
        // A client still arriving in the grace is answered too; readiness already says no.
        assert.deepEqual(await get(server.baseUrl, '/readyz', { agent }), {
          status: 503,
          connection: 'close',
        })
        assert.deepEqual(await get(server.baseUrl, '/healthz', { agent }), {
          status: 200,
          connection: 'close',
        })
        assert.equal(await exited, 0, server.output().slice(-2000))
      } finally {
        agent.destroy()
      }
    })
  })
}

const statusOf = (r: Awaited<ReturnType<typeof get>>) => ('status' in r ? r.status : r.error)

/** Opens `n` connections from 127.0.0.1 that send nothing; each records whether the server closed it. */
const silentConnections = async (port: number, n: number) => {
  const sockets: Array<{ socket: Socket; closed: boolean; got: string }> = []
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve) => {
          const entry = { socket: connect(port, '127.0.0.1'), closed: false, got: '' }
          entry.socket.on('data', (d) => {
            entry.got += d.toString()
          })
          entry.socket.on('error', () => {})
          entry.socket.on('close', () => {
            entry.closed = true
          })
          entry.socket.once('connect', () => resolve())
          entry.socket.once('error', () => resolve())
          sockets.push(entry)
        }),
    ),
  )
  return sockets
}

describe('node: one address cannot hold the server with connections that never send their headers', () => {
  let server: EntryProcess
  before(async () => {
    server = await startEntry('node', {
      LOG_LEVEL: 'warn',
      MAX_CONNECTIONS: '24',
      MAX_CONNECTIONS_PER_ADDRESS: '8',
    })
  })
  after(async () => {
    await server?.stop(500)
  })

  it('past MAX_CONNECTIONS_PER_ADDRESS a connection is refused at once; another address is answered', async () => {
    const port = Number(new URL(server.baseUrl).port)
    // More than MAX_CONNECTIONS from one address: before the fix they filled it, and a client from
    // any other address was refused (Node drops connections past maxConnections) until the
    // headers timeout reaped them.
    const flood = await silentConnections(port, 40)
    try {
      assert.equal(statusOf(await get(server.baseUrl, '/healthz', { localAddress: '127.0.0.2' })), 200)
      // Those past the cap are answered 503 and closed; the first 8 are still open.
      const deadline = Date.now() + 5000
      while (flood.filter((s) => s.closed).length < 32 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      assert.equal(flood.filter((s) => s.closed).length, 32)
      assert.ok(flood.filter((s) => s.closed).every((s) => s.got === '' || /^HTTP\/1\.1 503 /.test(s.got)))
      assert.ok(flood.some((s) => /^HTTP\/1\.1 503 [\s\S]*\r\nconnection: close\r\n/i.test(s.got)))
      // The capped address itself is refused while it holds 8, answered once it lets go.
      assert.notEqual(statusOf(await get(server.baseUrl, '/healthz')), 200)
    } finally {
      for (const s of flood) s.socket.destroy()
    }
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(statusOf(await get(server.baseUrl, '/healthz')), 200)
  })
})

/** POST /auth with `body` on a fresh socket written as fast as it takes it; all that was read. */
const rawPost = (port: number, head: string, body: Buffer | string) =>
  rawExchange(port, head, { end: body, giveUpMs: 8000 })

describe('node: a proxy TRUST_PROXY trusts is not held to MAX_CONNECTIONS_PER_ADDRESS', () => {
  it('nginx (127.0.0.1 here) keeps every connection it opens', async () => {
    const server = await startEntry('node', {
      LOG_LEVEL: 'warn',
      MAX_CONNECTIONS_PER_ADDRESS: '4',
      TRUST_PROXY: '127.0.0.1',
    })
    const flood = await silentConnections(Number(new URL(server.baseUrl).port), 12)
    try {
      assert.equal(statusOf(await get(server.baseUrl, '/healthz')), 200)
      await new Promise((r) => setTimeout(r, 300))
      assert.equal(flood.filter((s) => s.closed).length, 0)
    } finally {
      for (const s of flood) s.socket.destroy()
      await server.stop(500)
    }
  })
})

describe('bun: bodies over the limit and pipelined logins', () => {
  let server: EntryProcess
  let port: number
  before(async () => {
    server = await startEntry('bun', { LOG_LEVEL: 'info' })
    port = Number(new URL(server.baseUrl).port)
  })
  after(async () => {
    await server?.stop(500)
  })

  it('a 2 MB POST /auth reads its 413 every time (10 of 10)', async () => {
    // Before the fix Bun closed the connection while the client was still writing, the kernel
    // reset it, and the 413 was lost about one run in three (EPIPE).
    const big = Buffer.alloc(2 * 1024 * 1024, 'a')
    const head = `POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`
    const answers: string[] = []
    for (let i = 0; i < 10; i++) answers.push(await rawPost(port, head, big))
    const read = answers.filter((a) => /^HTTP\/1\.1 413 [\s\S]*\r\nconnection: close\r\n/i.test(a))
    assert.equal(read.length, 10, answers.map((a) => JSON.stringify(a.slice(0, 40))).join('\n'))
  })

  it('a login pipelined behind another is never checked under the address `unknown`', async () => {
    const body = JSON.stringify({ username: 'pipelined-probe', password: 'wrong' })
    const one = `POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    // Bun 1.4 closes a connection when a pipelined request arrives while the answer ahead of it is
    // pending (oven-sh/bun#38128): neither is answered. What the server can do is attribute what it
    // did run to its real address, and refuse what it can no longer attribute.
    await rawPost(port, one, one)
    const deadline = Date.now() + 5000
    const authLines = () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"path":"/auth"'))
        .map((l) => JSON.parse(l) as { msg: string; address?: string; status?: number })
        .filter((l) => l.msg === 'request' && l.status === 401)
    while (authLines().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    await new Promise((r) => setTimeout(r, 500))
    assert.ok(authLines().length > 0, server.output().slice(-3000))
    assert.ok(
      authLines().every((l) => l.address === '127.0.0.1'),
      'before the fix the login was hashed and logged under `unknown`',
    )
  })
})
