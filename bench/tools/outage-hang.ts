/**
 * Kills FerretDB under load, round after round, and prints each answer with its time. On Bun a
 * pooled socket to the dead server used to stay silent ~12 s (Bun.serve then dropped the request);
 * MongoStore's request deadline now turns that into a 503 within ~5 s on every runtime.
 * Run: npm run bench:outage -- [bun|node|worker|worker-direct] [rounds=25]
 * (node --import tsx bench/tools/outage-hang.ts [runtime] [rounds])
 */

import { startMongo } from '#harness/ferretdb.js'
import { HASHED_USER, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { curlFetch, startTarget } from '#harness/runtimes.js'
import type { Runtime } from '#harness/server-process.js'
import { HASH_FLOORS } from '#src/auth/password.js'

const runtime = (process.argv[2] ?? 'bun') as Runtime
const rounds = Number(process.argv[3] ?? 25)
const mongo = await startMongo()
// The cheapest hash a login accepts: a weaker one is refused as a wrong password.
await seedMongo(mongo.uri, 'outage', HASH_FLOORS.pbkdf2Iterations)
const target = await startTarget(runtime, mongo.uri, 'outage')
const day = () =>
  curlFetch(`${target.baseUrl}/holodules/${SEED_DAY}`, { headers: { Authorization: `JWT ${token}` } })
let token = ''
try {
  const res = await curlFetch(`${target.baseUrl}/auth`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(HASHED_USER),
  })
  token = ((await res.json()) as { access_token: string }).access_token
  const results: string[] = []
  for (let round = 0; round < rounds; round++) {
    await Promise.all([1, 2, 3, 4].map(day)) // the pool holds live connections when the database dies
    await mongo.stop()
    const start = Date.now()
    try {
      results.push(`${(await day()).status}/${Date.now() - start}ms`)
    } catch (e) {
      results.push(`${(e as Error).message}/${Date.now() - start}ms`)
    }
    await mongo.start()
    while ((await day()).status !== 200) await new Promise((r) => setTimeout(r, 100))
  }
  console.log(`${runtime}: ${results.join(' ')}`)
} finally {
  await target.stop()
  await mongo.dispose()
}
