import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import {
  DB_NAME,
  EMPTY_DAY,
  HASHED_USER,
  SECRET,
  SEED_DAY,
  SEED_DAY_KEYS,
  seedMongo,
} from '#harness/fixtures.js'
import { type ProcessRuntime, REPO_ROOT } from '#harness/server-process.js'
import {
  BadDateError,
  createClient,
  type Fetch,
  type Holodule,
  InvalidCredentialsError,
  NotFoundError,
  ThrottledError,
  TokenError,
  TooLargeError,
  UnavailableError,
  UnexpectedResponseError,
} from '#src/client/index.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

const run = promisify(execFile)

// The client's row is the server's row, `code` optional: a change on either side fails tsc here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameRow: Same<Required<Holodule>, Readonly<HoloduleRecord>> = true

/** What went over the wire: a real fetch that also notes each request and its status (no mock). */
const recorder = () => {
  const log: Array<{ method: string; path: string; status: number; ifNoneMatch: string | null }> = []
  const fetch: Fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init)
    log.push({
      method: init.method ?? 'GET',
      path: new URL(input).pathname,
      status: res.status,
      ifNoneMatch: new Headers(init.headers).get('If-None-Match'),
    })
    return res
  }
  return {
    fetch,
    log,
    gets: () => log.filter((l) => l.method === 'GET').map((l) => l.status),
    posts: () => log.filter((l) => l.method === 'POST').map((l) => l.status),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs `f`, which must throw an error of `type`, and returns it for more checks. */
const rejects = async <E>(f: () => Promise<unknown>, type: new (...args: never[]) => E): Promise<E> => {
  try {
    await f()
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`)
    return e
  }
  assert.fail(`expected ${type.name}, but it resolved`)
}

/** The README's example (six lines, a blank one, four of the third generation), as written. */
const readmeExample = (): string => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Typed client')))?.[1] ?? ''
  assert.equal(block.trim().split('\n').length, 11, block)
  return block
}

const withoutCode = ({ code: _code, ...row }: Holodule) => row

for (const runtime of ['node', 'bun'] as const satisfies ProcessRuntime[]) {
  describe(`holodule-api/client against the ${runtime} entry on FerretDB`, () => {
    let mongo: MongoServer
    /** Throttles at the first failure and hashes one login at a time with no queue: every limit is reachable. */
    let server: EntryProcess
    /** AUTH_GENERATIONS=1: the second generation's routes and scheme answer as if they did not exist. */
    let firstOnly: EntryProcess
    /** Tokens of both generations live two seconds (long enough for a login and a read on a busy machine). */
    let shortLived: EntryProcess

    before(async () => {
      mongo = await startMongo()
      await seedMongo(mongo.uri)
      const env = { MONGODB_URI: mongo.uri, MONGODB_DB: DB_NAME, JWT_SECRET_KEY: SECRET, LOG_LEVEL: 'warn' }
      ;[server, shortLived, firstOnly] = await Promise.all([
        startEntry(runtime, {
          ...env,
          LOGIN_MAX_CONSECUTIVE_FAILS: '1',
          LOGIN_HASH_CONCURRENCY: '1',
          LOGIN_QUEUE_TIMEOUT_MS: '0',
          MONGODB_REQUEST_TIMEOUT_MS: '1000',
        }),
        startEntry(runtime, { ...env, JWT_EXPIRATION_DELTA: '2', JWT_ACCESS_TOKEN_EXPIRES: '2' }),
        startEntry(runtime, { ...env, AUTH_GENERATIONS: '1' }),
      ])
    })
    after(async () => {
      await server?.stop(500)
      await shortLived?.stop(500)
      await firstOnly?.stop(500)
      await mongo?.dispose()
    })

    it('logs in and reads a day in either generation: the same rows, `code` kept in the second', async () => {
      assert.equal(sameRow, true)
      const first = createClient({ baseUrl: server.baseUrl })
      const second = createClient({ baseUrl: `${server.baseUrl}/`, generation: 2 })
      await first.login(HASHED_USER.username, HASHED_USER.password)
      await second.login(HASHED_USER.username, HASHED_USER.password)
      const [rows1, rows2] = [await first.getDay(SEED_DAY), await second.getDay(SEED_DAY)]
      assert.deepEqual(
        rows1.map((r) => r.key),
        SEED_DAY_KEYS,
      )
      assert.ok(rows1.every((r) => r.code === undefined))
      assert.deepEqual(
        rows2.map((r) => r.code),
        SEED_DAY_KEYS.map((k) => k.split('_')[0]),
      )
      assert.deepEqual(rows2.map(withoutCode), rows1)
      assert.equal(rows1[1]?.name, '尾丸ポルカ')
    })

    it('an empty day is [] in both generations (the first one`s 404, the second one`s [])', async () => {
      for (const generation of [1, 2] as const) {
        const rec = recorder()
        const client = createClient({ baseUrl: server.baseUrl, generation, fetch: rec.fetch })
        await client.login(HASHED_USER.username, HASHED_USER.password)
        assert.deepEqual(await client.getDay(EMPTY_DAY), [])
        assert.deepEqual(rec.gets(), [generation === 1 ? 404 : 200])
      }
    })

    it('sends the ETag back and answers a 304 from memory', async () => {
      for (const generation of [1, 2] as const) {
        const rec = recorder()
        const client = createClient({ baseUrl: server.baseUrl, generation, fetch: rec.fetch })
        await client.login(HASHED_USER.username, HASHED_USER.password)
        const fresh = await client.getDay(SEED_DAY)
        const again = await client.getDay(SEED_DAY)
        assert.deepEqual(rec.gets(), [200, 304])
        const [, revalidation] = rec.log.filter((l) => l.method === 'GET')
        assert.match(revalidation?.ifNoneMatch ?? '', /^"[\w-]+"$/)
        assert.deepEqual(again, fresh)
        assert.equal(again.length, SEED_DAY_KEYS.length)
        // A caller that changes its copy does not change what the next 304 answers.
        again.length = 0
        assert.equal((await client.getDay(SEED_DAY)).length, SEED_DAY_KEYS.length)
      }
    })

    it('logs in again by itself once the token has expired, one login for concurrent reads', async () => {
      await Promise.all(
        ([1, 2] as const).map(async (generation) => {
          const rec = recorder()
          const client = createClient({ baseUrl: shortLived.baseUrl, generation, fetch: rec.fetch })
          await client.login(HASHED_USER.username, HASHED_USER.password)
          const before = client.token
          assert.equal((await client.getDay(SEED_DAY)).length, SEED_DAY_KEYS.length)
          // exp = iat + 2 in whole seconds: past it for sure three seconds later.
          await sleep(3100)
          // Counted from here: on a loaded machine the first read may already have renewed.
          rec.log.length = 0
          const days = await Promise.all([
            client.getDay(SEED_DAY),
            client.getDay(SEED_DAY),
            client.getDay(EMPTY_DAY),
          ])
          assert.deepEqual(
            days.map((d) => d.length),
            [SEED_DAY_KEYS.length, SEED_DAY_KEYS.length, 0],
          )
          assert.deepEqual(rec.posts(), [200], 'one renewal for the three reads')
          assert.equal(rec.gets().filter((s) => s === 401).length, 3, JSON.stringify(rec.log))
          assert.notEqual(client.token, before)

          // A saved token that expired, with no credentials to renew it, is a TokenError that says so.
          const saved = createClient({ baseUrl: shortLived.baseUrl, generation, token: before })
          const e = await rejects(() => saved.getDay(SEED_DAY), TokenError)
          assert.equal(e.status, 401)
          assert.equal(e.expired, true)
          assert.equal(e.kind, 'token')
          if (generation === 1) {
            assert.equal(e.error, 'Invalid token')
            assert.equal(e.description, 'Signature has expired')
          } else assert.equal(e.description, 'Token has expired')
        }),
      )
    })

    it('wrong credentials, then throttled with Retry-After, in each generation`s words', async () => {
      for (const generation of [1, 2] as const) {
        const client = createClient({ baseUrl: server.baseUrl, generation })
        const name = `ghost-${generation}`
        const wrong = await rejects(() => client.login(name, 'nope'), InvalidCredentialsError)
        assert.equal(wrong.status, 401)
        assert.equal(wrong.kind, 'invalid-credentials')
        assert.deepEqual(
          wrong.body,
          generation === 1
            ? { status_code: 401, error: 'Bad Request', description: 'Invalid credentials' }
            : { error: 'Unauthorized' },
        )
        const throttled = await rejects(() => client.login(name, 'nope'), ThrottledError)
        assert.equal(throttled.status, 429)
        assert.ok(throttled.retryAfter >= 1 && throttled.retryAfter <= 60, String(throttled.retryAfter))
        assert.equal(client.token, undefined)
        assert.doesNotMatch(`${wrong.message} ${throttled.message}`, /nope/)
      }
    })

    it('a bad date is the server`s 400 as a BadDateError; the date travels as one path segment', async () => {
      for (const generation of [1, 2] as const) {
        const rec = recorder()
        const client = createClient({ baseUrl: server.baseUrl, generation, fetch: rec.fetch })
        await client.login(HASHED_USER.username, HASHED_USER.password)
        // `2020/1209` and `?x` would be another path (a 404, an empty day) if sent as they are.
        for (const date of ['2020-12-09', '20201332', '2020/1209', '?date=20201209', '........', '%32%30']) {
          const e = await rejects(() => client.getDay(date), BadDateError)
          assert.equal(e.status, 400, date)
          assert.equal(e.date, date)
        }
        assert.deepEqual(rec.gets(), [400, 400, 400, 400, 400, 400])
        // `..` cannot be a path segment at all: refused before any request.
        const local = await rejects(() => client.getDay('..'), BadDateError)
        assert.equal(local.status, 0)
        assert.equal(rec.gets().length, 6)
      }
    })

    it('token problems are TokenErrors with the contract`s words, and no re-login for them', async () => {
      const noToken = await rejects(
        () => createClient({ baseUrl: server.baseUrl }).getDay(SEED_DAY),
        TokenError,
      )
      assert.deepEqual(
        [noToken.status, noToken.error, noToken.description, noToken.expired],
        [401, 'Authorization Required', 'Request does not contain an access token', false],
      )
      const bad1 = await rejects(
        () => createClient({ baseUrl: server.baseUrl, token: 'a.b' }).getDay(SEED_DAY),
        TokenError,
      )
      assert.deepEqual(
        [bad1.status, bad1.error, bad1.description],
        [401, 'Invalid token', 'Not enough segments'],
      )
      const bad2 = await rejects(
        () => createClient({ baseUrl: server.baseUrl, token: 'a.b', generation: 2 }).getDay(SEED_DAY),
        TokenError,
      )
      assert.deepEqual([bad2.status, bad2.description], [422, 'Not enough segments'])

      // A forged token with credentials at hand: still an error, not a silent re-login.
      const rec = recorder()
      const client = createClient({ baseUrl: server.baseUrl, fetch: rec.fetch })
      await client.login(HASHED_USER.username, HASHED_USER.password)
      const forged = createClient({ baseUrl: server.baseUrl, fetch: rec.fetch, token: `${client.token}x` })
      const e = await rejects(() => forged.getDay(SEED_DAY), TokenError)
      assert.equal(e.description, 'Signature verification failed')
      assert.deepEqual(rec.posts(), [200])
    })

    it('a second-generation client on a first-generation-only server (AUTH_GENERATIONS=1) gets typed errors', async () => {
      const second = createClient({ baseUrl: firstOnly.baseUrl, generation: 2 })
      const login = await rejects(
        () => second.login(HASHED_USER.username, HASHED_USER.password),
        UnexpectedResponseError,
      )
      assert.deepEqual([login.status, login.body], [404, { error: 'Not found' }])
      // A token from the first generation's login, sent with Bearer: the scheme is not served there.
      const first = createClient({ baseUrl: firstOnly.baseUrl })
      await first.login(HASHED_USER.username, HASHED_USER.password)
      assert.equal((await first.getDay(SEED_DAY)).length, SEED_DAY_KEYS.length)
      const bearer = createClient({ baseUrl: firstOnly.baseUrl, generation: 2, token: first.token })
      const e = await rejects(() => bearer.getDay(SEED_DAY), TokenError)
      assert.deepEqual(
        [e.status, e.error, e.description],
        [401, 'Invalid JWT header', 'Unsupported authorization type'],
      )
    })

    it('the third generation: logs in at /token and reads the same day through /schedules, in its shape', async () => {
      const rec = recorder()
      const third = createClient({ baseUrl: server.baseUrl, generation: 3, fetch: rec.fetch })
      await third.login(HASHED_USER.username, HASHED_USER.password)
      const iso = `${SEED_DAY.slice(0, 4)}-${SEED_DAY.slice(4, 6)}-${SEED_DAY.slice(6)}`
      const items = await third.listSchedules({ sdate: iso, edate: iso })
      // The 2020 layout read as the 2024 one: the same streams, newest first, with the new fields.
      assert.deepEqual(
        items.map((s) => s.key),
        SEED_DAY_KEYS,
      )
      assert.ok(items.every((s) => s.streaming_at.startsWith(iso) && s.published_at === null))
      assert.deepEqual(await third.getSchedule(items[0]?.id ?? ''), items[0])
      const missing = await rejects(() => third.getStreamer('nope'), NotFoundError)
      assert.deepEqual([missing.status, missing.identifier], [404, 'nope'])
      assert.deepEqual(
        rec.log.map((l) => `${l.method} ${l.path} ${l.status}`),
        [
          'POST /token 200',
          'GET /schedules 200',
          `GET /schedules/${items[0]?.id} 200`,
          'GET /streamers/nope 404',
        ],
      )
      // A second-generation client reads it as well; where the third generation is off, /token is 404.
      const second = createClient({ baseUrl: server.baseUrl, generation: 2 })
      await second.login(HASHED_USER.username, HASHED_USER.password)
      assert.deepEqual(
        (await second.listSchedules({ sdate: iso, edate: iso })).map((s) => s.key),
        SEED_DAY_KEYS,
      )
      const off = createClient({ baseUrl: firstOnly.baseUrl, generation: 3 })
      const login = await rejects(
        () => off.login(HASHED_USER.username, HASHED_USER.password),
        UnexpectedResponseError,
      )
      assert.equal(login.status, 404)
    })

    it('a login body over the limit is a TooLargeError', async () => {
      for (const generation of [1, 2] as const) {
        const client = createClient({ baseUrl: server.baseUrl, generation })
        const e = await rejects(() => client.login('u'.repeat(9000), 'p'), TooLargeError)
        assert.equal(e.status, 413)
      }
    })

    it('a full login queue is an UnavailableError with Retry-After', async () => {
      // Only an address with a failure counted is ever answered busy (the contract: a clean address
      // never is): one failure first, then, one suspect slot and no queue, the second of two logins
      // at once finds the slot taken.
      await assert.rejects(createClient({ baseUrl: server.baseUrl }).login('nobody-at-all', 'wrong-password'))
      const clients = [1, 2].map(() => createClient({ baseUrl: server.baseUrl }))
      const results = await Promise.allSettled(
        clients.map((c) => c.login(HASHED_USER.username, HASHED_USER.password)),
      )
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
      assert.equal(failed.length, 1, JSON.stringify(results))
      const busy = failed[0]
      assert.ok(busy instanceof UnavailableError, String(busy))
      assert.equal(busy.status, 503)
      assert.deepEqual(busy.body, {
        status_code: 503,
        error: 'Service Unavailable',
        description: 'Login is busy',
      })
      assert.ok(busy.retryAfter !== undefined && busy.retryAfter >= 1, String(busy.retryAfter))
    })

    it('imported by name, holodule-api/client runs in Node and Bun (the built package)', async () => {
      const script = `
        import { createClient } from 'holodule-api/client'
        const user = [${JSON.stringify(HASHED_USER.username)}, ${JSON.stringify(HASHED_USER.password)}]
        const client = createClient({ baseUrl: ${JSON.stringify(server.baseUrl)}, generation: 2 })
        await client.login(...user)
        const third = createClient({ baseUrl: ${JSON.stringify(server.baseUrl)}, generation: 3 })
        await third.login(...user)
        const day = '${SEED_DAY}'.replace(/^(....)(..)(..)$/, '$1-$2-$3')
        console.log(JSON.stringify([
          (await client.getDay('${SEED_DAY}')).map((r) => r.code),
          (await third.listSchedules({ sdate: day, edate: day })).map((s) => s.code),
        ]))`
      const runners: Array<[string, string[]]> = [
        [process.execPath, ['--input-type=module', '-e', script]],
        [join(REPO_ROOT, 'node_modules', '.bin', 'bun'), ['--no-env-file', '-e', script]],
      ]
      for (const [command, args] of runners) {
        const { stdout } = await run(command, args, {
          cwd: REPO_ROOT,
          timeout: 20_000,
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
        })
        const codes = SEED_DAY_KEYS.map((k) => k.split('_')[0])
        assert.deepEqual(JSON.parse(stdout), [codes, codes], command)
      }
    })

    it('runs the README example as written (under Bun, which runs its TypeScript)', async () => {
      // Inside the package (dist/ is ignored by git), so 'holodule-api/client' resolves by name.
      const tmp = mkdtempSync(join(REPO_ROOT, 'dist', '.client-readme-'))
      try {
        const file = join(tmp, 'example.ts')
        // The short-lived server: its throttle is the default one, and the example logs in as user01.
        writeFileSync(file, readmeExample().replaceAll('http://127.0.0.1:5000', shortLived.baseUrl))
        const bun = join(REPO_ROOT, 'node_modules', '.bin', 'bun')
        const { stdout } = await run(bun, ['--no-env-file', file], {
          cwd: REPO_ROOT,
          timeout: 20_000,
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
        })
        const lines = stdout.trim().split('\n')
        const n = SEED_DAY_KEYS.length
        assert.ok(lines.length > n + 1 && lines.length <= 2 * n + 1, stdout)
        assert.equal(lines[1], '20201209 230000 尾丸ポルカ 【雑談】ポルカの夜')
        assert.equal(lines[n], 'bad-date 400')
        // The same day through the third generation, of the group's members (all when none is stored).
        assert.ok(lines.slice(n + 1).includes('2020-12-09T23:00:00 HL0503 【雑談】ポルカの夜'), stdout)
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    })

    // Last: it stops the database this describe's servers share.
    it('a database that is down is an UnavailableError, and the same client reads once it is back', async () => {
      const client = createClient({ baseUrl: server.baseUrl })
      await client.login(HASHED_USER.username, HASHED_USER.password)
      await mongo.stop()
      try {
        // A day no test asked for, so no cached answer hides the outage.
        const down = await rejects(() => client.getDay('20201210'), UnavailableError)
        assert.equal(down.status, 503)
        assert.deepEqual(down.body, { error: 'Service Unavailable' })
        // Every 503 says when to come back (the app's SERVICE_UNAVAILABLE_RETRY_AFTER_S).
        assert.equal(down.retryAfter, 2)
      } finally {
        await mongo.start()
      }
      const deadline = Date.now() + 15_000
      for (;;) {
        try {
          assert.equal((await client.getDay('20201210')).length, 1)
          break
        } catch (e) {
          if (!(e instanceof UnavailableError) || Date.now() > deadline) throw e
          await sleep(200)
        }
      }
    })
  })
}

