import assert from 'node:assert/strict'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HASHED_USER, seedMongo } from '../contract/fixtures.js'
import { type MongoServer, startMongo } from '../support/ferretdb.js'
import { curlFetch, type RunningTarget, startTarget } from '../support/runtimes.js'
import { REPO_ROOT } from '../support/server-process.js'

const DEV_VARS = join(REPO_ROOT, '.dev.vars')
const DOT_ENV = join(REPO_ROOT, '.env')
const DB = 'hermetic'

/**
 * A developer who followed docs/edge.md has a .dev.vars in the checkout, and one kept for both
 * Worker modes sets DATA_API_URL and MONGODB_URI together: wrangler merged it into the test
 * Workers, and 55 cases failed. Bun loads a .env of its working directory by itself. With such
 * files present (written here when there are none, and removed again), the test servers still
 * run as each test configures them.
 */
describe("the test servers ignore the checkout's .dev.vars and .env", () => {
  let mongo: MongoServer
  let worker: RunningTarget | undefined
  let bun: RunningTarget | undefined
  const wrote: string[] = []
  /** Writes `text` to `path` unless the developer has a file there already (then that one is the test). */
  const plant = (path: string, text: string) => {
    if (existsSync(path)) return
    writeFileSync(path, text)
    wrote.push(path)
  }

  before(async () => {
    plant(
      DEV_VARS,
      'DATA_API_URL=http://127.0.0.1:9\nMONGODB_URI=mongodb://127.0.0.1:9/\nJWT_SECRET_KEY=short\n',
    )
    // Loaded, this one would hide /auth.
    plant(DOT_ENV, 'AUTH_GENERATIONS=2\n')
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB)
    worker = await startTarget('worker', mongo.uri, DB)
    bun = await startTarget('bun', mongo.uri, DB)
  })
  after(async () => {
    await worker?.stop()
    await bun?.stop()
    await mongo?.dispose()
    for (const path of wrote) rmSync(path, { force: true })
  })

  for (const which of ['worker', 'bun'] as const) {
    it(`${which}: logs in as the test configures it, not as the checkout's files say`, async () => {
      const target = which === 'worker' ? worker : bun
      const res = await curlFetch(`${target?.baseUrl}/auth`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(HASHED_USER),
      })
      assert.equal(res.status, 200, await res.clone().text())
    })
  }
})
