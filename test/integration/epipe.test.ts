import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { freePort, waitForPort } from '#harness/ferretdb.js'
import { REPO_ROOT } from '#harness/server-process.js'

/**
 * `node dist/entry/node.js | head -1`: stdout is a pipe whose reader reads one line and goes away,
 * so every later write fails with EPIPE. The server must go on answering, and print no stack trace.
 */
const underHeadOne = async (entry: string, env: Record<string, string>, port: number) => {
  const script = join(REPO_ROOT, 'dist', 'entry', entry)
  assert.ok(existsSync(script), `${script} is missing: run npm run build first`)
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: 'off', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  // The reader: the first line, then it closes its end of the pipe, as head does.
  const firstLine = new Promise<string>((resolve) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const end = out.indexOf('\n')
      if (end >= 0) {
        child.stdout.destroy()
        resolve(out.slice(0, end))
      }
    })
  })
  const alive = () => child.exitCode === null && child.signalCode === null
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    firstLine,
    alive,
    stderr: () => stderr,
    async ready() {
      await waitForPort(port, 20_000, entry, alive)
    },
    async stop() {
      if (alive()) child.kill('SIGKILL')
      await exited
    },
  }
}

/** Asks `url` `times` times; each answer is logged at LOG_LEVEL=info, each line a write into the closed pipe. */
const askRepeatedly = async (url: string, times: number): Promise<number[]> => {
  const statuses: number[] = []
  for (let i = 0; i < times; i++) {
    const res = await fetch(url)
    await res.arrayBuffer()
    statuses.push(res.status)
    // Let the failed write's 'error' event fire between requests.
    await new Promise((r) => setTimeout(r, 20))
  }
  return statuses
}

const assertSurvived = (server: Awaited<ReturnType<typeof underHeadOne>>) => {
  assert.ok(server.alive(), `the server exited:\n${server.stderr()}`)
  assert.doesNotMatch(server.stderr(), /EPIPE\n\s+at |Unhandled 'error' event|^\s+at /m, server.stderr())
}

describe('a server whose stdout reader goes away (| head -1)', () => {
  it('the API (dist/entry/node.js) keeps answering and prints no stack trace', async () => {
    const port = await freePort()
    const server = await underHeadOne('node.js', { PORT: String(port), HOST: '127.0.0.1' }, port)
    try {
      const first = await server.firstLine
      assert.ok(first.length > 0)
      await server.ready()
      const statuses = await askRepeatedly(`http://127.0.0.1:${port}/healthz`, 5)
      assert.deepEqual(statuses, [200, 200, 200, 200, 200])
      assertSurvived(server)
      // Said once, on the stream that still has a reader.
      assert.match(server.stderr(), /"msg":"stdout is closed: its log lines are dropped","error":"EPIPE"/)
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200)
      assertSurvived(server)
    } finally {
      await server.stop()
    }
  })

  it('the Data API gateway (dist/entry/gateway.js) keeps answering and prints no stack trace', async () => {
    const port = await freePort()
    const server = await underHeadOne(
      'gateway.js',
      {
        // Never connected to: the requests below are refused before any database call.
        MONGODB_URI: 'mongodb://127.0.0.1:9/epipe',
        DATA_API_KEYS: `reader:${'k'.repeat(40)}@epipe.things=read`,
        DATA_API_PORT: String(port),
        DATA_API_HOST: '127.0.0.1',
      },
      port,
    )
    try {
      await server.firstLine
      await server.ready()
      const statuses = await askRepeatedly(
        `http://127.0.0.1:${port}/app/data-api/endpoint/data/v1/action/find`,
        5,
      )
      assert.ok(
        statuses.every((s) => s >= 400 && s < 500),
        `refused without a key: ${statuses}`,
      )
      assertSurvived(server)
    } finally {
      await server.stop()
    }
  })
})
