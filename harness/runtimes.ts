/**
 * The API's runtimes as real servers for the tests and the bench tools: the Node and Bun entries,
 * the Data API gateway, the Worker under `wrangler dev` (through the gateway, or direct), and
 * `curlFetch`, a fetch on a fresh connection each time.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ferretdb.js'
import { SECRET } from './fixtures.js'
import { wranglerCommand } from './node24.js'
import {
  type ProcessRuntime,
  REPO_ROOT,
  type Runtime,
  type ServerProcess,
  startServer,
} from './server-process.js'

/** The Worker's key at the gateway: the grant README documents, admins' writes included (workerGrants). */
export const WORKER_KEY = 'conformance-worker-key-0123456789abcdefghij'

export interface RunningTarget {
  runtime: Runtime
  baseUrl: string
  stop(): Promise<void>
  output(): string
}

const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name)

/** What every server gets; PATH and HOME only from the parent, so no stray variable leaks in. */
const baseEnv = (database: string, port: number) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  MONGODB_DB: database,
  JWT_SECRET_KEY: SECRET,
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  // Neither Node nor Bun reads a .env of the checkout (src/runtime/node/env-file.ts).
  ENV_FILE: 'off',
  // stop() is not what these targets test: no shutdown grace (connections.test.ts tests it), so
  // SIGTERM stops them at once instead of after 5 s.
  SHUTDOWN_GRACE_MS: '0',
})

const serverTarget = async (runtime: ProcessRuntime, mongoUri: string, database: string) => {
  const port = await freePort()
  const [command, args] =
    runtime === 'node'
      ? [process.execPath, ['--import', 'tsx', 'src/entry/node.ts']]
      : [bin('bun'), ['src/entry/bun.ts']]
  const proc = await startServer({
    what: `the ${runtime} entry`,
    command,
    args,
    env: { ...baseEnv(database, port), MONGODB_URI: mongoUri },
    port,
  })
  return wrap(runtime, port, [proc])
}

