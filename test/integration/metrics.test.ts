import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { CHANGED_USER, EMPTY_DAY, HASHED_USER, SECRET, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { childrenOf } from '#harness/procfs.js'
import type { ProcessRuntime } from '#harness/server-process.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

/** The members of a supervisor: its children running an entry (the test may also see helpers). */
const workersOf = (pid: number): number =>
  childrenOf(pid).filter((p) => {
    try {
      return /(src|dist)\/entry\//.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'))
    } catch {
      return false
    }
  }).length

const TOKEN = 'metrics-scrape-token-0123456789'
const RUNTIMES: ProcessRuntime[] = ['node', 'bun']

/** One sample of the text format: `name{label="value",…} number`. */
interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus' text exposition format, as far as prom-client writes it (no timestamps). */
const parseExposition = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      assert.ok(m, `not a sample line: ${line}`)
      const labels: Record<string, string> = {}
      for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[k as string] = (v as string).replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch))
      return { name: m[1] as string, labels, value: Number(m[3]) }
    })

/** The value of the one sample with this name and these labels (others may exist); 0 when absent. */
const sample = (samples: Sample[], name: string, labels: Record<string, string> = {}): number => {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`)
  return found[0]?.value ?? 0
}

const scrape = async (url: string, token: string | undefined = TOKEN): Promise<Sample[]> => {
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  const text = await res.text()
  assert.equal(res.status, 200, text)
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
  return parseExposition(text)
}

const post = async (base: string, path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { access_token?: string } }
}

const get = async (base: string, path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, { headers })
  await res.arrayBuffer()
  return res.status
}

/** Whether anything accepts a TCP connection on host:port. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(2000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })

describe('GET /metrics after a known sequence of requests (METRICS_TOKEN on the main port)', () => {
  let mongo: MongoServer
  const servers = new Map<ProcessRuntime, EntryProcess>()
  before(async () => {
    mongo = await startMongo()
    for (const runtime of RUNTIMES) {
      const db = `metrics_${runtime}`
      await seedMongo(mongo.uri, db)
      const server = await startEntry(runtime, {
        MONGODB_URI: mongo.uri,
        MONGODB_DB: db,
        MONGODB_REQUEST_TIMEOUT_MS: '1000',
        JWT_SECRET_KEY: SECRET,
        LOG_LEVEL: 'warn',
        METRICS: 'on',
        METRICS_TOKEN: TOKEN,
        LOGIN_MAX_CONSECUTIVE_FAILS: '1',
        // Long enough that the second read is a hit however slow the machine.
        HOLODULES_CACHE_TTL: '600',
        USER_CACHE_TTL: '600',
      })
      servers.set(runtime, server)
    }
  })
  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop(500)))
    await mongo?.dispose()
  })

  for (const runtime of RUNTIMES) {
    it(`${runtime}: counts requests by route pattern and status, logins by outcome, cache hits and misses`, {
      timeout: 60_000,
    }, async () => {
      const server = servers.get(runtime) as EntryProcess
      const base = server.baseUrl
      const ok = await post(base, '/auth', HASHED_USER)
      assert.equal(ok.status, 200)
      const auth = { Authorization: `JWT ${ok.body.access_token}` }
      const wrong = { ...HASHED_USER, password: 'not-the-password' }
      assert.equal((await post(base, '/auth', wrong)).status, 401)
      // LOGIN_MAX_CONSECUTIVE_FAILS=1: the second failure in a row is refused before any hash.
      assert.equal((await post(base, '/auth', wrong)).status, 429)
      assert.equal(await get(base, `/holodules/${SEED_DAY}`, auth), 200)
      assert.equal(await get(base, `/holodules/${SEED_DAY}`, auth), 200)
      assert.equal(await get(base, '/no/such/path'), 404)
      assert.equal(await get(base, `/holodules/${SEED_DAY}`), 401)

      const s = await scrape(`${base}/metrics`)
      const requests = (route: string, method: string, status: string) =>
        sample(s, 'holodule_http_requests_total', { route, method, status })
      assert.equal(requests('/auth', 'POST', '200'), 1)
      assert.equal(requests('/auth', 'POST', '401'), 1)
      assert.equal(requests('/auth', 'POST', '429'), 1)
      assert.equal(requests('/holodules/:date', 'GET', '200'), 2)
      assert.equal(requests('/holodules/:date', 'GET', '401'), 1)
      assert.equal(requests('unmatched', 'GET', '404'), 1)
      // Raw paths never become labels: the cardinality stays bounded by the routes.
      assert.ok(
        !s.some((x) => Object.values(x.labels).some((v) => v.includes(SEED_DAY) || v.includes('/no/'))),
      )
      const total = s
        .filter((x) => x.name === 'holodule_http_requests_total')
        .reduce((n, x) => n + x.value, 0)
      assert.equal(total, 7)
      const histogram = { route: '/holodules/:date', method: 'GET', status: '200' }
      assert.equal(sample(s, 'holodule_http_request_duration_seconds_count', histogram), 2)
      assert.equal(
        sample(s, 'holodule_http_request_duration_seconds_bucket', { ...histogram, le: '+Inf' }),
        2,
      )
      assert.ok(sample(s, 'holodule_http_request_duration_seconds_sum', histogram) > 0)

      assert.equal(sample(s, 'holodule_logins_total', { outcome: 'ok' }), 1)
      assert.equal(sample(s, 'holodule_logins_total', { outcome: 'invalid' }), 1)
      assert.equal(sample(s, 'holodule_logins_total', { outcome: 'throttled' }), 1)
      assert.equal(sample(s, 'holodule_logins_total', { outcome: 'busy' }), 0)
      for (const cache of ['holodules', 'users']) {
        assert.equal(sample(s, 'holodule_cache_lookups_total', { cache, result: 'miss' }), 1, cache)
        assert.equal(sample(s, 'holodule_cache_lookups_total', { cache, result: 'hit' }), 1, cache)
      }
      assert.equal(sample(s, 'holodule_store_unavailable_total'), 0)
      assert.equal(sample(s, 'holodule_internal_errors_total'), 0)
      // Event-loop lag, measured on both runtimes (perf_hooks.monitorEventLoopDelay).
      for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds'])
        assert.ok(
          s.some((x) => x.name === name && Number.isFinite(x.value) && x.value >= 0),
          name,
        )
    })

    it(`${runtime}: /metrics wants the token, compared whole, and is no JWT route`, async () => {
      const base = (servers.get(runtime) as EntryProcess).baseUrl
      const none = await fetch(`${base}/metrics`)
      assert.equal(none.status, 401)
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.deepEqual(await none.json(), { error: 'Unauthorized' })
      for (const header of [`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `JWT ${TOKEN}`, TOKEN]) {
        assert.equal(await get(base, '/metrics', { Authorization: header }), 401, header)
      }
      const s = await scrape(`${base}/metrics`)
      // The scrapes themselves are counted like any request, and never leak the token.
      assert.equal(sample(s, 'holodule_http_requests_total', { route: '/metrics', status: '401' }), 5)
      assert.equal(sample(s, 'holodule_http_requests_total', { route: '/metrics', status: '200' }), 1)
      assert.ok(!(servers.get(runtime) as EntryProcess).output().includes(TOKEN))
    })
  }

  it('counts the 503s of a database that is down', { timeout: 60_000 }, async () => {
    const tokens = new Map<ProcessRuntime, string>()
    for (const [runtime, server] of servers) {
      // Another user: HASHED_USER's name is blocked from this address by the sequence above.
      const login = await post(server.baseUrl, '/login', CHANGED_USER)
      assert.equal(login.status, 200)
      tokens.set(runtime, login.body.access_token as string)
    }
    await mongo.stop()
    for (const [runtime, server] of servers) {
      const auth = { Authorization: `Bearer ${tokens.get(runtime)}` }
      assert.equal(await get(server.baseUrl, `/holodules/${EMPTY_DAY}`, auth), 503)
      const s = await scrape(`${server.baseUrl}/metrics`)
      assert.equal(sample(s, 'holodule_store_unavailable_total'), 1, runtime)
      assert.equal(
        sample(s, 'holodule_http_requests_total', {
          route: '/holodules/:date',
          method: 'GET',
          status: '503',
        }),
        1,
      )
    }
  })
})

