import { before, describe } from 'node:test'
import { KEYLESS_HOLODULE } from '#harness/fixtures.js'
import type { App } from '#src/app/index.js'
import type { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { seededStore, testApp, testConfig } from '../support/app.js'
import { contractCases } from './cases.js'

/** The whole contract through app.request() on the in-memory store. */
describe('contract on the in-memory store', () => {
  let app: App
  let store: MemoryStore
  before(async () => {
    // The seed is written as MongoDB holds it, hashed at the configured cost; the memory store takes
    // the port's records.
    const config = testConfig()
    store = await seededStore(config.passwordIterations, [KEYLESS_HOLODULE as unknown as HoloduleRecord])
    app = testApp({ config, store }).app
  })
  contractCases(() => ({
    fetch: async (path, init) => app.request(path, init),
    storedPassword: async (username) => (await store.findUserByUsername(username))?.password ?? null,
  }))
})
