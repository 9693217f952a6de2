import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { gunzipSync } from 'node:zlib'
import { MongoClient } from 'mongodb'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, SECRET, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { curlFetch } from '#harness/runtimes.js'
import { REPO_ROOT, type ServerProcess, startServer } from '#harness/server-process.js'
import { contractCases } from '../contract/cases.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'
import { httpTarget } from '../support/http-target.js'

const SITE = join(REPO_ROOT, 'deploy', 'nginx', 'holodule-api.conf')
const UNIT = join(REPO_ROOT, 'deploy', 'systemd', 'holodule-api.service')
const DB = 'nginx_front'
/** The site's HSTS: the TLS terminator's header, which the app no longer sends (shared/contract.md). */
const HSTS = 'max-age=15552000; includeSubDomains'
/** What nginx adds to every HTTPS answer, the app's and its own (server_tokens off: no version). */
const FRONT_HEADERS = { server: 'nginx', 'strict-transport-security': HSTS }

/** Debian's nginx, wherever PATH or Debian puts it; a clear message when it is not installed. */
const nginxBinary = (): string => {
  const found = [...(process.env.PATH ?? '').split(':'), '/usr/sbin']
    .map((dir) => join(dir, 'nginx'))
    .find((p) => existsSync(p))
  if (!found) throw new Error('nginx is not installed: apt-get install nginx (scripts/test-deps.sh does it)')
  return found
}

/** The unit's TRUST_PROXY, the one docs/deploy.md tells operators to keep: the app runs as deployed. */
const unitTrustProxy = (): string => {
  const value = /^Environment=.*\bTRUST_PROXY=(\S+)/m.exec(readFileSync(UNIT, 'utf8'))?.[1]
  assert.ok(value, 'deploy/systemd/holodule-api.service sets no TRUST_PROXY')
  return value
}

/** Each `from` must be in the shipped file: a change there that the test no longer mirrors fails here. */
const substitute = (text: string, pairs: [string, string][]): string =>
  pairs.reduce((out, [from, to]) => {
    assert.ok(out.includes(from), `deploy/nginx/holodule-api.conf no longer contains ${JSON.stringify(from)}`)
    return out.replaceAll(from, to)
  }, text)

/** A throwaway self-signed certificate for 127.0.0.1, valid a day. */
const makeCertificate = (dir: string) => {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  // biome-ignore format: openssl's arguments read best in pairs
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 })
  return { cert, key }
}

interface Ports {
  app: number
  tls: number
  http: number
}