describe('METRICS_PORT: /metrics on a loopback listener of its own', () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: serves /metrics on 127.0.0.1:METRICS_PORT only, and none on PORT`, async () => {
      const metricsPort = await freePort()
      const server = await startEntry(runtime, {
        LOG_LEVEL: 'warn',
        METRICS: 'on',
        METRICS_PORT: String(metricsPort),
      })
      try {
        assert.equal(await get(server.baseUrl, '/healthz'), 200)
        assert.equal(await get(server.baseUrl, '/metrics'), 404)
        const s = await scrape(`http://127.0.0.1:${metricsPort}/metrics`, undefined)
        assert.equal(sample(s, 'holodule_http_requests_total', { route: '/healthz', status: '200' }), 1)
        assert.equal(sample(s, 'holodule_http_requests_total', { route: 'unmatched', status: '404' }), 1)
        assert.equal(await get(`http://127.0.0.1:${metricsPort}`, '/healthz'), 404)
        // Bound to 127.0.0.1, not to every address: another loopback address finds nobody.
        assert.equal(await accepts('127.0.0.1', metricsPort), true)
        assert.equal(await accepts('127.0.0.2', metricsPort), false)
      } finally {
        await server.stop(500)
      }
    })
  }
})

describe('METRICS off (the default)', () => {
  it('has no /metrics and counts nothing', async () => {
    const server = await startEntry('node', { LOG_LEVEL: 'warn' })
    try {
      const res = await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
      assert.equal(res.status, 404)
      assert.deepEqual(await res.json(), { error: 'Not found' })
    } finally {
      await server.stop(500)
    }
  })

  it('METRICS=on with no guard does not start, and names the variables', async () => {
    await assert.rejects(startEntry('node', { LOG_LEVEL: 'warn', METRICS: 'on' }), (e: Error) => {
      assert.match(e.message, /config error: METRICS: on needs METRICS_TOKEN .* or METRICS_PORT/)
      return true
    })
  })
})

