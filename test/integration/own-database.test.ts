import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferretdbBinary, freePort } from '#harness/ferretdb.js'
import { SEED_DAY } from '#harness/fixtures.js'
import { curlFetch } from '#harness/runtimes.js'
import { REPO_ROOT, type ServerProcess, startServer } from '#harness/server-process.js'
import { readRepoFile } from '../support/variable-names.js'

/**
 * README's "Run your own database", line by line: FerretDB started with the README's flags, .env
 * made from .env.example with the README's two lines, a user added with its CLI line, and the
 * server started where that .env is. And .env.example copied as it is does what its comments say:
 * it refuses the placeholder secret, then serves the embedded sample (once it set MONGODB_URI
 * uncommented, and a copied file silently meant a database on 27017 instead).
 */
const section = (): string => {
  const readme = readRepoFile('README.md')
  const start = readme.indexOf('## Run your own database')
  assert.ok(start >= 0, 'README has a "Run your own database" section')
  return readme.slice(start, readme.indexOf('\n## ', start + 1))
}

/** The section's ```sh blocks: FerretDB's, MongoDB's, then the one that configures and starts. */
const blocks = (): string[] => [...section().matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string)

/** Shell lines of a block, continuations joined, comments after the command dropped. */
const lines = (block: string): string[] =>
  block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+# .*$/, '').trim())
    .filter(Boolean)

/** Each `from` must be in the README's line: a change there the test no longer mirrors fails here. */
const substitute = (line: string, pairs: [string, string][]) =>
  pairs.reduce((out, [from, to]) => {
    assert.ok(out.includes(from), `README's line no longer contains ${JSON.stringify(from)}: ${line}`)
    return out.replaceAll(from, to)
  }, line)

const bash = (script: string, cwd: string, env: Record<string, string>, input?: string) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(
      'bash',
      ['-euc', script],
      { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    )
    child.stdin?.end(input ?? '')
  })

/** The Node build started in `cwd`, reading the .env there as `npm start` does (the port moved). */
const startServerIn = async (cwd: string): Promise<ServerProcess & { base: string }> => {
  const port = await freePort()
  const proc = await startServer({
    what: `the Node entry in ${cwd}`,
    command: process.execPath,
    args: [join(REPO_ROOT, 'dist', 'entry', 'node.js')],
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) },
    port,
    timeoutMs: 20_000,
  })
  return { ...proc, base: `http://127.0.0.1:${port}` }
}

describe('README: run your own database', () => {
  let dir: string
  let home: string
  let mongoPort: number
  let ferretdb: ServerProcess | undefined
  const running: ServerProcess[] = []

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holodule-own-db-'))
    // A home of its own: the README's ~/.cache/holodule/bin/ferretdb is the harness's binary.
    home = join(dir, 'home')
    mkdirSync(join(home, '.cache', 'holodule', 'bin'), { recursive: true })
    symlinkSync(ferretdbBinary(), join(home, '.cache', 'holodule', 'bin', 'ferretdb'))
    mongoPort = await freePort()
  })
  after(async () => {
    for (const p of running) await p.stop()
    await ferretdb?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it(".env.example copied as it is: the placeholder secret is refused, with the file's advice", async () => {
    const cwd = join(dir, 'as-is')
    mkdirSync(cwd)
    copyFileSync(join(REPO_ROOT, '.env.example'), join(cwd, '.env'))
    await assert.rejects(startServerIn(cwd), /JWT_SECRET_KEY: is the placeholder from an example file/)
  })

  it('.env.example with only a secret: the embedded sample schedule, as its comments say', async () => {
    const cwd = join(dir, 'secret-only')
    mkdirSync(cwd)
    const example = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8')
    const secret = substitute(example, [
      ['JWT_SECRET_KEY=<openssl rand -hex 32>', `JWT_SECRET_KEY=${'k'.repeat(40)}`],
    ])
    writeFileSync(join(cwd, '.env'), secret)
    const server = await startServerIn(cwd)
    running.push(server)
    // The banner is printed once listening: it may trail the port opening.
    const deadline = Date.now() + 5000
    while (!server.output().includes('demo user:') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50))
    assert.match(server.output(), /no MONGODB_URI, serving the embedded sample schedule/)
    const ready = await curlFetch(`${server.base}/readyz`)
    assert.equal(ready.status, 200, await ready.text())
  })

  it("FerretDB with the README's flags, then its lines: .env, a user, the server on that database", async () => {
    const [ferret, mongo, configure] = blocks()
    assert.ok(ferret && mongo && configure, 'three sh blocks: FerretDB, MongoDB, then configure and start')
    const uri = `127.0.0.1:${mongoPort}`
    const ferretLines = lines(ferret)
    assert.match(ferretLines[0] ?? '', /^bash scripts\/build-ferretdb\.sh$/)
    // The build is the harness's (linked above); the rest as written, on a free port.
    for (const line of ferretLines.slice(1, -1)) {
      const r = await bash(line, dir, { HOME: home })
      assert.equal(r.code, 0, `${line}\n${r.out}`)
    }
    const serve = substitute(ferretLines.at(-1) ?? '', [['127.0.0.1:27017', uri]])
    assert.match(serve, /^~\/\.cache\/holodule\/bin\/ferretdb /)
    ferretdb = await startServer({
      what: 'FerretDB as the README starts it',
      command: 'bash',
      args: ['-c', `exec ${serve}`],
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: home, DO_NOT_TRACK: '1' },
      port: mongoPort,
      timeoutMs: 15_000,
    })

    const cwd = join(dir, 'checkout')
    mkdirSync(cwd)
    copyFileSync(join(REPO_ROOT, '.env.example'), join(cwd, '.env.example'))
    const [cp, sed, addUser, ...rest] = lines(configure)
    assert.deepEqual([cp, rest.at(-1)], ['cp .env.example .env', 'npm start'])
    for (const line of [cp, sed] as string[]) {
      const r = await bash(line, cwd, { HOME: home })
      assert.equal(r.code, 0, `${line}\n${r.out}`)
    }
    const env = readFileSync(join(cwd, '.env'), 'utf8')
    assert.match(
      env,
      /^MONGODB_URI=mongodb:\/\/127\.0\.0\.1:27017\/$/m,
      'the sed line uncommented MONGODB_URI',
    )
    assert.match(env, /^JWT_SECRET_KEY=[0-9a-f]{64}$/m, 'the sed line set a secret')
    writeFileSync(join(cwd, '.env'), env.replace('127.0.0.1:27017', uri))

    // The CLI from the checkout, the password on stdin (as a script gives it).
    const add = substitute(addUser ?? '', [['127.0.0.1:27017', uri]])
    assert.match(add, /holodule\.mjs user add user01$/)
    const added = await bash(add, REPO_ROOT, { HOME: home }, 'password01\n')
    assert.equal(added.code, 0, added.out)

    const server = await startServerIn(cwd)
    running.push(server)
    assert.doesNotMatch(server.output(), /embedded sample/)
    const login = await curlFetch(`${server.base}/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'user01', password: 'password01' }),
    })
    assert.equal(login.status, 200, `${await login.clone().text()}\n${server.output()}`)
    const { access_token } = (await login.json()) as { access_token: string }
    // An empty database: the day is 404, read from FerretDB (the sample would have it).
    const day = await curlFetch(`${server.base}/holodules/${SEED_DAY}`, {
      headers: { Authorization: `JWT ${access_token}` },
    })
    assert.equal(day.status, 404, await day.text())
  })
})
