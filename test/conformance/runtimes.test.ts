import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MongoClient } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { curlFetch, type RunningTarget, startTarget } from '#harness/runtimes.js'
import type { Runtime } from '#harness/server-process.js'
import type { Layout } from '#src/store/store.js'
import { contractCases } from '../contract/cases.js'
import { httpTarget } from '../support/http-target.js'

const RUNTIMES: Runtime[] = ['node', 'bun', 'worker', 'worker-direct']
/** One database per runtime: the legacy-password case rewrites a user, so each starts from the seed. */
const dbFor = (runtime: Runtime) => `conformance_${runtime}`
/**
 * The layout each runtime's database holds the fixture's streams in (a database is one layout at a
 * time; the servers run SCHEDULE_LAYOUT=auto, so `schedules` holding documents is what picks the 2024
 * one). Every generation's cases run on both: the 2024 layout on Node (MongoStore) and on the Worker
 * through the gateway (DataApiStore, its EJSON dates); the 2020 layout on Bun and the direct Worker
 * (MongoStore). In process, test/contract/contract.test.ts runs the MemoryStore on both.
 */
const LAYOUTS: Record<Runtime, Layout> = {
  node: 'schedules',
  bun: 'holodules',
  worker: 'schedules',
  'worker-direct': 'holodules',
}

/**
 * The contract's HTTP cases, written once (test/contract/cases.ts), against four real servers:
 * the Node and Bun entries on MongoStore, and the Worker in workerd (wrangler dev) on DataApiStore
 * through our gateway and on the driver directly. All share one FerretDB; the password hashes were
 * written by Node.
 */
describe('the contract on every runtime, over HTTP', () => {
  let mongo: MongoServer
  let client: MongoClient
  const targets = new Map<Runtime, RunningTarget>()

  before(async () => {
    mongo = await startMongo()
    for (const runtime of RUNTIMES) await seedMongo(mongo.uri, dbFor(runtime), undefined, LAYOUTS[runtime])
    client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 5000 })
    const started = await Promise.allSettled(RUNTIMES.map((r) => startTarget(r, mongo.uri, dbFor(r))))
    for (const s of started) if (s.status === 'fulfilled') targets.set(s.value.runtime, s.value)
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  })

  after(async () => {
    await Promise.all([...targets.values()].map((t) => t.stop()))
    await client?.close()
    await mongo?.dispose()
  })

  const target = (runtime: Runtime) => {
    const t = targets.get(runtime)
    if (!t) throw new Error(`the ${runtime} server did not start`)
    return t
  }

  for (const runtime of RUNTIMES) {
    describe(`${runtime}, ${LAYOUTS[runtime]} layout`, () => {
      contractCases(() => ({
        ...httpTarget(target(runtime).baseUrl, client, dbFor(runtime)),
        layout: LAYOUTS[runtime],
      }))
    })
  }

  describe('the database goes away and comes back', () => {
    const OUTAGE_RUNTIMES = RUNTIMES
    const login = (runtime: Runtime) =>
      curlFetch(`${target(runtime).baseUrl}/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })

    it('answers 503 within bounds on every runtime, then recovers without a restart', async () => {
      const tokens = new Map<Runtime, string>()
      for (const runtime of OUTAGE_RUNTIMES) {
        const res = await login(runtime)
        assert.equal(res.status, 200, runtime)
        tokens.set(runtime, ((await res.json()) as { access_token: string }).access_token)
      }
      await mongo.stop()
      try {
        const outcomes = await Promise.all(
          OUTAGE_RUNTIMES.map(async (runtime) => {
            const start = Date.now()
            try {
              const res = await curlFetch(`${target(runtime).baseUrl}/holodules/${SEED_DAY}`, {
                headers: { Authorization: `JWT ${tokens.get(runtime)}` },
              })
              return { runtime, ms: Date.now() - start, status: res.status, body: await res.text() }
            } catch (e) {
              return { runtime, ms: Date.now() - start, status: 0, body: String(e) }
            }
          }),
        )
        for (const o of outcomes) {
          const context = `${o.runtime}: ${o.status} after ${o.ms} ms: ${o.body}\n${target(o.runtime).output().slice(-1500)}`
          assert.equal(o.status, 503, context)
          assert.deepEqual(JSON.parse(o.body), { error: 'Service Unavailable' })
          assert.ok(o.ms < 6000, context)
        }
      } finally {
        await mongo.start()
      }
      await Promise.all(
        OUTAGE_RUNTIMES.map(async (runtime) => {
          const deadline = Date.now() + 15_000
          for (;;) {
            const res = await curlFetch(`${target(runtime).baseUrl}/holodules/${SEED_DAY}`, {
              headers: { Authorization: `JWT ${tokens.get(runtime)}` },
            })
            if (res.status === 200) return
            assert.ok(Date.now() < deadline, `${runtime} did not recover (last status ${res.status})`)
            await new Promise((r) => setTimeout(r, 250))
          }
        }),
      )
    })
  })

  it('no server printed a secret or a stack trace', () => {
    for (const [runtime, t] of targets) {
      const out = t.output()
      assert.ok(!out.includes('contract-suite-secret'), `${runtime} printed the JWT secret`)
      assert.ok(!out.includes('conformance-worker-key'), `${runtime} printed the Data API key`)
      assert.ok(
        !/\n\s+at .+:\d+:\d+\)?\n/.test(out),
        `${runtime} printed a stack trace:\n${out.slice(-2000)}`,
      )
    }
  })
})
