import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { request } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { DB_NAME, HASHED_USER, SECRET, SEED_DAY, SEED_DAY_KEYS, seedMongo } from '#harness/fixtures.js'
import { SCHED_IDLE, SCHED_OTHER, threadsOf } from '#harness/procfs.js'
import type { ProcessRuntime } from '#harness/server-process.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

const login = (base: string) =>
  fetch(`${base}/auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(HASHED_USER),
  })

for (const runtime of ['node', 'bun'] as const satisfies ProcessRuntime[]) {
  describe(`the ${runtime} entry as a real process on FerretDB`, () => {
    let mongo: MongoServer
    let server: EntryProcess
    const env = () => ({
      MONGODB_URI: mongo.uri,
      MONGODB_DB: DB_NAME,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'info',
    })

    before(async () => {
      mongo = await startMongo()
      await seedMongo(mongo.uri)
      server = await startEntry(runtime, env())
    })
    after(async () => {
      await server?.stop(500)
      await mongo?.dispose()
    })

    it('logs in and serves a schedule', async () => {
      const res = await login(server.baseUrl)
      assert.equal(res.status, 200)
      const { access_token } = (await res.json()) as { access_token: string }
      const sched = await fetch(`${server.baseUrl}/holodules/${SEED_DAY}`, {
        headers: { Authorization: `JWT ${access_token}` },
      })
      assert.equal(sched.status, 200)
      assert.equal(sched.headers.get('content-type'), 'application/json; charset=UTF-8')
      const body = (await sched.json()) as { result: number; holodules: Array<{ key: string }> }
      assert.deepEqual(
        body.holodules.map((h) => h.key),
        SEED_DAY_KEYS,
      )
    })

    it('answers 413 with Connection: close, readable before the close, and the next request works', async () => {
      // 5 MB sent as fast as the socket takes it: the server refuses after 8 KB and must not reset
      // the connection before the client has read the 413 (it did on Node: EPIPE, then nothing).
      const { port } = new URL(server.baseUrl)
      // Bun.serve offers no lingering close: the entry reads and drops a refused body up to 16 MiB
      // (src/runtime/node/bun-body.ts) before the answer, so both runtimes get 5 MB.
      const big = Buffer.alloc(5 * 1024 * 1024, 'a')
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1')
        let got = ''
        socket.on('data', (d) => {
          got += d.toString()
        })
        socket.on('error', (e) => (got.includes('413') ? resolve(got) : reject(e)))
        socket.on('close', () => resolve(got))
        socket.write(
          `POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`,
        )
        socket.end(big)
        setTimeout(() => socket.destroy(), 8000).unref()
      })
      assert.match(raw, /^HTTP\/1\.1 413 /)
      assert.match(raw, /\r\nconnection: close\r\n/i)
      assert.match(raw, /"description":"Request body must not exceed 8192 bytes"/)
      // A client that keeps its connections alive goes on, on a new one.
      const res = await login(server.baseUrl)
      assert.equal(res.status, 200)
    })

    it('counts a chunked body (no Content-Length) against the limit: 413 past it, a login within it', async () => {
      const { port } = new URL(server.baseUrl)
      /** POST /auth with `body` in chunks of 1 KiB; the status line of the answer. */
      const chunked = (body: string) =>
        new Promise<string>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/auth',
              headers: { 'Content-Type': 'application/json' },
            },
            (res) => {
              res.resume()
              res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection}`))
            },
          )
          req.on('error', reject)
          for (let i = 0; i < body.length; i += 1024) req.write(body.slice(i, i + 1024))
          req.end()
        })
      assert.equal(await chunked(JSON.stringify({ ...HASHED_USER, pad: 'x'.repeat(9000) })), '413 close')
      assert.match(await chunked(JSON.stringify(HASHED_USER)), /^200 /)
    })

    it('hashes passwords below the event loop: nice 5, and SCHED_IDLE for an address with failed logins', async () => {
      const pid = server.child.pid as number
      const threads = () => threadsOf(pid)
      const idleTicks = () => threads().find((t) => t.policy === SCHED_IDLE)?.ticks
      // The hashing threads start with the server.
      assert.equal((await login(server.baseUrl)).status, 200)
      // (A thread the hashing thread starts inherits its nice: one at least.)
      assert.ok(threads().some((t) => t.policy === SCHED_OTHER && t.nice === 5))
      const before = idleTicks()
      assert.notEqual(before, undefined, 'a SCHED_IDLE thread (chrt, util-linux)')
      const probe = { username: `probe-${Math.random().toString(36).slice(2, 10)}`, password: 'wrong' }
      // The first failure is checked at normal priority; this address's next check on the idle thread.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${server.baseUrl}/auth`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(probe),
        })
        assert.equal(res.status, 401)
        await res.arrayBuffer()
      }
      // PBKDF2 at 600,000 iterations is ~100 ms of CPU: 10 ticks at least at the usual 100 Hz.
      assert.ok(
        (idleTicks() ?? 0) - (before ?? 0) >= 5,
        `idle thread ran ${(idleTicks() ?? 0) - (before ?? 0)} ticks`,
      )
      // And a right password checked there still logs in.
      assert.equal((await login(server.baseUrl)).status, 200)
    })

    it('refuses an expired token', async () => {
      const now = nowSeconds()
      const expired = craftToken(
        claims(HASHED_USER.username, { iat: now - 400, nbf: now - 400, exp: now - 100 }),
        SECRET,
      )
      const res = await fetch(`${server.baseUrl}/holodules/${SEED_DAY}`, {
        headers: { Authorization: `JWT ${expired}` },
      })
      assert.equal(res.status, 401)
      assert.deepEqual(await res.json(), {
        status_code: 401,
        error: 'Invalid token',
        description: 'Signature has expired',
      })
    })

    it('answers health and readiness', async () => {
      assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200)
      assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200)
    })

    it('writes JSON access lines with a request id and never the password or token', async () => {
      const res = await fetch(`${server.baseUrl}/nope`, { headers: { 'X-Request-Id': 'trace-me-123' } })
      assert.equal(res.status, 404)
      await new Promise((r) => setTimeout(r, 100))
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      assert.ok(
        lines.some(
          (l) =>
            l.msg === 'request' &&
            l.requestId === 'trace-me-123' &&
            l.status === 404 &&
            l.address === '127.0.0.1',
        ),
      )
      assert.ok(!server.output().includes(HASHED_USER.password))
      assert.ok(!server.output().includes(SECRET))
    })

    it('on SIGTERM finishes the request in flight, then exits 0', async () => {
      const inFlight = login(server.baseUrl) // ~0.25 s of PBKDF2 on the server
      await new Promise((r) => setTimeout(r, 60))
      const code = server.signal('SIGTERM')
      const res = await inFlight
      assert.equal(res.status, 200)
      assert.ok(((await res.json()) as { access_token?: string }).access_token)
      assert.equal(await code, 0)
      await assert.rejects(fetch(`${server.baseUrl}/healthz`), 'no longer accepting')
    })
  })
}

