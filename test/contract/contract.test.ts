import { before, describe } from 'node:test'
import { HOLODULES, KEYLESS_HOLODULE, SECRET, seedUsers } from '#harness/fixtures.js'
import { createApp } from '#src/app/index.js'
import { parseConfig } from '#src/config/config.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { toUserRecord } from '#src/store/users.js'
import { contractCases } from './cases.js'

/** The whole contract through app.request() on the in-memory store. */
describe('contract on the in-memory store', () => {
  let app: ReturnType<typeof createApp>
  let store: MemoryStore
  before(async () => {
    const parsed = parseConfig({ JWT_SECRET_KEY: SECRET })
    if (!parsed.ok) throw new Error(parsed.errors.join('; '))
    store = new MemoryStore({
      // The seed is written as MongoDB holds it; the memory store takes the port's records.
      users: (await seedUsers(parsed.config.app.passwordIterations)).flatMap((d) => toUserRecord(d) ?? []),
      holodules: [...HOLODULES, KEYLESS_HOLODULE as unknown as HoloduleRecord],
    })
    app = createApp({ config: parsed.config.app, store })
  })
  contractCases(() => ({
    fetch: async (path, init) => app.request(path, init),
    storedPassword: async (username) => (await store.findUserByUsername(username))?.password ?? null,
  }))
})
