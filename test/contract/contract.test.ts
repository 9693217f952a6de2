import { before, describe } from 'node:test'
import { seedDocuments } from '#harness/fixtures.js'
import type { App } from '#src/app/index.js'
import { HASH_FLOORS } from '#src/auth/password.js'
import { toHolodule } from '#src/store/layouts/holodules.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { Layout } from '#src/store/store.js'
import { toUserRecord } from '#src/store/users.js'
import { testApp, testConfig } from '../support/app.js'
import { contractCases } from './cases.js'

/**
 * The fixture's documents (harness/fixtures.ts) as a MemoryStore holds them, read through the same
 * conversions as a stored document: the users, the streams in `layout` only, the streamers.
 */
const memoryStore = async (layout: Layout, iterations: number) => {
  const docs = await seedDocuments(layout, iterations)
  return new MemoryStore({
    users: docs.users.flatMap((d) => toUserRecord(d) ?? []),
    holodules: docs.holodules.map((d) => ({ ...toHolodule(d), _id: String(d._id) })),
    schedules: docs.schedules.map(scheduleFromDoc),
    streamers: docs.streamers.map(streamerFromDoc),
    layout,
  })
}

/**
 * The whole contract through app.request(), once on each layout: every generation's cases on the
 * 2020 layout (`holodules`) and again with the streams only in the 2024 one (`schedules`). The
 * process targets split the layouts between them (test/conformance/runtimes.test.ts).
 */
for (const [layout, iterations] of [
  // The configured cost, as a server hashes.
  ['holodules', undefined],
  // The cheapest cost a login accepts (HASH_FLOORS): the hashing is the same code, already run
  // above; the layout is what differs.
  ['schedules', HASH_FLOORS.pbkdf2Iterations],
] as const) {
  describe(`contract on the in-memory store, ${layout} layout`, () => {
    let app: App
    let store: MemoryStore
    before(async () => {
      const base = testConfig()
      const config = iterations === undefined ? base : { ...base, passwordIterations: iterations }
      store = await memoryStore(layout, config.passwordIterations)
      app = testApp({ config, store }).app
    })
    contractCases(() => ({
      fetch: async (path, init) => app.request(path, init),
      storedPassword: async (username) => (await store.findUserByUsername(username))?.password ?? null,
      layout,
    }))
  })
}
