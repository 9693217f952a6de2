import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, LEGACY_USER, SEED_DAY, SEED_DAY_KEYS, seedMongo } from '#harness/fixtures.js'
import { curlFetch, type RunningTarget, startGateway, WORKER_KEY, wranglerDev } from '#harness/runtimes.js'
import { readRepoFile } from '../support/variable-names.js'

/**
 * The Worker's gateway key, as wrangler.toml.example grants it. That file once granted holodules and
 * users only, and every login through the Worker answered 503 (the throttle counts failures in
 * login_attempts). The grant is written in five places; they must say the same, and the Worker must
 * log in and read with exactly that grant.
 */
const DB = 'example_grant'

/** `ns=a+b,ns2=c` (namespaces with or without `holoduledb.`) as namespace → sorted actions. */
const parseCompact = (grant: string): Record<string, string> =>
  Object.fromEntries(
    grant.split(',').map((entry) => {
      const [ns = '', access = ''] = entry.split('=')
      return [ns.replace(/^holoduledb\./, ''), access.split('+').sort().join('+')]
    }),
  )

const match = (file: string, pattern: RegExp): string => {
  const found = pattern.exec(readRepoFile(file))?.[1]
  assert.ok(found, `${file}: no grant matching ${pattern}`)
  return found
}

/** wrangler.toml.example's grant as written: the comment line of `holoduledb.<collection>=…` entries. */
const exampleGrant = (): string => match('wrangler.toml.example', /^#\s+(holoduledb\.\w+=[^\s]+)$/m)

const grants = (): Record<string, Record<string, string>> => {
  const json = match('docs/data-api.md', /DATA_API_KEYS='(\[\{"name":"worker".*\])'/)
  const allow = (JSON.parse(json) as Array<{ allow: Record<string, string> }>)[0]?.allow ?? {}
  return {
    'wrangler.toml.example': parseCompact(exampleGrant()),
    'README.md ("At the edge")': parseCompact(match('README.md', /the Worker's key needs only\s+`([^`]+)`/)),
    'docs/data-api.md (compact form)': parseCompact(match('docs/data-api.md', /'worker:<key>@([^;']+)[;']/)),
    'docs/data-api.md (JSON form)': parseCompact(
      Object.entries(allow)
        .map(([ns, access]) => `${ns}=${access}`)
        .join(','),
    ),
    '.dev.vars.example': parseCompact(match('.dev.vars.example', /worker:<key>@([^']+)'/)),
    '.env.example': parseCompact(match('.env.example', /^#DATA_API_KEYS=worker:<[^>]*>@(\S+)$/m)),
  }
}

/** wrangler.toml.example's `[vars]` and compatibility flags: the Worker runs as the example configures it. */
const exampleVars = (): Record<string, string> => {
  const text = readRepoFile('wrangler.toml.example')
  const vars = text.slice(text.indexOf('[vars]'))
  return Object.fromEntries([...vars.matchAll(/^([A-Z][A-Z0-9_]*) = "([^"]*)"$/gm)].map((m) => [m[1], m[2]]))
}
const exampleFlags = (): string[] => {
  const flags = /^compatibility_flags = \[(.*)\]$/m.exec(readRepoFile('wrangler.toml.example'))?.[1]
  assert.ok(flags, 'wrangler.toml.example sets compatibility_flags')
  return [...flags.matchAll(/"([^"]+)"/g)].flatMap((m) => ['--compatibility-flags', m[1] as string])
}

describe("the Worker's gateway grant, as wrangler.toml.example writes it", () => {
  it('is the same in wrangler.toml.example, README.md, docs/data-api.md, .dev.vars.example and .env.example', () => {
    const all = grants()
    const expected = all['wrangler.toml.example']
    assert.ok(expected?.login_attempts, 'the grant covers login_attempts')
    for (const [where, grant] of Object.entries(all)) assert.deepEqual(grant, expected, where)
  })

  describe('is enough for the Worker: log in, fail a login, read a day (one wrangler dev)', () => {
    let mongo: MongoServer
    let gateway: Awaited<ReturnType<typeof startGateway>> | undefined
    let worker: RunningTarget | undefined
    before(async () => {
      mongo = await startMongo()
      await seedMongo(mongo.uri, DB)
      // Exactly the example's grant, only its database renamed to the test's.
      gateway = await startGateway(mongo.uri, exampleGrant().replaceAll('holoduledb.', `${DB}.`))
      worker = await wranglerDev('worker', 'src/entry/worker.ts', exampleFlags(), DB, {
        ...exampleVars(),
        DATA_API_URL: gateway.url,
        DATA_API_KEY: WORKER_KEY,
        MONGODB_DB: DB,
        LOG_LEVEL: 'warn',
      })
    })
    after(async () => {
      await worker?.stop()
      await gateway?.stop()
      await mongo?.dispose()
    })

    const output = () => `${worker?.output() ?? ''}\n${gateway?.output() ?? ''}`
    const post = (path: string, body: unknown) =>
      curlFetch(`${worker?.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })

    it('a wrong password is 401 (counted in login_attempts), then the right one logs in and reads the day', async () => {
      const wrong = await post('/auth', { ...HASHED_USER, password: 'not-the-password' })
      assert.equal(wrong.status, 401, `${await wrong.text()}\n${output()}`)
      const login = await post('/auth', HASHED_USER)
      assert.equal(login.status, 200, `${await login.clone().text()}\n${output()}`)
      const { access_token } = (await login.json()) as { access_token: string }
      const day = await curlFetch(`${worker?.baseUrl}/holodules/${SEED_DAY}`, {
        headers: { Authorization: `JWT ${access_token}` },
      })
      assert.equal(day.status, 200, `${await day.clone().text()}\n${output()}`)
      const body = (await day.json()) as { holodules: Array<{ key: string }> }
      assert.deepEqual(
        body.holodules.map((h) => h.key),
        SEED_DAY_KEYS,
      )
    })

    it('the second generation logs in and reads with Bearer', async () => {
      const login = await post('/login', HASHED_USER)
      assert.equal(login.status, 200, `${await login.clone().text()}\n${output()}`)
      const { access_token } = (await login.json()) as { access_token: string }
      const day = await curlFetch(`${worker?.baseUrl}/holodules/${SEED_DAY}`, {
        headers: { Authorization: `Bearer ${access_token}` },
      })
      assert.equal(day.status, 200, `${await day.clone().text()}\n${output()}`)
      assert.equal(((await day.json()) as unknown[]).length, SEED_DAY_KEYS.length)
    })

    it("a legacy plain-text password logs in and is stored as its hash (the grant's upgradePassword)", async () => {
      const login = await post('/auth', LEGACY_USER)
      assert.equal(login.status, 200, `${await login.clone().text()}\n${output()}`)
      const client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
      try {
        const doc = await client.db(DB).collection('users').findOne({ username: LEGACY_USER.username })
        // The gateway checked it: a hash at the policy, of the plain text it replaced.
        assert.match(String(doc?.password), /^\$pbkdf2-sha256\$i=600000\$/, output())
      } finally {
        await client.close()
      }
      assert.equal((await post('/auth', LEGACY_USER)).status, 200)
      assert.ok(!output().includes('password rehash failed'), output())
    })
  })
})
