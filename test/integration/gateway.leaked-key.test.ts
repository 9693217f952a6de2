import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import {
  HASHED_USER,
  LEGACY_USER,
  LEGACY_USER_2,
  SEED_DAY,
  SEED_DAY_KEYS,
  seedMongo,
} from '#harness/fixtures.js'
import { type ServerProcess, startServer } from '#harness/server-process.js'
import type { Limiter } from '#src/auth/login-throttle.js'
import { createPasswordVerifier, DEFAULT_PASSWORD_ITERATIONS, hashPassword } from '#src/auth/password.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { DataApiFeedStore } from '#src/store/data-api/feeds.js'
import { dataApiLoginLimiters } from '#src/store/data-api/login-limiters.js'
import type { LoginLimitersFor } from '#src/store/login-limiters.js'
import { readRepoFile } from '../support/variable-names.js'

/**
 * Issue 19, item 3, tried as an attacker with a leaked Worker key, against FerretDB: findOne listed
 * every user with `$nin`, updateOne set a 1-iteration hash of the attacker's password or `$rename`d
 * it away, and wrong keys were neither limited nor logged. The key here carries exactly
 * wrangler.toml.example's grant, and every call the Worker makes with it still passes.
 */
const DB = 'holoduledb'
const KEYS = {
  edge: 'edge-key-0123456789abcdefghijklmnopqrstuvwxyz',
  accounts: 'accounts-key-0123456789abcdefghijklmnopqrstu',
}
const EXAMPLE_GRANT = /^#\s+(holoduledb\.\w+=[^\s]+)$/m.exec(readRepoFile('wrangler.toml.example'))?.[1]
const DATA_API_KEYS = [
  `edge:${KEYS.edge}@${EXAMPLE_GRANT}`,
  // An admin's /users through the Worker (harness workerGrants).
  `accounts:${KEYS.accounts}@${DB}.users=find+findOne+insertOne+updateUser+deleteOne`,
].join(';')

type Answer = { status: number; retryAfter: string | undefined; body: Record<string, unknown> }

