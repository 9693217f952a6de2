import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, seedMongo } from '#harness/fixtures.js'
import { curlFetch, type RunningTarget, startTarget } from '#harness/runtimes.js'
import { type ProcessRuntime, REPO_ROOT, type ServerProcess, startServer } from '#harness/server-process.js'

const DEV_VARS = join(REPO_ROOT, '.dev.vars')
const DOT_ENV = join(REPO_ROOT, '.env')
const DB = 'hermetic'

/**
 * A developer who followed docs/edge.md has a .dev.vars in the checkout, and one kept for both
 * Worker modes sets DATA_API_URL and MONGODB_URI together: wrangler merged it into the test
 * Workers, and 55 cases failed. Bun loads a .env of its working directory by itself. With such
 * files present (written here when there are none, and removed again), the test servers still
 * run as each test configures them.
 */
describe("the test servers ignore the checkout's .dev.vars and .env", () => {
  let mongo: MongoServer
  let worker: RunningTarget | undefined
  let bun: RunningTarget | undefined
  let node: RunningTarget | undefined
  const wrote: string[] = []
  /** Writes `text` to `path` unless the developer has a file there already (then that one is the test). */
  const plant = (path: string, text: string) => {
    if (existsSync(path)) return
    writeFileSync(path, text)
    wrote.push(path)
  }

  before(async () => {
    plant(
      DEV_VARS,
      'DATA_API_URL=http://127.0.0.1:9\nMONGODB_URI=mongodb://127.0.0.1:9/\nJWT_SECRET_KEY=short\n',
    )
    // Loaded, this one would hide /auth.
    plant(DOT_ENV, 'AUTH_GENERATIONS=2\n')
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB)
    worker = await startTarget('worker', mongo.uri, DB)
    bun = await startTarget('bun', mongo.uri, DB)
    node = await startTarget('node', mongo.uri, DB)
  })
  after(async () => {
    await worker?.stop()
    await bun?.stop()
    await node?.stop()
    await mongo?.dispose()
    for (const path of wrote) rmSync(path, { force: true })
  })

  for (const which of ['worker', 'bun', 'node'] as const) {
    it(`${which}: logs in as the test configures it, not as the checkout's files say`, async () => {
      const target = { worker, bun, node }[which]
      const res = await curlFetch(`${target?.baseUrl}/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })
      assert.equal(res.status, 200, await res.clone().text())
    })
  }
})

const BIN_BUN = join(REPO_ROOT, 'node_modules', '.bin', 'bun')
/**
 * Each runtime's entry started in `cwd`. Bun is given the checkout's bunfig.toml, as it has when
 * started from the checkout (npm run start:bun): that file turns Bun's own .env loading off.
 */
const ENTRY: Record<ProcessRuntime, { command: string; args: string[] }> = {
  node: { command: process.execPath, args: [join(REPO_ROOT, 'dist', 'entry', 'node.js')] },
  bun: {
    command: BIN_BUN,
    args: [`--config=${join(REPO_ROOT, 'bunfig.toml')}`, join(REPO_ROOT, 'src', 'entry', 'bun.ts')],
  },
}

/**
 * One way to configure on both runtimes: Node reads the .env of its working directory as Bun does,
 * the real environment wins over it (an empty value included), ENV_FILE=off reads nothing, and a
 * named ENV_FILE that is missing stops the start with its name. The .env here turns /auth off.
 */
describe('Node and Bun read .env of their working directory alike', () => {
  let cwd: string
  const running: ServerProcess[] = []
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'holodule-dotenv-'))
    writeFileSync(
      join(cwd, '.env'),
      '# as an operator writes it\nAUTH_GENERATIONS=2\nCORS_ORIGINS="https://a.example"\n',
    )
  })
  after(async () => {
    for (const p of running) await p.stop()
    rmSync(cwd, { recursive: true, force: true })
  })

  const start = async (runtime: ProcessRuntime, env: Record<string, string>) => {
    const port = await freePort()
    const proc = await startServer({
      what: `the ${runtime} entry in ${cwd}`,
      ...ENTRY[runtime],
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port), ...env },
      port,
      timeoutMs: 20_000,
    })
    running.push(proc)
    /** POST /auth with a malformed body: 404 when the .env turned the first generation off, else 400. */
    const authStatus = async () => {
      const res = await curlFetch(`http://127.0.0.1:${port}/auth`, { method: 'POST', body: '{' })
      await res.arrayBuffer()
      return res.status
    }
    const status = await authStatus()
    await proc.stop()
    return { status, output: proc.output() }
  }

  for (const runtime of ['node', 'bun'] as const) {
    it(`${runtime}: reads .env by default`, async () => {
      const { status, output } = await start(runtime, {})
      assert.equal(status, 404, output)
      assert.match(output, /"msg":"read environment file".*"variables":2/)
    })
    it(`${runtime}: the environment wins over .env, an empty value included`, async () => {
      assert.equal((await start(runtime, { AUTH_GENERATIONS: '' })).status, 400)
    })
    it(`${runtime}: ENV_FILE=off reads nothing (what the test harness sets)`, async () => {
      assert.equal((await start(runtime, { ENV_FILE: 'off' })).status, 400)
    })
    it(`${runtime}: a named ENV_FILE that is missing stops the start, named`, async () => {
      await assert.rejects(
        start(runtime, { ENV_FILE: 'missing.env' }),
        /ENV_FILE: cannot read .*missing\.env/,
      )
    })
  }
})