describe('the embedded default (no database configured)', () => {
  it('prints a demo login that works and serves today in Japan time', async () => {
    const server = await startEntry('node', { LOG_LEVEL: 'warn' })
    try {
      const deadline = Date.now() + 5000
      while (!/curl -s \S+\/holodules\/\d{8}/.test(server.output()) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      const password = /password: (\S+)/.exec(server.output())?.[1]
      const day = /\/holodules\/(\d{8})/.exec(server.output())?.[1]
      assert.ok(password && day, server.output())
      assert.equal(day, new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', ''))
      const res = await fetch(`${server.baseUrl}/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'demo', password }),
      })
      assert.equal(res.status, 200)
      const { access_token } = (await res.json()) as { access_token: string }
      const sched = await fetch(`${server.baseUrl}/holodules/${day}`, {
        headers: { Authorization: `JWT ${access_token}` },
      })
      assert.equal(sched.status, 200)
      assert.ok(((await sched.json()) as { result: number }).result >= 5)
      assert.match(server.output(), /JWT_SECRET_KEY is unset/)

      // The banner's own curl session, pasted into a shell as a newcomer would.
      const lines = server.output().split('\n')
      const from = lines.findIndex((l) => l.trim() === 'try:')
      const session = lines
        .slice(from + 1, from + 4)
        .map((l) => l.trim())
        .join('\n')
      assert.match(session, /^TOKEN=\$\(curl /)
      const out = execFileSync('sh', ['-c', session], { encoding: 'utf8', timeout: 15_000 })
      const pasted = JSON.parse(out) as { result: number; holodules: unknown[] }
      assert.ok(pasted.result >= 5, out)
    } finally {
      await server.stop(500)
    }
  })
})

describe('start-up configuration errors', () => {
  it('exits non-zero naming every bad variable', async () => {
    await assert.rejects(
      startEntry('node', {
        MONGODB_URI: 'mongodb://127.0.0.1:1/',
        JWT_SECRET_KEY: 'short',
        JWT_ALGORITHM: 'RS256',
      }),
      (e: Error) =>
        /JWT_SECRET_KEY/.test(e.message) &&
        /JWT_ALGORITHM/.test(e.message) &&
        /exited with code 1/.test(e.message),
    )
  })
})
