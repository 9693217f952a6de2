import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { freePort, type MongoServer, startMongo, waitForPort } from '#harness/ferretdb.js'
import { DB_NAME, HASHED_USER, SECRET, SEED_DAY, SEED_DAY_KEYS, seedMongo } from '#harness/fixtures.js'
import { childrenOf } from '#harness/procfs.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ITERATIONS = 600_000

/** Worker processes only: tsx may start a helper process of its own. */
const workersOf = (pid: number): number[] =>
  childrenOf(pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('src/entry/')
    } catch {
      return false
    }
  })

const ENTRIES = {
  node: [process.execPath, '--import', 'tsx', 'src/entry/node.ts'],
  bun: [`${ROOT}node_modules/.bin/bun`, 'src/entry/bun.ts'],
} as const

describe('WORKERS=2: one supervisor and two workers sharing the port', () => {
  let mongo: MongoServer
  before(async () => {
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB_NAME, ITERATIONS)
  })
  after(async () => {
    await mongo?.dispose()
  })

  for (const runtime of ['node', 'bun'] as const) {
    it(`${runtime}: serves login and schedules from both workers, and stops them all on SIGTERM`, {
      timeout: 60_000,
    }, async () => {
      const port = await freePort()
      const [cmd, ...args] = ENTRIES[runtime]
      const child = spawn(cmd, args, {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          MONGODB_URI: mongo.uri,
          MONGODB_DB: DB_NAME,
          JWT_SECRET_KEY: SECRET,
          WORKERS: '2',
          LOG_LEVEL: 'warn',
          // Neither runtime reads a .env of the checkout (src/runtime/node/env-file.ts).
          ENV_FILE: 'off',
          PORT: String(port),
          HOST: '127.0.0.1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout?.on('data', (d) => {
        out += d
      })
      child.stderr?.on('data', (d) => {
        out += d
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      const base = `http://127.0.0.1:${port}`
      try {
        await waitForPort(port, 20_000, `${runtime} workers`)
        // Both workers listen before the supervisor's children are counted.
        const deadline = Date.now() + 20_000
        while (workersOf(child.pid as number).length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100))
        }
        const workers = workersOf(child.pid as number)
        assert.equal(workers.length, 2, `expected two workers\n${out}`)

        const login = await fetch(`${base}/auth`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(HASHED_USER),
        })
        assert.equal(login.status, 200, out)
        const { access_token } = (await login.json()) as { access_token: string }
        // New connections each time, so the token issued by one worker is checked by the others too.
        for (let i = 0; i < 8; i++) {
          const res = await fetch(`${base}/holodules/${SEED_DAY}`, {
            headers: { Authorization: `JWT ${access_token}`, Connection: 'close' },
          })
          assert.equal(res.status, 200)
          const body = (await res.json()) as { holodules: Array<{ key: string }> }
          assert.deepEqual(
            body.holodules.map((h) => h.key),
            SEED_DAY_KEYS,
          )
        }
        child.kill('SIGTERM')
        assert.equal(await exited, 0, out)
        for (const pid of workers) {
          assert.throws(() => process.kill(pid, 0), 'worker still running after SIGTERM')
        }
      } finally {
        if (child.exitCode === null) {
          for (const pid of childrenOf(child.pid as number)) process.kill(pid, 'SIGKILL')
          child.kill('SIGKILL')
        }
      }
    })
  }
})
