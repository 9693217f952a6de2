import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ScheduleImport } from '#src/store/layouts/schedule-import.js'
import type { Store } from '#src/store/store.js'

/** What layout-cases seeds a store with (its LayoutSeed), as far as the counts need it. */
interface Seed {
  schedules: unknown[]
  streamers: unknown[]
  holodules: unknown[]
  users?: unknown[]
}

const ALL = { limit: 1000 }

/** A stream as `holodule schedules import` hands it over: seed stream 1 is HL0001 at 2024-01-10 21:00. */
const record = (over: Partial<ScheduleImport> = {}): ScheduleImport => ({
  key: 'HL0007_20240111_200000',
  code: 'HL0007',
  video_id: 'imported1',
  streaming_at: '2024-01-11T20:00:00',
  name: 'talent HL0007',
  title: 'imported',
  url: 'https://www.youtube.com/watch?v=imported1',
  description: 'from a file',
  published_at: '2024-01-06T01:00:00',
  channel_id: 'UCHL0007',
  channel_title: 'channel HL0007',
  tags: ['x'],
  id: '0000000000000000000003e8',
  ...over,
})

/** The CLI's bulk import (upsertSchedules) and counts, on the seeds of layout-cases. */
export const importCases = <S extends Seed>(make: (seed: S) => Promise<Store>, seed: S) => {
  describe('bulk import into schedules', () => {
    it('inserts under the given _id, updates by key only the fields given, and is idempotent', async () => {
      const store = await make(seed)
      const progress: number[] = []
      const records = [
        record(),
        // Seed stream 2 has no stored key: it is found by the derived one. No tags given: kept.
        {
          ...record({ key: 'HL0002_20240110_003000', code: 'HL0002', id: undefined }),
          streaming_at: '2024-01-10T00:30:00',
          title: 'retitled',
          tags: undefined,
        },
      ]
      assert.deepEqual(await store.upsertSchedules(records, (n) => progress.push(n)), {
        inserted: 1,
        updated: 1,
        unchanged: 0,
      })
      assert.equal(progress.at(-1), 2)
      const inserted = await store.findScheduleById('0000000000000000000003e8')
      assert.deepEqual(inserted, { ...record(), id: '0000000000000000000003e8', key: record().key })
      const updated = await store.findScheduleById('000000000000000000000002')
      assert.equal(updated?.title, 'retitled')
      assert.deepEqual(updated?.tags, ['tag1', 't2'], 'tags not given stay as stored')
      assert.deepEqual(await store.upsertSchedules(records), { inserted: 0, updated: 0, unchanged: 2 })
      assert.equal((await store.findSchedules(ALL)).length, 7)
    })

    it('finds a stream the collector moved by its _id; a new one without _id gets one', async () => {
      const store = await make(seed)
      const moved = record({
        key: 'HL0001_20240110_220000',
        code: 'HL0001',
        streaming_at: '2024-01-10T22:00:00',
        id: '000000000000000000000001',
      })
      const clash = record({ key: 'HL0008_20240111_200000', code: 'HL0008', id: undefined })
      assert.deepEqual(await store.upsertSchedules([moved, clash]), { inserted: 1, updated: 1, unchanged: 0 })
      const one = await store.findScheduleById('000000000000000000000001')
      assert.equal(one?.streaming_at, '2024-01-10T22:00:00')
      assert.equal(one?.key, 'HL0001_20240110_220000')
      assert.equal((await store.findScheduleById('000000000000000000000003'))?.code, 'HL0003')
      const [copy] = await store.findSchedules({ codes: ['HL0008'], ...ALL })
      assert.match(copy?.id ?? '', /^[0-9a-f]{24}$/)
      assert.deepEqual(await store.upsertSchedules([]), { inserted: 0, updated: 0, unchanged: 0 })
    })

    it('counts the documents of each collection', async () => {
      const store = await make(seed)
      assert.deepEqual(await store.countDocuments(), {
        holodules: seed.holodules.length,
        schedules: seed.schedules.length,
        streamers: seed.streamers.length,
        users: seed.users?.length ?? 0,
      })
    })
  })
}
