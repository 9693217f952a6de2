import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { MongoClient } from 'mongodb'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { startServer } from '#harness/server-process.js'
import type { App } from '#src/app/index.js'
import { COMMANDS } from '#src/cli/commands.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'
import { testApp } from '../support/app.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN_TS = join(ROOT, 'src/cli/main.ts')
const BUN = join(ROOT, 'node_modules/.bin/bun')
const DB = 'holodule_cli_test'
const RUN_TIMEOUT_MS = 30_000

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** A real process with its own environment: nothing from ours leaks in (MONGODB_URI included). */
const exec = (
  command: string,
  args: string[],
  env: Record<string, string>,
  input = '',
  timeoutMs = RUN_TIMEOUT_MS,
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: tmpdir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input)
  })

const assertOneLineError = (r: Result, code: number) => {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`)
  assert.match(r.stderr, /^holodule: [^\n]+\n$/, `one line on stderr, got: ${JSON.stringify(r.stderr)}`)
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
}

/** An 11-character YouTube video id of a code, as the collectors cut it from the URL. */
const vid = (code: string) => `v_${code}`.padEnd(11, '0').slice(0, 11)
const row = (code: string, datetime: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    code,
    video_id: vid(code),
    datetime,
    name: '尾丸ポルカ',
    title: `${code} live`,
    url: `https://www.youtube.com/watch?v=${vid(code)}`,
    description: 'd',
    ...extra,
  })

/**
 * Lays out the package as npm installs it: bin/holodule.mjs next to the tsc output in dist/.
 * Returns the bin's path. Also checks the bin's one-line hint before the build.
 */
const buildPackage = async (pkg: string): Promise<string> => {
  mkdirSync(join(pkg, 'bin'), { recursive: true })
  writeFileSync(join(pkg, 'package.json'), '{"type": "module"}\n')
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'))
  const bin = join(pkg, 'bin/holodule.mjs')
  copyFileSync(join(ROOT, 'bin/holodule.mjs'), bin)
  const notBuilt = await exec(process.execPath, [bin, '--help'], {})
  assertOneLineError(notBuilt, 1)
  assert.match(notBuilt.stderr, /npm run build/)
  const tsc = await exec(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(pkg, 'dist'),
    ],
    {},
    '',
    // The whole source tree: slow on a busy two-core machine.
    120_000,
  )
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr)
  return bin
}