/** The shipped site, ports and paths moved into `dir`, inside the smallest nginx.conf that runs it. */
const writeNginxConf = (dir: string, ports: Ports, cert: { cert: string; key: string }): string => {
  const site = substitute(readFileSync(SITE, 'utf8'), [
    ['server 127.0.0.1:5000;', `server 127.0.0.1:${ports.app};`],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${ports.tls} ssl http2;`],
    ['listen [::]:443 ssl http2;', ''],
    ['listen 80;', `listen 127.0.0.1:${ports.http};`],
    ['listen [::]:80;', ''],
    ['/etc/letsencrypt/live/holodule.example.com/fullchain.pem', cert.cert],
    ['/etc/letsencrypt/live/holodule.example.com/privkey.pem', cert.key],
    ['/var/log/nginx/holodule-api.access.log', join(dir, 'access.log')],
    ['/var/log/nginx/holodule-api.error.log', join(dir, 'error.log')],
  ])
  writeFileSync(join(dir, 'holodule-api.conf'), site)
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((what) => `  ${what}_temp_path ${join(dir, what)};`)
    .join('\n')
  const main = [
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 512; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    temp,
    `  include ${join(dir, 'holodule-api.conf')};`,
    '}',
    '',
  ].join('\n')
  const path = join(dir, 'nginx.conf')
  writeFileSync(path, main)
  return path
}

const startNginx = async (dir: string, ports: Ports, cert: { cert: string; key: string }) => {
  const conf = writeNginxConf(dir, ports, cert)
  const errorLog = join(dir, 'error.log')
  try {
    return await startServer({
      what: 'nginx',
      command: nginxBinary(),
      args: ['-p', dir, '-c', conf, '-e', errorLog, '-g', 'daemon off;'],
      env: { PATH: process.env.PATH },
      port: ports.tls,
      timeoutMs: 15_000,
    })
  } catch (e) {
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''
    throw new Error(`${(e as Error).message}\n${log}`)
  }
}

/** The app's JSON log line for one request id, waited for (stdout is a pipe). */
const accessLine = async (app: EntryProcess, requestId: string): Promise<Record<string, unknown>> => {
  const deadline = Date.now() + 3000
  for (;;) {
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes(`"requestId":"${requestId}"`))
    if (line) return JSON.parse(line) as Record<string, unknown>
    assert.ok(Date.now() < deadline, `no access line for ${requestId}:\n${app.output().slice(-2000)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** nginx's access log line for one request id, waited for: nginx writes it after the answer is sent. */
const nginxLine = async (logFile: string, requestId: string): Promise<string> => {
  const deadline = Date.now() + 3000
  for (;;) {
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.endsWith(`id=${requestId}`))
    if (line) return line
    assert.ok(Date.now() < deadline, `no nginx access line for ${requestId}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Debian's nginx with the shipped site (deploy/nginx/holodule-api.conf; only ports and paths replaced
 * and a throwaway certificate) in front of the Node entry as the unit runs it (TRUST_PROXY from the
 * unit): the whole contract over HTTPS, the client address nginx saw, limit_req's 429 in the
 * contract's shape, nginx's own 413 and 503 in JSON.
 */
describe('behind nginx, as deployed', () => {
  let dir: string
  let mongo: MongoServer
  let client: MongoClient
  let app: EntryProcess
  let nginx: ServerProcess
  let ca: string
  let base: string
  let httpBase: string

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holodule-nginx-'))
    // nginx's workers run as nobody when the test runs as root: they write request bodies under dir.
    chmodSync(dir, 0o755)
    const cert = makeCertificate(dir)
    ca = readFileSync(cert.cert, 'utf8')
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB)
    client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
    app = await startEntry('node', {
      MONGODB_URI: mongo.uri,
      MONGODB_DB: DB,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'info',
      TRUST_PROXY: unitTrustProxy(),
      // The last case stops the app and wants exit 0 within stop()'s 5 s: a short shutdown grace.
      SHUTDOWN_GRACE_MS: '500',
    })
    const ports = { app: Number(new URL(app.baseUrl).port), tls: await freePort(), http: await freePort() }
    nginx = await startNginx(dir, ports, cert)
    base = `https://127.0.0.1:${ports.tls}`
    httpBase = `http://127.0.0.1:${ports.http}`
  })

  after(async () => {
    await nginx?.stop()
    await app?.stop()
    await client?.close()
    await mongo?.dispose()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const fetchFrom = (localAddress: string) => (path: string, init?: RequestInit) =>
    curlFetch(`${base}${path}`, init, 15_000, { ca, localAddress })
  const via = fetchFrom('127.0.0.1')

  describe('the contract over HTTPS through nginx', () => {
    // The header cases allow exactly nginx's own headers beyond the app's set and the transport's.
    contractCases(() => ({ ...httpTarget(base, client, DB), fetch: via, frontHeaders: FRONT_HEADERS }))
  })

  it('the app logs the address nginx saw, not one the client wrote in X-Forwarded-For', async () => {
    const requestId = `nginx-address-${Date.now()}`
    const res = await fetchFrom('127.0.0.2')('/healthz', {
      headers: { 'X-Request-Id': requestId, 'X-Forwarded-For': '203.0.113.7', 'X-Real-IP': '203.0.113.8' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('x-request-id'), requestId)
    const line = await accessLine(app, requestId)
    assert.equal(line.address, '127.0.0.2', JSON.stringify(line))
    // nginx's own log has the same request under the same id.
    assert.match(await nginxLine(join(dir, 'access.log'), requestId), /^127\.0\.0\.2 /)
  })

  it("sets HSTS itself, once, on the app's answers (the app sends none), the page's included", async () => {
    assert.ok(readFileSync(SITE, 'utf8').includes(`Strict-Transport-Security "${HSTS}" always;`))
    for (const path of ['/healthz', '/nope', `/holodules/${SEED_DAY}`, '/docs']) {
      const res = await via(path)
      await res.body?.cancel()
      // curlFetch joins repeated headers with ', ': one value means one header.
      assert.equal(res.headers.get('strict-transport-security'), HSTS, path)
    }
    const direct = await curlFetch(`${app.baseUrl}/healthz`)
    assert.equal(direct.headers.get('strict-transport-security'), null, 'the app sent HSTS itself')
  })

  it('gives nginx a request id when the client sends none, the same in both logs', async () => {
    const res = await fetchFrom('127.0.0.2')('/healthz')
    const requestId = res.headers.get('x-request-id') ?? ''
    assert.match(requestId, /^[0-9a-f]{32}$/)
    assert.equal((await accessLine(app, requestId)).address, '127.0.0.2')
  })

  it('gzips a schedule for a client that accepts it, and only then', async () => {
    const login = await via('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    const token = ((await login.json()) as { access_token: string }).access_token
    const headers = { Authorization: `JWT ${token}` }
    const plain = await via(`/holodules/${SEED_DAY}`, { headers })
    const zipped = await via(`/holodules/${SEED_DAY}`, { headers: { ...headers, 'Accept-Encoding': 'gzip' } })
    assert.equal(plain.headers.get('content-encoding'), null)
    assert.equal(zipped.headers.get('content-encoding'), 'gzip')
    assert.match(zipped.headers.get('vary') ?? '', /Accept-Encoding/i)
    const text = await plain.text()
    assert.ok(text.length > 1024)
    assert.equal(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString(), text)
  })

  /** `count` logins at once from one address: what nginx's limit_req lets through and what it refuses. */
  const flood = async (localAddress: string, path: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, () =>
        fetchFrom(localAddress)(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{not json',
        }),
      ),
    )

  for (const [path, address, body] of [
    [
      '/auth',
      '127.0.0.3',
      { status_code: 429, error: 'Too Many Requests', description: 'Too many login attempts' },
    ],
    ['/login', '127.0.0.4', { error: 'Too Many Requests' }],
  ] as const) {
    it(`limit_req answers a flood of ${path} with 429 in the contract's shape and Retry-After`, async () => {
      // 200 at once: the burst (100) passes whole, and what arrives faster than 5 a second is refused
      // (about 1.6 s for all of them here; three times slower still leaves some 75 over).
      const answers = await flood(address, path, 200)
      const refused = answers.filter((r) => r.status === 429)
      assert.ok(refused.length >= 1, 'nothing refused')
      assert.ok(
        answers.length - refused.length >= 101,
        `the burst was cut at ${answers.length - refused.length}`,
      )
      // The rest reached the app, which answered the malformed body itself.
      assert.ok(answers.every((r) => r.status === 429 || r.status === 400))
      const res = refused[0] as Response
      assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
      assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
      // The location's own add_header replaces the server's: the site repeats HSTS there.
      assert.equal(res.headers.get('strict-transport-security'), HSTS)
      assert.deepEqual(await res.json(), body)
      // Another address is not held back.
      assert.equal((await fetchFrom('127.0.0.5')(path, { method: 'POST', body: '{' })).status, 400)
    })
  }

  it("answers a body past nginx's own limit with 413 in the contract's shape", async () => {
    const res = await via('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'user01', password: 'x'.repeat(2_000_000) }),
    })
    assert.equal(res.status, 413)
    assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
    assert.equal(res.headers.get('strict-transport-security'), HSTS)
    const body = (await res.json()) as Record<string, unknown>
    assert.deepEqual(Object.keys(body), ['status_code', 'error', 'description'])
    assert.equal(body.status_code, 413)
  })

  it("passes nginx -t as installed: in sites-enabled, under Debian's own nginx.conf", () => {
    // Debian's http block sets gzip, ssl_protocols and logs of its own: the site must sit beside them
    // (its default site, which also listens on 80, is removed as docs/deploy.md says).
    const etc = join(dir, 'etc-nginx')
    cpSync('/etc/nginx', etc, { recursive: true })
    rmSync(join(etc, 'sites-enabled'), { recursive: true, force: true })
    const site = substitute(readFileSync(SITE, 'utf8'), [
      ['/etc/letsencrypt/live/holodule.example.com/fullchain.pem', join(dir, 'cert.pem')],
      ['/etc/letsencrypt/live/holodule.example.com/privkey.pem', join(dir, 'key.pem')],
    ])
    mkdirSync(join(etc, 'sites-enabled'))
    writeFileSync(join(etc, 'sites-enabled', 'holodule-api'), site)
    const main = join(etc, 'nginx.conf')
    writeFileSync(main, readFileSync(main, 'utf8').replaceAll('/etc/nginx/', `${etc}/`))
    const check = spawnSync(nginxBinary(), ['-t', '-c', main, '-e', join(dir, 'check.log')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    })
    assert.equal(check.status, 0, check.stderr)
    assert.equal(check.stdout, '')
    // No warning either: nginx 1.25.1+ warns that `listen … http2` is deprecated, and 1.22 refuses
    // `http2 on;` (the site's comment says which form for which nginx).
    assert.doesNotMatch(check.stderr, /\[(warn|emerg|alert|crit)\]/, check.stderr)
    assert.match(check.stderr, /test is successful/)
  })

  it('sends plain HTTP to HTTPS', async () => {
    const res = await curlFetch(`${httpBase}/holodules/${SEED_DAY}`)
    assert.equal(res.status, 301)
    assert.equal(res.headers.get('location'), `https://127.0.0.1/holodules/${SEED_DAY}`)
    // HSTS only over HTTPS: a browser ignores it on a plain HTTP answer (RFC 6797 8.1).
    assert.equal(res.headers.get('strict-transport-security'), null)
  })

  it('limit_conn: past 128 requests in progress from one address, 503 in JSON; other addresses are served', async () => {
    const { port } = new URL(base)
    // Requests whose body never comes: nginx has read their headers and waits for the body, so each
    // counts as in progress (limit_conn counts no idle connection).
    const held = await Promise.all(
      Array.from(
        { length: 128 },
        () =>
          new Promise<TLSSocket>((resolve, reject) => {
            const socket = tlsConnect(
              { host: '127.0.0.1', port: Number(port), ca, localAddress: '127.0.1.9' },
              () => {
                socket.write(
                  `POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
                )
                resolve(socket)
              },
            )
            socket.on('error', reject)
          }),
      ),
    )
    try {
      // nginx takes each header in its own time: wait until it has all 128 before the next.
      await new Promise((r) => setTimeout(r, 500))
      const over = await fetchFrom('127.0.1.9')('/healthz')
      assert.equal(over.status, 503)
      assert.equal(over.headers.get('content-type'), 'application/json; charset=UTF-8')
      assert.deepEqual(await over.json(), { error: 'Service Unavailable' })
      assert.equal((await fetchFrom('127.0.1.10')('/healthz')).status, 200)
    } finally {
      for (const socket of held) socket.destroy()
    }
  })

  // Last: it stops the app.
  it('answers 503 in JSON with Retry-After while the app is down', async () => {
    assert.equal(await app.stop(), 0)
    const res = await via('/holodules/20201209')
    assert.equal(res.status, 503)
    assert.equal(res.headers.get('content-type'), 'application/json; charset=UTF-8')
    assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
    assert.equal(res.headers.get('strict-transport-security'), HSTS)
    assert.deepEqual(await res.json(), { error: 'Service Unavailable' })
  })
})