describe('WORKERS=2: the supervisor serves METRICS_PORT with every member counted', () => {
  let mongo: MongoServer
  before(async () => {
    mongo = await startMongo()
    await seedMongo(mongo.uri, 'metrics_cluster')
  })
  after(async () => {
    await mongo?.dispose()
  })
  const env = () => ({
    MONGODB_URI: mongo.uri,
    MONGODB_DB: 'metrics_cluster',
    JWT_SECRET_KEY: SECRET,
    LOG_LEVEL: 'warn',
    WORKERS: '2',
    METRICS: 'on',
  })

  for (const runtime of RUNTIMES) {
    it(`${runtime}: a scrape sums the requests both members answered`, { timeout: 60_000 }, async () => {
      const metricsPort = await freePort()
      const server = await startEntry(runtime, { ...env(), METRICS_PORT: String(metricsPort) })
      const url = `http://127.0.0.1:${metricsPort}/metrics`
      try {
        // Both members forked and answering the supervisor: until then a scrape may wait on one (503).
        const deadline = Date.now() + 20_000
        let status = 0
        while (Date.now() < deadline) {
          if (workersOf(server.child.pid as number) >= 2) {
            const res = await fetch(url).catch(() => undefined)
            await res?.arrayBuffer()
            status = res?.status ?? 0
            if (status === 200) break
          }
          await new Promise((r) => setTimeout(r, 250))
        }
        assert.equal(status, 200, server.output())
        // New connections each time, so the supervisor's round robin (Node) or the kernel (Bun) spreads them.
        const n = 40
        for (let i = 0; i < n; i++) {
          const res = await fetch(`${server.baseUrl}/healthz`, { headers: { Connection: 'close' } })
          assert.equal(res.status, 200)
          await res.arrayBuffer()
        }
        const s = await scrape(url, undefined)
        assert.equal(sample(s, 'holodule_http_requests_total', { route: '/healthz', status: '200' }), n)
        assert.equal(await get(server.baseUrl, '/metrics'), 404)
      } finally {
        await server.stop(2000)
      }
    })
  }

  it('refuses METRICS_TOKEN alone: a scrape of PORT would see one member', async () => {
    await assert.rejects(startEntry('node', { ...env(), METRICS_TOKEN: TOKEN }), (e: Error) => {
      assert.match(e.message, /config error: METRICS_PORT: required with METRICS=on and WORKERS above 1/)
      assert.ok(!e.message.includes(TOKEN))
      return true
    })
  })
})