/** Our Data API gateway on a free loopback port, with one key of the given grants. */
export const startGateway = async (mongoUri: string, keyGrants: string) => {
  const port = await freePort()
  const proc = await startServer({
    what: 'the Data API gateway',
    command: process.execPath,
    args: ['--import', 'tsx', 'src/entry/gateway.ts'],
    env: {
      PATH: process.env.PATH,
      MONGODB_URI: mongoUri,
      DATA_API_KEYS: `worker:${WORKER_KEY}@${keyGrants}`,
      DATA_API_PORT: String(port),
      DATA_API_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    port,
  })
  return { ...proc, url: `http://127.0.0.1:${port}` }
}

/**
 * The least a Worker's key needs to read either layout: README and docs/data-api.md's grant, and the
 * 2024 layout's `schedules` and `streamers` (the third generation's reads; `auto` asks `schedules`
 * for one document at the first read). Admins' writes on the 2024 layout add `insertOne+updateOne+
 * deleteOne` on `schedules` and `streamers` (each update is an updateOne, then a findOne of the
 * document as it is now), and /users `find` (the list; a new user's next `id`), `insertOne`,
 * `updateUser` (PATCH) and `deleteOne` on `users` (DataApiStore's account methods); a login's rewrite
 * of a plain-text password is `upgradePassword` (docs/data-api.md). Calendar feeds, for every user:
 * `insertOne` (make), `find` (list), `findOne` (a poll, by the secret's hash) and `deleteOne` (revoke)
 * on `feeds` (DataApiFeedStore), as the documented grant has them.
 */
export const workerGrants = (database: string) =>
  `${database}.holodules=find+findOne,` +
  `${database}.schedules=find+findOne+insertOne+updateOne+deleteOne,` +
  `${database}.streamers=find+findOne+insertOne+updateOne+deleteOne,` +
  `${database}.users=find+findOne+insertOne+updateUser+upgradePassword+deleteOne,` +
  `${database}.login_attempts=findOne+updateOne+upsert+deleteOne,` +
  `${database}.feeds=find+findOne+insertOne+deleteOne`

/** The Worker under `wrangler dev`, reaching FerretDB through our gateway (DataApiStore). */
const workerTarget = async (mongoUri: string, database: string) => {
  const gateway = await startGateway(mongoUri, workerGrants(database))
  let worker: RunningTarget
  try {
    worker = await wranglerDev('worker', 'src/entry/worker.ts', WORKER_FLAGS, database, {
      DATA_API_URL: gateway.url,
      DATA_API_KEY: WORKER_KEY,
    })
  } catch (e) {
    await gateway.stop()
    throw e
  }
  return {
    ...worker,
    stop: async () => {
      await worker.stop()
      await gateway.stop()
    },
    output: () => `${worker.output()}\n${gateway.output()}`,
  }
}

/** An entry under `wrangler dev` (workerd), configured with --var flags only. */
export const wranglerDev = async (
  runtime: Runtime,
  entry: string,
  flags: string[],
  database: string,
  vars: Record<string, string>,
): Promise<RunningTarget> => {
  const port = await freePort()
  const inspectorPort = await freePort()
  const all: Record<string, string> = {
    MONGODB_DB: database,
    JWT_SECRET_KEY: SECRET,
    LOG_LEVEL: 'warn',
    ...vars,
  }
  // Outside the checkout: wrangler merges a .dev.vars (or .env) of its working directory into the
  // Worker's bindings, and a developer's own file must not change what the tests run. Its state
  // folder (.wrangler/) goes there too.
  // wrangler 4.x needs Node >= 22.12: this Node when it is, else Node 24 (harness/node24.ts).
  const wrangler = wranglerCommand()
  const cwd = mkdtempSync(join(tmpdir(), 'holodule-wrangler-'))
  const proc = await startServer({
    what: `${entry} under wrangler dev`,
    command: wrangler.command,
    cwd,
    args: [
      ...wrangler.args,
      'dev',
      join(REPO_ROOT, entry),
      '--name',
      'holodule-api',
      '--compatibility-date',
      '2026-04-26',
      ...flags,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--log-level',
      'warn',
      '--show-interactive-dev-session=false',
      ...Object.entries(all).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    // Offline: no telemetry, and no fetch of the Request.cf placeholder from the network.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' },
    port,
    timeoutMs: 60_000,
  }).catch((e: unknown) => {
    rmSync(cwd, { recursive: true, force: true })
    throw e
  })
  const target = wrap(runtime, port, [proc])
  return {
    ...target,
    stop: async () => {
      await target.stop()
      rmSync(cwd, { recursive: true, force: true })
    },
  }
}

/** The Data API Worker's flags: AsyncLocalStorage only (the request id it sends to the gateway). */
export const WORKER_FLAGS = ['--compatibility-flags', 'nodejs_als']

/** Direct mode: the driver inside workerd over TCP sockets (nodejs_compat), no gateway. */
const workerDirectTarget = (mongoUri: string, database: string) =>
  wranglerDev(
    'worker-direct',
    'src/entry/worker-direct.ts',
    ['--compatibility-flags', 'nodejs_compat'],
    database,
    {
      MONGODB_URI: mongoUri,
    },
  )

const wrap = (runtime: Runtime, port: number, procs: ServerProcess[]): RunningTarget => ({
  runtime,
  baseUrl: `http://127.0.0.1:${port}`,
  stop: async () => {
    for (const p of procs) await p.stop()
  },
  output: () => procs.map((p) => p.output()).join('\n'),
})

export const startTarget = (runtime: Runtime, mongoUri: string, database: string): Promise<RunningTarget> =>
  runtime === 'worker'
    ? workerTarget(mongoUri, database)
    : runtime === 'worker-direct'
      ? workerDirectTarget(mongoUri, database)
      : serverTarget(runtime, mongoUri, database)

/**
 * fetch over node:http on a fresh connection each time, like curl. A server may answer 413 and close
 * while the client is still uploading; the response that arrived first is what a client sees, which
 * undici's fetch turns into "other side closed". Fresh connections also keep one test's half-read
 * socket from failing the next test.
 */
export const curlFetch = (
  url: string,
  init: RequestInit = {},
  timeoutMs = 15_000,
  /** https: URLs go over TLS trusting `ca` (a test's own certificate); `localAddress` picks the client's address. */
  connection: { ca?: string; localAddress?: string } = {},
): Promise<Response> =>
  new Promise((resolve, reject) => {
    const headers = new Headers(init.headers)
    const body = typeof init.body === 'string' ? Buffer.from(init.body) : undefined
    if (body) headers.set('content-length', String(body.length))
    let answered = false
    const request = url.startsWith('https:') ? httpsRequest : httpRequest
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        agent: false,
        timeout: timeoutMs,
        ...connection,
      },
      (res) => {
        answered = true
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const out = new Headers()
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) out.append(k, x)
            else if (v !== undefined) out.set(k, v)
          }
          const status = res.statusCode ?? 0
          const nullBody = status === 204 || status === 304 || init.method === 'HEAD'
          const response = new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out })
          // As fetch does: the answer names the URL asked (the feed cases check the origin of the URLs the API makes).
          Object.defineProperty(response, 'url', { value: url })
          resolve(response)
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)))
    req.on('error', (e) => {
      if (!answered) reject(e)
    })
    req.end(body)
  })