describe('a leaked Worker key at the gateway (issue 19, item 3)', () => {
  let mongo: MongoServer
  let gateway: ServerProcess
  let client: MongoClient
  let port = 0

  before(async () => {
    assert.ok(EXAMPLE_GRANT, 'wrangler.toml.example has the grant')
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB)
    client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
    port = await freePort()
    gateway = await startServer({
      what: 'data api gateway',
      command: process.execPath,
      args: ['--import', 'tsx', 'src/entry/gateway.ts'],
      env: {
        PATH: process.env.PATH,
        MONGODB_URI: mongo.uri,
        DATA_API_KEYS,
        DATA_API_PORT: String(port),
        LOG_LEVEL: 'info',
      },
      port,
    })
  })

  after(async () => {
    await gateway?.stop()
    await client?.close()
    await mongo?.dispose()
  })

  /** One action, from `from` (a loopback address of its own for the per-address count). */
  const call = (action: string, body: Record<string, unknown>, key: string, from = '127.0.0.1') =>
    new Promise<Answer>((resolve, reject) => {
      const text = JSON.stringify({ dataSource: 'mongodb-atlas', database: DB, ...body })
      const req = request(
        {
          host: '127.0.0.1',
          port,
          localAddress: from,
          method: 'POST',
          path: `/action/${action}`,
          headers: {
            'Content-Type': 'application/json',
            'api-key': key,
            'Content-Length': Buffer.byteLength(text),
          },
        },
        (res) => {
          let data = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            data += chunk
          })
          res.on('end', () => {
            const retry = res.headers['retry-after']
            resolve({ status: res.statusCode ?? 0, retryAfter: retry, body: JSON.parse(data) })
          })
        },
      )
      req.on('error', reject)
      req.end(text)
    })
  const users = () => client.db(DB).collection('users')
  const storedPassword = async (username: string) => (await users().findOne({ username }))?.password as string

  it('findOne without find cannot list: $nin and every listing operator answer 403, logged', async () => {
    assert.ok((await users().countDocuments()) > 2, 'there is a collection to list')
    const first = await call(
      'findOne',
      { collection: 'users', filter: {}, projection: { username: 1 } },
      KEYS.edge,
    )
    assert.equal(first.status, 200, 'the empty filter: one document, always the same')
    const seen = [(first.body.document as { username: string }).username]
    const nin = await call(
      'findOne',
      { collection: 'users', filter: { username: { $nin: seen } } },
      KEYS.edge,
    )
    assert.equal(nin.status, 403)
    assert.equal(nin.body.error_code, 'Forbidden')
    assert.match(
      String(nin.body.error),
      /may not use \$nin on "username": without find it names documents by equality only/,
    )
    for (const filter of [
      { username: { $ne: seen[0] } },
      { username: { $gt: '' } },
      { username: { $regex: '^u' } },
      { username: { $exists: true }, password: { $exists: true } },
      { $or: [{ username: 'a' }, { username: { $ne: 'a' } }] },
      { $expr: { $ne: ['$username', ''] } },
    ]) {
      const r = await call('findOne', { collection: 'users', filter }, KEYS.edge)
      assert.equal(r.status, 403, JSON.stringify(filter))
    }
    // The counters too: findOne, and a write (counts are an oracle as well).
    const regex = await call(
      'findOne',
      { collection: 'login_attempts', filter: { key: { $regex: '^user:' } } },
      KEYS.edge,
    )
    assert.equal(regex.status, 403)
    const wipe = await call(
      'deleteOne',
      { collection: 'login_attempts', filter: { key: { $ne: '' } } },
      KEYS.edge,
    )
    assert.equal(wipe.status, 403)
    // Waited for (up to 3 s): stdout is a pipe, and its last lines can arrive after the answer.
    const refusedLines = () =>
      gateway
        .output()
        .split('\n')
        .filter(
          (l) => l.includes('"msg":"request"') && l.includes('"status":403') && l.includes('"key":"edge"'),
        ).length
    const deadline = Date.now() + 3000
    while (refusedLines() < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.ok(refusedLines() >= 9, `the refusals are logged: ${refusedLines()} lines`)
  })

  it('passes every call the Worker makes with the example grant (login, upgrade, counters, feeds, reads)', async () => {
    const store = new DataApiStore({
      url: `http://127.0.0.1:${port}`,
      apiKey: KEYS.edge,
      dataSource: 'mongodb-atlas',
      database: DB,
    })
    await store.ping()
    assert.equal((await store.findUserByUsername(HASHED_USER.username))?.username, HASHED_USER.username)
    assert.deepEqual(
      (await store.findHolodulesByDate(SEED_DAY)).map((h) => h.key),
      SEED_DAY_KEYS,
    )
    const one = await client.db(DB).collection('holodules').findOne({})
    assert.ok(await store.findScheduleById(String(one?._id)))
    assert.equal(await store.findStreamerById('a'.repeat(24)), null)
    await store.findStreamers('hololive')
    // The login's rewrite of a legacy plain-text password (auth.handlers.ts): as the app sends it.
    const legacy = await store.findUserByUsername(LEGACY_USER.username)
    assert.equal(legacy?.password, LEGACY_USER.password)
    const hash = await hashPassword(LEGACY_USER.password, DEFAULT_PASSWORD_ITERATIONS)
    assert.equal(await store.updatePasswordHash(LEGACY_USER.username, LEGACY_USER.password, hash), true)
    assert.equal(await storedPassword(LEGACY_USER.username), hash)
    // Every login counter: read, count (a live one, then a fresh one), block, reset.
    const policy = { maxConsecutiveFails: 5, maxFailsPerAddress: 100, maxFailsPerUser: 100 }
    const counters = dataApiLoginLimiters(store.client)(policy as unknown as Parameters<LoginLimitersFor>[0])
    for (const limiter of Object.values(counters) as Limiter[]) {
      assert.equal(await limiter.get('127.0.0.9'), null)
      await limiter.consume('127.0.0.9')
      await limiter.consume('127.0.0.9')
      assert.equal((await limiter.get('127.0.0.9'))?.consumedPoints, 2)
      await limiter.block('127.0.0.9', 60)
      assert.equal(await limiter.delete('127.0.0.9'), true)
    }
    // Calendar feeds: make, list, poll by the secret's hash, revoke.
    const feeds = new DataApiFeedStore(store.client)
    const feed = {
      id: 'feed-1',
      username: HASHED_USER.username,
      userId: 'a'.repeat(24),
      secretHash: 'h'.repeat(43),
      group: null,
      code: null,
      keyword: null,
      created: '2026-01-01T00:00:00.000Z',
    }
    await feeds.addFeed(feed)
    assert.deepEqual(
      (await feeds.listFeeds(HASHED_USER.username)).map((f) => f.id),
      ['feed-1'],
    )
    assert.equal((await feeds.findFeedBySecretHash(feed.secretHash))?.id, 'feed-1')
    assert.equal(await feeds.removeFeed(HASHED_USER.username, 'feed-1'), true)
  })

  it('upgradePassword writes the upgrade only: no weak hash, no chosen password, no $rename', async () => {
    const stored = await storedPassword(HASHED_USER.username)
    const plain = LEGACY_USER_2
    const attacker = await hashPassword('attacker-choice', DEFAULT_PASSWORD_ITERATIONS)
    const update = (filter: Record<string, unknown>, change: Record<string, unknown>, upsert = false) =>
      call('updateOne', { collection: 'users', filter, update: change, upsert }, KEYS.edge)
    const byPlain = { username: plain.username, password: plain.password }
    const byHash = { username: HASHED_USER.username, password: stored }
    for (const [what, r, message] of [
      [
        'a 1-iteration hash',
        await update(byPlain, { $set: { password: await hashPassword(plain.password, 1) } }),
        /600000 iterations or more/,
      ],
      [
        "a hash of the attacker's password",
        await update(byPlain, { $set: { password: attacker } }),
        /a hash of the plain-text password it replaces/,
      ],
      [
        'a stored hash replaced',
        await update(byHash, { $set: { password: attacker } }),
        /replacing plain text only/,
      ],
      ['$rename', await update(byHash, { $rename: { password: 'locked_out' } }), /\$set only/],
      ['$unset', await update(byHash, { $unset: { password: '' } }), /\$set only/],
      [
        'another field',
        await update(byPlain, { $set: { password: attacker, admin: true } }),
        /password alone/,
      ],
      [
        'upsert',
        await update({ username: 'intruder', password: 'x' }, { $set: { password: attacker } }, true),
        /may not upsert on holoduledb\.users/,
      ],
      [
        'updateMany',
        await call(
          'updateMany',
          { collection: 'users', filter: byHash, update: { $set: { password: attacker } } },
          KEYS.edge,
        ),
        /upgradePassword allows updateOne only/,
      ],
      [
        'replaceOne',
        await call(
          'replaceOne',
          { collection: 'users', filter: byHash, replacement: { username: 'user01', password: attacker } },
          KEYS.edge,
        ),
        /upgradePassword allows updateOne only/,
      ],
    ] as const) {
      assert.equal(r.status, 403, what)
      assert.equal(r.body.error_code, 'Forbidden', what)
      assert.match(String(r.body.error), message, what)
    }
    assert.equal(await storedPassword(HASHED_USER.username), stored)
    assert.equal(await storedPassword(plain.username), plain.password)
    assert.equal(await users().countDocuments({ username: 'intruder' }), 0)
    // The upgrade itself: the plain text read, replaced by its hash; the user logs in on it.
    const hash = await hashPassword(plain.password, DEFAULT_PASSWORD_ITERATIONS)
    const ok = await update(byPlain, { $set: { password: hash } })
    assert.equal(ok.status, 200)
    assert.equal(ok.body.modifiedCount, 1)
    const verdict = await createPasswordVerifier(DEFAULT_PASSWORD_ITERATIONS).verify(
      plain.password,
      await storedPassword(plain.username),
    )
    assert.deepEqual(verdict, { ok: true, rehash: false })
  })

  it("updateUser writes an admin's PATCH /users/{id} only", async () => {
    const store = new DataApiStore({
      url: `http://127.0.0.1:${port}`,
      apiKey: KEYS.accounts,
      dataSource: 'mongodb-atlas',
      database: DB,
    })
    const account = await store.findAccountByUsername(HASHED_USER.username)
    assert.ok(account)
    const hash = await hashPassword('a new password', DEFAULT_PASSWORD_ITERATIONS)
    const changed = await store.updateAccount(account.id, {
      firstname: 'First',
      disabled: true,
      password: { hash, changedAtMs: Date.now() },
    })
    assert.equal(changed?.disabled, true)
    assert.equal(await storedPassword(HASHED_USER.username), hash)
    assert.ok(await store.updateAccount(account.id, { disabled: false }))
    const weak = await hashPassword('x', 1000)
    for (const [filter, change] of [
      [{ _id: { $oid: account.id } }, { $set: { password: weak } }],
      [{ _id: { $oid: account.id } }, { $set: { role: 'owner' } }],
      [{ username: HASHED_USER.username }, { $set: { disabled: true } }],
    ] as const) {
      const r = await call('updateOne', { collection: 'users', filter, update: change }, KEYS.accounts)
      assert.equal(r.status, 403, JSON.stringify(change))
      assert.match(String(r.body.error), /^updateUser allows /)
    }
  })

  it('limits wrong keys per address (429 with Retry-After), logs them without the key, and still serves the right key', async () => {
    const find = { collection: 'holodules', filter: {} }
    const wrong = `${KEYS.edge.slice(0, -1)}X`
    for (let i = 1; i <= 10; i++)
      assert.equal((await call('findOne', find, wrong, '127.0.0.2')).status, 401, `wrong key ${i}`)
    const limited = await call('findOne', find, wrong, '127.0.0.2')
    assert.equal(limited.status, 429)
    assert.deepEqual(limited.body, {
      error: `too many invalid API keys from this address: retry after ${limited.retryAfter} s`,
      error_code: 'TooManyRequests',
    })
    assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60, limited.retryAfter)
    assert.equal(
      (await call('findOne', find, KEYS.edge, '127.0.0.2')).status,
      200,
      'the right key from there',
    )
    assert.equal((await call('findOne', find, wrong, '127.0.0.3')).status, 401, 'another address')
    const lines = gateway
      .output()
      .split('\n')
      .filter((l) => l.includes('invalid API key'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const from2 = lines.filter((l) => l.address === '127.0.0.2')
    assert.equal(from2.filter((l) => l.msg === 'invalid API key' && l.level === 'warn').length, 10)
    assert.equal(from2.filter((l) => l.msg === 'invalid API keys limited' && l.level === 'warn').length, 1)
    const all = gateway.output()
    for (const key of [wrong, ...Object.values(KEYS)]) assert.ok(!all.includes(key), 'a key reached the log')
    assert.ok(!all.includes('$pbkdf2'), 'a body reached the log')
  })
})