describe('the built holodule-api/client', () => {
  const dir = join(REPO_ROOT, 'dist', 'client')
  const files = () => {
    const names = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))
    assert.ok(names.includes('index.js') && names.includes('index.d.ts'), `run npm run build first: ${names}`)
    return names
  }

  it('imports nothing but its own files: no node:*, no hono, no server code', () => {
    for (const name of files()) {
      const source = readFileSync(join(dir, name), 'utf8')
      const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map(
        (m) => m[1],
      )
      assert.ok(name !== 'index.js' || specifiers.length > 0, 'the index re-exports its files')
      for (const s of specifiers) assert.match(s ?? '', /^\.\/[\w-]+\.js$/, `${name} imports ${s}`)
      assert.doesNotMatch(source, /\bprocess\.|\brequire\(|Buffer\b/, name)
    }
  })

  it('resolves by name for TypeScript too (exports → types): its types catch a misuse and pass the README example', async () => {
    // Inside the package (dist/ is ignored by git), so the name resolves through package.json's exports.
    const tmp = mkdtempSync(join(REPO_ROOT, 'dist', '.client-types-'))
    try {
      const file = join(tmp, 'use.ts')
      writeFileSync(
        file,
        [
          "import { createClient, type Holodule, HoloduleApiError, type ScheduleItem } from 'holodule-api/client'",
          "const client = createClient({ baseUrl: 'http://127.0.0.1:5000', generation: 2 })",
          "export const titles = async (): Promise<string[]> => (await client.getDay('20201209')).map((r: Holodule) => r.title)",
          'export const kind = (e: unknown) => (e instanceof HoloduleApiError ? e.kind : undefined)',
          "export const items = async () => (await client.listSchedules({ group: 'hololive' })).map((s: ScheduleItem) => s.tags)",
          '// @ts-expect-error generation is 1, 2 or 3',
          "createClient({ baseUrl: 'x', generation: 4 })",
        ].join('\n'),
      )
      // No @types: the declarations must stand on the DOM library alone, as in a browser project.
      writeFileSync(join(tmp, 'readme.ts'), `${readmeExample()}export {}\n`)
      const compilerOptions = {
        noEmit: true,
        strict: true,
        target: 'es2022',
        module: 'nodenext',
        lib: ['es2022', 'dom'],
        types: [],
      }
      const files = ['use.ts', 'readme.ts']
      writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }))
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
      const result = await run(process.execPath, [tsc, '-p', join(tmp, 'tsconfig.json')], {
        cwd: REPO_ROOT,
        timeout: 120_000,
      }).catch((e: { stdout?: string; message: string }) => assert.fail(e.stdout || e.message))
      assert.equal(result.stdout, '')
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })
})
