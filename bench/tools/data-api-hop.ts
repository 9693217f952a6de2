/**
 * What the Data API hop costs. Same query, same FerretDB on loopback:
 *  1. store level, in Node: MongoStore (driver) vs DataApiStore (fetch -> gateway -> driver);
 *  2. end to end: GET /holodules/{date} on the Node entry (MongoStore) vs the Worker under
 *     wrangler dev (DataApiStore -> gateway); each such request makes two store calls.
 * Run: npm run bench:hop -- [iterations=300] (node --import tsx bench/tools/data-api-hop.ts [iterations])
 */

import { startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, SECRET, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { curlFetch, startGateway, startTarget, WORKER_KEY } from '#harness/runtimes.js'
import { claims, craftToken } from '#harness/tokens.js'
import { HASH_FLOORS } from '#src/auth/password.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'

const N = Number(process.argv[2] ?? 300)
const WARMUP = 30

const time = async (fn: () => Promise<unknown>): Promise<number[]> => {
  for (let i = 0; i < WARMUP; i++) await fn()
  const out: number[] = []
  for (let i = 0; i < N; i++) {
    const s = performance.now()
    await fn()
    out.push(performance.now() - s)
  }
  return out.sort((a, b) => a - b)
}
const pct = (xs: number[], p: number) =>
  xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] as number
const fmt = (xs: number[]) => `median ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms`

const mongo = await startMongo()
const db = 'bench_hop'
// The cheapest hash a login accepts: a weaker one is refused as a wrong password.
await seedMongo(mongo.uri, db, HASH_FLOORS.pbkdf2Iterations)
const gateway = await startGateway(mongo.uri, `${db}.*=read`)
const direct = MongoStore.connect(mongo.uri, db)
const viaApi = new DataApiStore({
  url: gateway.url,
  apiKey: WORKER_KEY,
  dataSource: 'mongodb-atlas',
  database: db,
})
const node = await startTarget('node', mongo.uri, db)
const worker = await startTarget('worker', mongo.uri, db)
try {
  const d = await time(() => direct.findHolodulesByDate(SEED_DAY))
  const a = await time(() => viaApi.findHolodulesByDate(SEED_DAY))
  console.log(`store, MongoStore:             ${fmt(d)}`)
  console.log(`store, DataApiStore (gateway): ${fmt(a)}`)
  console.log(`added by the hop (median):     ${(pct(a, 50) - pct(d, 50)).toFixed(2)} ms per store call`)

  const token = craftToken(
    claims(HASHED_USER.username, { exp: Math.floor(Date.now() / 1000) + 3600 }),
    SECRET,
  )
  const get = (base: string) => async () => {
    const res = await curlFetch(`${base}/holodules/${SEED_DAY}`, {
      headers: { Authorization: `JWT ${token}` },
    })
    if (res.status !== 200) throw new Error(`status ${res.status}`)
  }
  const n = await time(get(node.baseUrl))
  const w = await time(get(worker.baseUrl))
  console.log(`GET /holodules, Node entry:    ${fmt(n)}`)
  console.log(`GET /holodules, Worker:        ${fmt(w)}`)

  // A login is one PBKDF2-SHA256 verification at 600,000 iterations of a hash Node wrote.
  const login = (base: string) => async () => {
    const res = await curlFetch(`${base}/auth`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(HASHED_USER),
    })
    if (res.status !== 200) throw new Error(`status ${res.status}`)
  }
  const few = async (fn: () => Promise<void>) => {
    await fn()
    const out: number[] = []
    for (let i = 0; i < 15; i++) {
      const s = performance.now()
      await fn()
      out.push(performance.now() - s)
    }
    return out.sort((x, y) => x - y)
  }
  console.log(`POST /auth, Node entry:        ${fmt(await few(login(node.baseUrl)))}`)
  console.log(`POST /auth, Worker:            ${fmt(await few(login(worker.baseUrl)))}`)
} finally {
  await direct.close()
  await Promise.all([gateway.stop(), node.stop(), worker.stop()])
  await mongo.dispose()
}
