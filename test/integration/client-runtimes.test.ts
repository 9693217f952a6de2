import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium } from 'playwright-core'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { DB_NAME, HASHED_USER, SECRET, SEED_DAY, SEED_DAY_KEYS, seedMongo } from '#harness/fixtures.js'
import { type RunningTarget, wranglerDev } from '#harness/runtimes.js'
import { REPO_ROOT } from '#harness/server-process.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

/** Debian's chromium (scripts/test-deps.sh installs it). */
const CHROMIUM = '/usr/bin/chromium'

/**
 * The built holodule-api/client where it is meant to run besides Node and Bun: inside workerd (a
 * Worker under wrangler dev) and in a browser page on another origin (Debian's chromium), each
 * against a real Node entry on FerretDB.
 */
describe('holodule-api/client in workerd and in a browser', () => {
  let mongo: MongoServer
  let server: EntryProcess

  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'client', 'index.js')), 'run npm run build first')
    mongo = await startMongo()
    await seedMongo(mongo.uri)
    server = await startEntry('node', {
      MONGODB_URI: mongo.uri,
      MONGODB_DB: DB_NAME,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'warn',
    })
  })
  after(async () => {
    await server?.stop(500)
    await mongo?.dispose()
  })

  it('runs inside workerd: logs in, reads a day, revalidates with a 304, types its errors', async () => {
    let worker: RunningTarget | undefined
    try {
      worker = await wranglerDev('worker', 'test/support/client-worker.mjs', [], DB_NAME, {
        API_URL: server.baseUrl,
      })
      const ask = async (body: Record<string, unknown>) => {
        const res = await fetch(worker!.baseUrl, { method: 'POST', body: JSON.stringify(body) })
        assert.equal(res.status, 200, worker!.output())
        return (await res.json()) as Record<string, unknown>
      }
      // The third generation logs in with /token's form; its Bearer token reads the day as the second's does.
      for (const generation of [1, 2, 3]) {
        assert.deepEqual(await ask({ ...HASHED_USER, day: SEED_DAY, generation }), {
          keys: SEED_DAY_KEYS,
          same: true,
          statuses: [200, 200, 304],
        })
      }
      assert.deepEqual(await ask({ ...HASHED_USER, day: '2020-12-09', generation: 2 }), {
        kind: 'bad-date',
        status: 400,
        statuses: [200, 400],
      })
      assert.deepEqual(
        await ask({ username: HASHED_USER.username, password: 'wrong', day: SEED_DAY, generation: 1 }),
        {
          kind: 'invalid-credentials',
          status: 401,
          statuses: [401],
        },
      )
    } finally {
      await worker?.stop()
    }
  })

  it('runs in a browser page on another origin (CORS), every generation', async () => {
    assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: apt-get install chromium`)
    // The page's origin: a static server of dist/client and an empty page, on its own port.
    const port = await freePort()
    const pages: Server = createServer((req, res) => {
      const name = /^\/client\/([\w-]+\.js)$/.exec(req.url ?? '')?.[1]
      if (name) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' })
        res.end(readFileSync(join(REPO_ROOT, 'dist', 'client', name)))
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html' })
        res.end('<!doctype html><title>client</title>')
      }
    })
    await new Promise<void>((resolve) => pages.listen(port, '127.0.0.1', resolve))
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox'],
      timeout: 30_000,
    })
    try {
      // A fresh context (its own HTTP cache) per generation: the server sends no `Vary: Authorization`,
      // so in one cache the second generation's read was answered with the first one's cached body.
      const inPage = async (generation: 1 | 2 | 3) => {
        const context = await browser.newContext()
        const page = await context.newPage()
        await page.goto(`http://127.0.0.1:${port}/`)
        const result = await page.evaluate(
          async ({ api, user, day, generation }) => {
            // The page's own copy of dist/client; its types are the source's.
            const { createClient, HoloduleApiError } = (await import(
              '/client/index.js' as string
            )) as typeof import('#src/client/index.js')
            const client = createClient({ baseUrl: api, generation })
            await client.login(user.username, user.password)
            const rows = await client.getDay(day)
            const bad = await client
              .getDay('2020-12-09')
              .catch((e: unknown) => (e instanceof HoloduleApiError ? `${e.kind} ${e.status}` : String(e)))
            // The third generation's reads (preflighted: Authorization), on generations 2 and 3.
            const iso = day.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')
            const schedules =
              generation === 1
                ? null
                : (await client.listSchedules({ sdate: iso, edate: iso })).map((s) => s.key)
            return {
              origin: location.origin,
              keys: rows.map((r) => r.key),
              code: rows[0]?.code ?? null,
              bad,
              schedules,
            }
          },
          { api: server.baseUrl, user: HASHED_USER, day: SEED_DAY, generation },
        )
        await context.close()
        return result
      }
      const origin = `http://127.0.0.1:${port}`
      assert.notEqual(origin, server.baseUrl)
      const answers = { origin, keys: SEED_DAY_KEYS, bad: 'bad-date 400' }
      assert.deepEqual(await inPage(1), { ...answers, code: null, schedules: null })
      for (const generation of [2, 3] as const)
        assert.deepEqual(await inPage(generation), { ...answers, code: 'HL0203', schedules: SEED_DAY_KEYS })
    } finally {
      await browser.close()
      await new Promise((r) => pages.close(r))
    }
  })
})