describe('holodule CLI against FerretDB', () => {
  let mongo: MongoServer
  let env: Record<string, string>
  let store: MongoStore
  let app: App
  let work: string
  let bin: string
  /** The package's bin as installed: plain Node on the compiled output (tsx would add a second per run). */
  const cli = (args: string[], input?: string, extraEnv: Record<string, string> = {}) =>
    exec(process.execPath, [bin, ...args], { ...env, ...extraEnv }, input)
  const login = async (username: string, password: string) => {
    const res = await app.request('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    return res.status
  }

  before(async () => {
    mongo = await startMongo()
    env = { MONGODB_URI: mongo.uri, MONGODB_DB: DB }
    store = MongoStore.connect(mongo.uri, DB)
    app = testApp({ env, store }).app
    work = mkdtempSync(join(tmpdir(), 'holodule-cli-'))
    bin = await buildPackage(join(work, 'pkg'))
    const client = new MongoClient(mongo.uri)
    await client.db(DB).dropDatabase()
    await client.close()
  })

  after(async () => {
    await store?.close()
    await mongo?.dispose()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  test('db init creates the indexes', async () => {
    const r = await cli(['db', 'init'])
    assert.equal(r.code, 0, r.stderr)
    const client = new MongoClient(mongo.uri)
    try {
      const names = (await client.db(DB).collection('holodules').indexes()).map((i) => i.name)
      assert.ok(names.includes('key_1') && names.includes('datetime_1'), names.join(','))
      const attempts = (await client.db(DB).collection('login_attempts').indexes()).map((i) => i.name)
      assert.ok(attempts.includes('key_1') && attempts.includes('expire_-1'), attempts.join(','))
    } finally {
      await client.close()
    }
  })

  test('user add, passwd, list, rm: the passwords work through the app', async () => {
    const add = await cli(['user', 'add', 'alice'], 'first pass word\n')
    assert.equal(add.code, 0, add.stderr)
    assert.match(add.stdout, /added user alice/)
    assert.equal(await login('alice', 'first pass word'), 200)

    const client = new MongoClient(mongo.uri)
    try {
      const doc = await client.db(DB).collection('users').findOne({ username: 'alice' })
      assert.match(String(doc?.password), /^\$pbkdf2-sha256\$i=600000\$/)
    } finally {
      await client.close()
    }

    assertOneLineError(await cli(['user', 'add', 'alice'], 'other\n'), 1)
    assertOneLineError(await cli(['user', 'add', 'bob'], ''), 1)
    assertOneLineError(await cli(['user', 'add', 'bob'], '\n'), 1)
    // Issue 21, item 8: "short" was accepted; 8 characters at least, as through /users.
    const short = await cli(['user', 'add', 'bob'], 'short\n')
    assertOneLineError(short, 1)
    assert.match(short.stderr, /the password is shorter than 8 characters/)
    assert.equal(await store.findUserByUsername('bob'), null)
    const inArgv = await cli(['user', 'add', 'bob', 'secret-in-argv'], 'x\n')
    assertOneLineError(inArgv, 2)
    assert.match(inArgv.stderr, /never taken from the command line/)

    assertOneLineError(await cli(['user', 'passwd', 'alice'], 'second\n'), 1)
    assert.equal(await login('alice', 'first pass word'), 200, 'a refused password changes nothing')
    const passwd = await cli(['user', 'passwd', 'alice'], 'second pass\r\nignored line\n')
    assert.equal(passwd.code, 0, passwd.stderr)
    assert.equal(await login('alice', 'first pass word'), 401)
    assert.equal(await login('alice', 'second pass'), 200)
    assertOneLineError(await cli(['user', 'passwd', 'nobody'], 'x\n'), 1)

    const list = await cli(['user', 'list'])
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /^ID\s+USERNAME\s+FLAGS\n1\s+alice\n$/)
    const json = await cli(['user', 'list', '--json'])
    assert.deepEqual(JSON.parse(json.stdout), [{ id: '1', username: 'alice', admin: false, disabled: false }])
    for (const out of [list.stdout, json.stdout]) assert.doesNotMatch(out, /pbkdf2|\$|second/)

    const rm = await cli(['user', 'rm', 'alice'])
    assert.equal(rm.code, 0, rm.stderr)
    assert.equal(await login('alice', 'second pass'), 401)
    assertOneLineError(await cli(['user', 'rm', 'alice']), 1)
    assert.deepEqual(await store.listUsers(), [])
  })

  test('user migrate-passwords hashes plain-text records in place, once; reject mode then refuses plain text', async () => {
    const client = new MongoClient(mongo.uri)
    const users = client.db(DB).collection('users')
    try {
      await users.insertMany([
        { id: '7', username: 'legacy1', password: 'password07' },
        { id: '8', username: 'legacy2', password: 'pass word 08' },
      ])
      // Before: a plain-text record is refused when the server rejects plain text.
      const strict = testApp({ env: { ...env, LEGACY_PLAINTEXT_PASSWORDS: 'reject' }, store }).app
      const strictLogin = async (username: string, password: string) =>
        (
          await strict.request('/auth', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ username, password }),
          })
        ).status
      assert.equal(await strictLogin('legacy1', 'password07'), 401)

      const first = await cli(['user', 'migrate-passwords'])
      assert.equal(first.code, 0, first.stderr)
      assert.match(first.stdout, /^hashed 2 plain-text passwords; \d+ already hashed\n/)
      for (const doc of await users.find({ username: { $in: ['legacy1', 'legacy2'] } }).toArray()) {
        assert.match(String(doc.password), /^\$pbkdf2-sha256\$i=600000\$/)
        // Not a password change: tokens issued before stay valid.
        assert.equal(doc.password_changed_at, undefined)
      }
      assert.ok(!first.stdout.includes('password07'))
      assert.equal(await strictLogin('legacy1', 'password07'), 200)
      assert.equal(await strictLogin('legacy2', 'pass word 08'), 200)

      const again = await cli(['user', 'migrate-passwords'])
      assert.equal(again.code, 0, again.stderr)
      assert.match(again.stdout, /^hashed 0 plain-text passwords;/)
    } finally {
      await users.deleteMany({ username: { $in: ['legacy1', 'legacy2'] } })
      await client.close()
    }
  })

  test('holodules import: JSON lines with a bad line, re-import, then a JSON array on stdin', async () => {
    const file = join(work, 'schedule.jsonl')
    writeFileSync(
      file,
      [
        row('HL0503', '20201209 230000'),
        row('HL0101', '20201209 000000', { key: 'HL0101_20201209_000000' }),
        row('HL0102', '20210230 120000'),
        '',
        row('HL0203', '20201209 235959'),
        '',
      ].join('\n'),
    )
    const first = await cli(['holodules', 'import', file])
    assert.equal(first.code, 3, first.stderr)
    assert.equal(
      first.stdout,
      'line 3: datetime: is not a real date and time\ninserted 3, updated 0, unchanged 0, rejected 1\n',
    )
    // Off a terminal: no bar, and a line only every few seconds (this one is quicker than that).
    assert.equal(first.stderr, '')
    assert.deepEqual(
      (await store.findHolodulesByDate('20201209')).map((h) => h.key),
      ['HL0203_20201209_235959', 'HL0503_20201209_230000', 'HL0101_20201209_000000'],
    )

    const again = await cli(['holodules', 'import', file])
    assert.equal(again.code, 3)
    // An identical re-import writes nothing and says so.
    assert.match(again.stdout, /^line 3: .*\ninserted 0, updated 0, unchanged 3, rejected 1\n$/)

    const array = JSON.stringify([
      JSON.parse(row('HL0503', '20201209 230000', { title: 'renamed' })),
      JSON.parse(row('HL0301', '20201210 120000')),
      JSON.parse(row('HL0302', '20201210 130000', { key: 'HL0302_20201210_999999' })),
    ])
    const fromStdin = await cli(['holodules', 'import', '-'], array)
    assert.equal(fromStdin.code, 3, fromStdin.stderr)
    assert.equal(
      fromStdin.stdout,
      'record 3: key: must be "HL0302_20201210_130000" (code_date_time)\ninserted 1, updated 1, unchanged 0, rejected 1\n',
    )
    const day = await store.findHolodulesByDate('20201209')
    assert.equal(day.find((h) => h.key === 'HL0503_20201209_230000')?.title, 'renamed')
    assert.equal((await store.findHolodulesByDate('20201210')).length, 1)

    const clean = join(work, 'clean.json')
    writeFileSync(clean, JSON.stringify([JSON.parse(row('HL0401', '20201211 010000'))]))
    const ok = await cli(['holodules', 'import', clean])
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout, 'inserted 1, updated 0, unchanged 0, rejected 0\n')
    const empty = join(work, 'empty.jsonl')
    writeFileSync(empty, '')
    const none = await cli(['holodules', 'import', empty])
    assertOneLineError(none, 1)
    assert.match(none.stderr, /no records in .*empty\.jsonl: nothing imported/)
    assertOneLineError(await cli(['holodules', 'import', join(work, 'missing.jsonl')]), 1)

    // The day as the CLI lists it, and a stream removed by its key.
    const listed = await cli(['holodules', 'list', '--date', '20201209'])
    assert.equal(listed.code, 0, listed.stderr)
    assert.deepEqual(
      listed.stdout
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/\s+/)[0]),
      ['HL0203_20201209_235959', 'HL0503_20201209_230000', 'HL0101_20201209_000000'],
    )
    const removed = await cli(['holodules', 'remove', 'HL0101_20201209_000000'])
    assert.equal(removed.stdout, 'removed HL0101_20201209_000000\n', removed.stderr)
    assert.equal((await store.findHolodulesByDate('20201209')).length, 2)
    assertOneLineError(await cli(['holodules', 'remove', 'HL0101_20201209_000000']), 1)
  })

  test('imports refuse what no collector wrote: script URLs, markup in ids, NUL bytes, /dev/zero, a file past 64 MiB, one object', async () => {
    const bad = join(work, 'bad.jsonl')
    writeFileSync(
      bad,
      [
        row('HL0701', '20201212 200000', { url: 'javascript:alert(document.cookie)' }),
        row('HL0702', '20201212 200000', { video_id: '<script>x</script>' }),
        row('C'.repeat(100_000), '20201212 200000', { title: '100 KB code' }),
        row('HL0704', '20201212 200000', { title: 'a\u0000b' }),
        row('HL0705', '20201212 200000'),
      ].join('\n'),
    )
    const r = await cli(['holodules', 'import', bad])
    assert.equal(r.code, 3, r.stderr)
    assert.equal(
      r.stdout,
      [
        'line 1: url: must be an https YouTube URL of the video (https://www.youtube.com/watch?v=<video_id>)',
        'line 2: video_id: must be a YouTube video id: 11 of A-Z, a-z, 0-9, _ and -',
        'line 3: code: must be 1 to 32 letters, digits, _ or - (like HL0503)',
        'line 4: title: holds a control character (U+0000) at character 2',
        'inserted 1, updated 0, unchanged 0, rejected 4',
        '',
      ].join('\n'),
    )
    assert.deepEqual(
      (await store.findHolodulesByDate('20201212')).map((h) => h.code),
      ['HL0705'],
    )

    // /dev/zero was read to 630 MB before failing: now its first byte ends it.
    const zero = await cli(['holodules', 'import', '/dev/zero', '--dry-run'])
    assertOneLineError(zero, 1)
    assert.match(
      zero.stderr,
      /^holodule: \/dev\/zero: a NUL byte at byte offset 0: not a text file of records\n$/,
    )
    // Text past the cap: refused having read 64 MiB and a byte, not the whole file.
    const big = join(work, 'big.jsonl')
    writeFileSync(big, Buffer.alloc(64 * 1024 * 1024 + 1, 0x20))
    const tooBig = await cli(['holodules', 'import', big, '--dry-run'])
    rmSync(big)
    assertOneLineError(tooBig, 1)
    assert.match(tooBig.stderr, /big\.jsonl is larger than 64 MiB, the most an import reads: split it/)
    const latin1 = join(work, 'latin1.jsonl')
    writeFileSync(latin1, Buffer.from(row('HL0706', '20201212 200000', { name: 'caf\u00e9' }), 'latin1'))
    const notUtf8 = await cli(['holodules', 'import', latin1, '--dry-run'])
    assertOneLineError(notUtf8, 1)
    assert.match(notUtf8.stderr, /latin1\.jsonl is not valid UTF-8: byte offset \d+ \(0xe9\)/)

    const answer = JSON.stringify({ schedules: [JSON.parse(row('HL0707', '20201212 200000'))] }, null, 2)
    const object = await cli(['holodules', 'import', '-', '--dry-run'], answer)
    assertOneLineError(object, 1)
    assert.equal(
      object.stderr,
      `holodule: expected a JSON array of records or JSON lines, got one JSON object (did you mean its "schedules" field? jq '.schedules' <file> gives it)\n`,
    )
  })

  test('schedules import, status, holodules import on the 2024 layout, streamers import and list', async () => {
    const db = { MONGODB_DB: 'holodule_cli_2024' }
    const oid = (n: number) => ({ $oid: n.toString(16).padStart(24, '0') })
    const doc = (n: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        _id: oid(n),
        code: 'HL0001',
        video_id: vid(`${n}`),
        streaming_at: { $date: `2024-01-1${n}T21:00:00Z` },
        name: 'n',
        title: `title ${n}`,
        url: `https://youtu.be/${vid(`${n}`)}`,
        description: 'd',
        published_at: { $date: '2024-01-05T03:00:00Z' },
        tags: ['a'],
        ...extra,
      })
    const file = join(work, 'schedules.jsonl')
    writeFileSync(
      file,
      [
        doc(1),
        doc(2, { streaming_at: '2024-01-12T09:00:00', key: 'k2' }),
        doc(3, { streaming_at: 'x' }),
      ].join('\n'),
    )

    const empty = await cli(['status'], '', db)
    assert.equal(empty.code, 0, empty.stderr)
    assert.match(
      empty.stdout,
      /^database +holodule_cli_2024 at mongodb:.*\nlayout +holodules \(SCHEDULE_LAYOUT=auto: the schedules collection is empty\)\n/,
    )
    const refused = await cli(['schedules', 'import', file], '', db)
    assertOneLineError(refused, 1)
    assert.match(refused.stderr, /set SCHEDULE_LAYOUT=schedules/)

    const first = await cli(['schedules', 'import', file], '', { ...db, SCHEDULE_LAYOUT: 'schedules' })
    assert.equal(first.code, 3, first.stderr)
    assert.match(
      first.stdout,
      /^line 3: streaming_at: must be .*\ninserted 2, updated 0, unchanged 0, rejected 1\n$/,
    )
    const again = await cli(
      ['schedules', 'import', '-'],
      [doc(1), doc(2, { streaming_at: '2024-01-12T09:00:00', key: 'k2' })].join('\n'),
      db,
    )
    assert.equal(again.stdout, 'inserted 0, updated 0, unchanged 2, rejected 0\n')
    const client = new MongoClient(mongo.uri)
    try {
      const stored = await client.db(db.MONGODB_DB).collection('schedules').findOne({ key: 'k2' })
      assert.equal(String(stored?._id), '000000000000000000000002')
      assert.deepEqual(
        stored?.streaming_at,
        new Date('2024-01-12T09:00:00Z'),
        'a BSON date, wall clock as UTC',
      )
    } finally {
      await client.close()
    }

    const old = JSON.parse(row('HL0001', '20240111 210000', { title: 'from 2020' }))
    const converted = await cli(['holodules', 'import', '-'], JSON.stringify(old), db)
    assert.equal(converted.code, 0, converted.stderr)
    assert.match(
      converted.stdout,
      /written to schedules, converted\ninserted 0, updated 1, unchanged 0, rejected 0\n$/,
    )

    const streamers = JSON.stringify([
      {
        _id: oid(9),
        code: 'HL0002',
        name: 'two',
        group: 'hololive',
        affiliations: "['gen0', 'jp']",
        is_retired: 'False',
      },
      { code: 'EN0001', name: 'en', group: 'hololive_en', affiliations: ['myth'], is_retired: true },
    ])
    assert.equal(
      (await cli(['streamers', 'import', '-'], streamers, db)).stdout,
      'inserted 2, updated 0, unchanged 0, rejected 0\n',
    )
    assert.equal(
      (await cli(['streamers', 'import', '-'], streamers, db)).stdout,
      'inserted 0, updated 0, unchanged 2, rejected 0\n',
    )
    const list = await cli(['streamers', 'list', '--group', 'hololive'], '', db)
    assert.equal(
      list.stdout,
      'CODE    GROUP     NAME  AFFILIATIONS  RETIRED\nHL0002  hololive  two   gen0,jp\n',
    )

    // On the 2024 layout the same commands read and delete schedules documents.
    const listed = JSON.parse(
      (await cli(['holodules', 'list', '--date', '20240111', '--json'], '', db)).stdout,
    )
    assert.deepEqual(
      listed.map((l: { key: string }) => l.key),
      ['HL0001_20240111_210000'],
    )
    const gone = await cli(['holodules', 'remove', 'HL0001_20240111_210000'], '', db)
    assert.equal(gone.stdout, 'removed HL0001_20240111_210000\n', gone.stderr)
    assert.equal(
      (await cli(['holodules', 'list', '--date', '20240111'], '', db)).stdout,
      'no streams on 20240111\n',
    )
    const status = await cli(['status', '--json'], '', db)
    const parsed = JSON.parse(status.stdout)
    assert.equal(parsed.layout, 'schedules')
    assert.deepEqual(parsed.counts, { holodules: 0, schedules: 1, streamers: 2, users: 0 })
  })

  test('login unblock clears the block failed logins set in the database; the user logs in again', async () => {
    assert.equal((await cli(['user', 'add', 'gina'], 'gina pass word\n')).code, 0)
    // Apps on this database's counters, as every server on it counts them; each one new, so no
    // block is remembered in its process: what the database holds decides.
    const attempt = async (address: string, password: string) => {
      const { app: fresh } = testApp({
        env,
        store,
        loginLimiters: store.loginLimiters(),
        peerAddress: () => address,
      })
      const res = await fresh.request('/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'gina', password }),
      })
      return res.status
    }
    const block = async (address: string) => {
      for (let i = 0; i < 10; i++) assert.equal(await attempt(address, 'wrong password'), 401)
      assert.equal(await attempt(address, 'gina pass word'), 429, `blocked from ${address}`)
    }
    await block('192.0.2.7')
    const elsewhere = await cli(['login', 'unblock', 'gina', '--address', '192.0.2.99'])
    assert.equal(elsewhere.code, 0, elsewhere.stderr)
    assert.equal(elsewhere.stdout, 'nothing to clear: no failures counted for "gina" from 192.0.2.99\n')
    assert.equal(await attempt('192.0.2.7', 'gina pass word'), 429, 'still blocked')

    const all = await cli(['login', 'unblock', 'gina'])
    assert.equal(all.code, 0, all.stderr)
    assert.equal(
      all.stdout,
      'cleared the account limit, the failures from 192.0.2.7 for "gina"; a running server sees it within 10 s\n',
    )
    assert.equal(await attempt('192.0.2.7', 'gina pass word'), 200)

    // One address, IPv6: counted as its /64, cleared with the address's count of the day.
    await block('2001:db8:1:2::7')
    const one = await cli(['login', 'unblock', 'gina', '--address', '2001:db8:1:2::abcd'])
    assert.equal(one.code, 0, one.stderr)
    assert.match(
      one.stdout,
      /^cleared the failures from 2001:db8:1:2::\/64, the day's count of 2001:db8:1:2::\/64 for "gina"/,
    )
    assert.equal(await attempt('2001:db8:1:2::7', 'gina pass word'), 200)
    assertOneLineError(await cli(['login', 'unblock', 'gina', '--address', 'nowhere']), 2)
    assert.equal((await cli(['user', 'rm', 'gina'])).code, 0)
  })

  test('user admin, disable and enable change the flags user list shows; a disabled user cannot log in', async () => {
    assert.equal((await cli(['user', 'add', 'dave'], 'dave pass\n')).code, 0)
    assert.match((await cli(['user', 'admin', 'dave', 'on'])).stdout, /^dave is an admin now/)
    assert.match((await cli(['user', 'disable', 'dave'])).stdout, /^disabled dave/)
    assert.match((await cli(['user', 'list'])).stdout, /\bdave\s+admin,disabled\n/)
    assert.equal(await login('dave', 'dave pass'), 401)
    assert.match((await cli(['user', 'enable', 'dave'])).stdout, /^enabled dave/)
    assert.equal(await login('dave', 'dave pass'), 200)
    assertOneLineError(await cli(['user', 'admin', 'dave', 'maybe']), 2)
    assertOneLineError(await cli(['user', 'disable', 'nobody']), 1)
    assert.equal((await cli(['user', 'rm', 'dave'])).code, 0)
  })

  test('a user added on Bun (running the TypeScript source) logs in and is listed', async () => {
    const add = await exec(BUN, ['--no-env-file', MAIN_TS, 'user', 'add', 'carol'], env, 'carol pass\n')
    assert.equal(add.code, 0, add.stderr)
    assert.equal(await login('carol', 'carol pass'), 200)

    const list = await cli(['user', 'list'])
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /\bcarol\n$/)
  })

  test('on a terminal the password is asked twice and never echoed', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal; we answer each prompt once it shows.
    const child = spawn('script', ['-qec', `"${process.execPath}" "${bin}" user add erin`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', SHELL: '/bin/sh', TERM: 'dumb', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', () => reject(new Error('`script` is needed: apt-get install bsdutils'))),
    )
    let screen = ''
    const waitFor = (text: string) =>
      Promise.race([
        spawnError,
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} in ${screen}`)), 15_000)
          const check = () => {
            if (!screen.includes(text)) return
            clearTimeout(timer)
            child.stdout.off('data', check)
            resolve()
          }
          child.stdout.on('data', check)
          check()
        }),
      ])
    child.stdout.on('data', (d) => {
      screen += d
    })
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    try {
      await waitFor('New password for erin: ')
      child.stdin.write('tty secret\r')
      await waitFor('Repeat the password: ')
      child.stdin.write('tty secret\r')
      await waitFor('added user erin')
    } finally {
      child.stdin.end()
      if ((await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000, 'late'))])) === 'late')
        child.kill('SIGKILL')
    }
    assert.doesNotMatch(screen, /tty secret/, 'the password was echoed')
    assert.equal(await login('erin', 'tty secret'), 200)
  })

  test('data-api serves the gateway until SIGTERM', async () => {
    const port = await freePort()
    const key = 'cli-gateway-key-0123456789abcdefghij'
    const gateway = await startServer({
      what: 'holodule data-api',
      command: process.execPath,
      args: [bin, 'data-api'],
      env: {
        PATH: process.env.PATH,
        ...env,
        DATA_API_PORT: String(port),
        DATA_API_KEYS: `reader:${key}@${DB}.users=read`,
        LOG_LEVEL: 'warn',
      },
      port,
    })
    try {
      const res = await fetch(`http://127.0.0.1:${port}/action/find`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'api-key': key },
        body: JSON.stringify({ dataSource: 'mongodb-atlas', database: DB, collection: 'users', filter: {} }),
      })
      assert.equal(res.status, 200)
      assert.ok(Array.isArray(((await res.json()) as { documents: unknown[] }).documents))
    } finally {
      assert.equal(await gateway.stop(), 0)
    }
  })

  test('configuration and connection errors are one line naming the variable', async () => {
    const noUri = await cli(['user', 'list'], '', { MONGODB_URI: '' })
    assertOneLineError(noUri, 1)
    assert.match(noUri.stderr, /MONGODB_URI/)
    assertOneLineError(await cli(['holodules', 'import', 'whatever.jsonl'], '', { MONGODB_URI: '' }), 1)

    const started = Date.now()
    const port = await freePort()
    const dead = await cli(['user', 'list'], '', {
      MONGODB_URI: `mongodb://admin:hunter2-secret@127.0.0.1:${port}/`,
    })
    assertOneLineError(dead, 1)
    assert.match(
      dead.stderr,
      /cannot reach the database at MONGODB_URI \(mongodb:\/\/admin:\*\*\*@127\.0\.0\.1:/,
    )
    assert.doesNotMatch(dead.stderr, /hunter2/)
    assert.ok(Date.now() - started < 10_000, 'fails within the 2 s server selection, plus start-up')
  })

  test('feed add, list, remove: the calendar through the app on this database, and 404 once removed', async () => {
    assert.equal((await cli(['user', 'add', 'fiona'], 'fiona pass\n')).code, 0)
    // USER_CACHE_TTL=0: a running app keeps a live feed that long, so a removal by the CLI shows
    // within it (README); with 0 the feed is looked up on every poll.
    const feedApp = testApp({ env: { ...env, USER_CACHE_TTL: '0' }, store, feeds: store.feeds() }).app
    const args = ['--group', 'hololive', '--base-url', 'https://holodule.example.org']
    const add = await cli(['feed', 'add', 'fiona', ...args])
    assert.equal(add.code, 0, add.stderr)
    const [, path, secret] =
      add.stdout.match(/^https:\/\/holodule\.example\.org(\/calendar\/([\w-]{43})\.ics)$/m) ?? []
    assert.ok(path && secret, add.stdout)
    const poll = () => feedApp.request(`https://holodule.example.org${path}`)
    const served = await poll()
    assert.equal(served.status, 200)
    assert.equal(served.headers.get('Content-Type'), 'text/calendar; charset=utf-8')
    assert.match(await served.text(), /^BEGIN:VCALENDAR\r\n[\s\S]*X-WR-CALNAME:[\s\S]*END:VCALENDAR\r\n$/)

    const list = await cli(['feed', 'list', 'fiona', '--json'])
    const [row] = JSON.parse(list.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(row && [row.username, row.group, row.state], ['fiona', 'hololive', 'live'])
    const client = new MongoClient(mongo.uri)
    try {
      const docs = await client.db(DB).collection('feeds').find({ username: 'fiona' }).toArray()
      assert.equal(docs.length, 1)
      assert.match(String(docs[0]?._id), /^[0-9a-f]{64}$/)
      assert.ok(
        !JSON.stringify(docs).includes(secret) && !list.stdout.includes(secret),
        'the secret is not kept',
      )
    } finally {
      await client.close()
    }

    const rm = await cli(['feed', 'remove', 'fiona', String(row?.id)])
    assert.equal(rm.code, 0, rm.stderr)
    // The calendar of this filter is cached, but with USER_CACHE_TTL=0 the feed is looked up on every poll.
    assert.equal((await poll()).status, 404)
    assertOneLineError(await cli(['feed', 'add', 'ghost']), 1)
    assert.equal((await cli(['user', 'rm', 'fiona'])).code, 0)
  })

  test('--help for the program and every command; usage errors exit 2', async () => {
    // Four processes at a time: two dozen at once missed the 30 s bound on a loaded two-core machine.
    const argvs = [['--help'], ...Object.keys(COMMANDS).map((name) => [...name.split(' '), '--help'])]
    const helps: Result[] = []
    for (let i = 0; i < argvs.length; i += 4)
      helps.push(...(await Promise.all(argvs.slice(i, i + 4).map((argv) => cli(argv)))))
    assert.equal(helps[0]?.code, 0)
    for (const name of Object.keys(COMMANDS)) assert.ok(helps[0]?.stdout.includes(name), name)
    Object.keys(COMMANDS).forEach((name, i) => {
      const r = helps[i + 1] as Result
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`^Usage: holodule ${name}\\b`))
    })
    const usage = await Promise.all(
      [[], ['nope'], ['user'], ['user', 'add'], ['user', 'list', '--bogus']].map((args) => cli(args)),
    )
    for (const r of usage) assertOneLineError(r, 2)
  })
})
