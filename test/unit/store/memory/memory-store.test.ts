import { describe } from 'node:test'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import { storeCases } from '../../../support/store-cases.js'

describe('MemoryStore', () => {
  storeCases(
    async (seed) =>
      // The constructor derives `key` for legacy rows that lack it, as toHolodule does.
      new MemoryStore({ users: seed.users, holodules: seed.holodules as HoloduleRecord[] }),
    { ensureIndexes: true },
  )
})
