import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freePort, type MongoServer, startMongo } from '#harness/ferretdb.js'
import { SECRET } from '#harness/fixtures.js'
import {
  type RunningTarget,
  startGateway,
  WORKER_FLAGS,
  WORKER_KEY,
  workerGrants,
  wranglerDev,
} from '#harness/runtimes.js'
import { REPO_ROOT, startServer } from '#harness/server-process.js'
import { decodePart } from '#harness/tokens.js'
import { hashPassword } from '#src/auth/password.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'

// Issue 19, item 2, over HTTP on real servers and FerretDB: a token is bound to the account it was
// issued for. The users are written as `holodule user add/passwd/rm` write them (through the driver,
// with the instant of the change); the servers are other processes: the Node and Bun entries on the
// driver, and the Worker in workerd through our Data API gateway.

const DB = 'holodule_token_binding'
/** The policy's strength (a weaker stored hash is refused at login). */
const ITERATIONS = 600_000
/** What the database says is under test, not how long a process may cache a user. */
const NO_CACHE = { USER_CACHE_TTL: '0' }

const startNodeOrBun = async (runtime: 'node' | 'bun', mongoUri: string) => {
  const port = await freePort()
  const [command, args] =
    runtime === 'node'
      ? [process.execPath, ['--import', 'tsx', 'src/entry/node.ts']]
      : [join(REPO_ROOT, 'node_modules', '.bin', 'bun'), ['src/entry/bun.ts']]
  const server = await startServer({
    what: `the ${runtime} entry`,
    command,
    args,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ENV_FILE: 'off',
      MONGODB_URI: mongoUri,
      MONGODB_DB: DB,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'warn',
      ...NO_CACHE,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    port,
    timeoutMs: 20_000,
  })
  return { baseUrl: `http://127.0.0.1:${port}`, stop: async () => void (await server.stop()) }
}

/** The Worker under wrangler dev, reaching FerretDB through the gateway with the README's grant. */
const startWorker = async (mongoUri: string) => {
  const gateway = await startGateway(mongoUri, workerGrants(DB))
  let worker: RunningTarget
  try {
    worker = await wranglerDev('worker', 'src/entry/worker.ts', WORKER_FLAGS, DB, {
      DATA_API_URL: gateway.url,
      DATA_API_KEY: WORKER_KEY,
      ...NO_CACHE,
    })
  } catch (e) {
    await gateway.stop()
    throw e
  }
  return {
    baseUrl: worker.baseUrl,
    stop: async () => {
      await worker.stop()
      await gateway.stop()
    },
  }
}

type Generation = 1 | 2 | 3
type Tokens = Record<Generation, string>
const REFUSED: Record<Generation, unknown> = {
  1: {
    status_code: 401,
    error: 'Invalid token',
    description: 'Token was issued before the password changed',
  },
  2: { error: 'Unauthorized' },
  3: { message: 'Could not validate credentials' },
}

describe('tokens bound to the account over HTTP, on FerretDB', () => {
  let mongo: MongoServer
  let store: MongoStore
  before(async () => {
    mongo = await startMongo()
    store = MongoStore.connect(mongo.uri, DB)
  })
  after(async () => {
    await store?.close()
    await mongo?.dispose()
  })

  for (const runtime of ['node', 'bun', 'worker'] as const) {
    describe(runtime, () => {
      let server: { baseUrl: string; stop(): Promise<void> } | undefined
      let base: string
      const username = `erin_${runtime}`
      before(async () => {
        server =
          runtime === 'worker' ? await startWorker(mongo.uri) : await startNodeOrBun(runtime, mongo.uri)
        base = server.baseUrl
      })
      after(async () => {
        await server?.stop()
      })

      const post = (path: string, body: string, type: string) =>
        fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body })
      /** A login through each generation's route, as that generation sends its token. */
      const login = async (password: string): Promise<Tokens> => {
        const json = JSON.stringify({ username, password })
        const form = new URLSearchParams({ username, password }).toString()
        const t: string[] = []
        // One after the other: LOGIN_MAX_INFLIGHT_PER_ADDRESS is 2.
        for (const [path, body, type] of [
          ['/auth', json, 'application/json'],
          ['/login', json, 'application/json'],
          ['/token', form, 'application/x-www-form-urlencoded'],
        ] as const) {
          const res = await post(path, body, type)
          const text = await res.text()
          assert.equal(res.status, 200, `${path}: ${text}`)
          t.push((JSON.parse(text) as { access_token: string }).access_token)
        }
        return { 1: `JWT ${t[0]}`, 2: `Bearer ${t[1]}`, 3: `Bearer ${t[2]}` }
      }
      const read = (g: Generation, authorization: string) =>
        fetch(`${base}${g === 3 ? '/streamers' : '/holodules/20201209'}`, {
          headers: { Authorization: authorization },
        })
      const assertAccepted = async (t: Tokens, what: string) => {
        for (const g of [1, 2, 3] as const) {
          const res = await read(g, t[g])
          // An empty database: the first generation's 404 is past the guard, as the others' 200.
          assert.ok(
            [200, 404].includes(res.status),
            `generation ${g}, ${what}: ${res.status} ${await res.text()}`,
          )
        }
      }
      const assertRefused = async (t: Tokens, what: string) => {
        for (const g of [1, 2, 3] as const) {
          const res = await read(g, t[g])
          assert.equal(res.status, 401, `generation ${g}, ${what}`)
          assert.deepEqual(await res.json(), REFUSED[g], `generation ${g}, ${what}`)
        }
      }
      /** The latest second the three tokens say they were issued in (three logins, one after another). */
      const iatOf = (t: Tokens) =>
        Math.max(...Object.values(t).map((a) => decodePart(a.slice(a.indexOf(' ') + 1), 1).iat as number))

      it("refuses a removed user's tokens once a user of that name is added again, in the same second too", async () => {
        await store.removeUser(username) // a run cut short may have left it
        await store.addUser(username, await hashPassword('first password', ITERATIONS), Date.now() - 10_000)
        const old = await login('first password')
        await assertAccepted(old, 'before the removal')
        assert.equal(await store.removeUser(username), true)
        // Added again in the very second the old tokens were issued, after them (`user add` writes
        // the instant it runs at; this one is the latest instant of that second).
        const iat = iatOf(old)
        await store.addUser(username, await hashPassword('second password', ITERATIONS), iat * 1000 + 999)
        await assertRefused(old, 'of the removed account, issued in the second of the new one')
        await assertAccepted(await login('second password'), 'of the new account')
      })

      it('refuses the tokens of the second of a password change; a login right after a change is accepted', async () => {
        const before = await login('second password')
        await assertAccepted(before, 'before the change')
        const hash = await hashPassword('third password', ITERATIONS)
        assert.equal(await store.setPassword(username, hash, iatOf(before) * 1000 + 999), true)
        await assertRefused(before, 'issued earlier in the second of the change')
        // Changed now, logged in at once: the server may still be in the second of the change, and
        // then waits for the next one before it issues the token.
        assert.equal(await store.setPassword(username, hash, Date.now()), true)
        const after = await login('third password')
        await assertAccepted(after, 'issued right after a change')
        assert.equal(await store.removeUser(username), true)
      })
    })
  }
})
