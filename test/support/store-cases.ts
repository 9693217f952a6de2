import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DuplicateUserError } from '#src/store/errors.js'
import type { HoloduleRecord, UserRecord } from '#src/store/records.js'
import type { Store } from '#src/store/store.js'

/** What a store under test holds when a case starts: documents as they are stored. */
export interface StoreSeed {
  users: UserRecord[]
  /** A legacy row may lack `key`; the store derives it from `code` and `datetime`. */
  holodules: Array<Omit<HoloduleRecord, 'key'> & { key?: string }>
}

/** Returns a store holding exactly `seed` and nothing else; called once per case. */
export type MakeStore = (seed: StoreSeed) => Promise<Store>

export interface StoreCaseOptions {
  /** False where the adapter cannot create indexes (the Data API): ensureIndexes must then reject. */
  ensureIndexes: boolean
}

const DAY = '20201209'
/** The second generation's wire order; the first generation's drops `code`. */
const RECORD_KEYS = ['key', 'code', 'video_id', 'datetime', 'name', 'title', 'url', 'description']

const row = (code: string, datetime: string, title = `${code} at ${datetime}`): HoloduleRecord => ({
  key: `${code}_${datetime.replace(' ', '_')}`,
  code,
  video_id: `v${code}${datetime.replace(' ', '')}`,
  datetime,
  name: `talent ${code}`,
  title,
  url: `https://www.youtube.com/watch?v=v${code}`,
  description: `${code} / ${title}`,
})

/** A row the old service wrote before it stored `key`. */
const KEYLESS = {
  code: 'HL0402',
  video_id: 'legacy00001',
  datetime: '20201209 180000',
  name: 'talent HL0402',
  title: 'a row without key',
  url: 'https://www.youtube.com/watch?v=legacy00001',
  description: 'old row',
}

/** In no particular order, so a store that keeps insertion order is caught. */
const HOLODULES: StoreSeed['holodules'] = [
  row('HL0100', '20201209 120000'),
  row('HL0001', '20201208 235959'),
  row('HL0101', '20201209 000000'),
  KEYLESS,
  row('HL0203', '20201209 235959'),
  row('HL0402', '20201210 000000'),
  row('HL0301', '20201209 120000'),
  // Would match a day built into a regex as `2020.2.1`-like text; a range cannot.
  row('HL0601', '20211231 230000'),
  row('HL0503', '20201209 230000'),
]

/** DAY's keys: newest first, and on the same second the larger key first. */
const DAY_KEYS = [
  'HL0203_20201209_235959',
  'HL0503_20201209_230000',
  'HL0402_20201209_180000',
  'HL0301_20201209_120000',
  'HL0100_20201209_120000',
  'HL0101_20201209_000000',
]

const HASH = '$pbkdf2-sha256$i=1$YQ$YQ'
/** Not sorted by username or by id; one id is not a number. */
const USERS: UserRecord[] = [
  { id: '2', username: 'carol', password: '$pbkdf2-sha256$i=1$Yw$Yw' },
  { id: '1', username: 'alice', password: HASH },
  { id: '7', username: 'bob', password: 'plain-legacy' },
  { id: 'admin', username: 'dave', password: '$pbkdf2-sha256$i=1$ZA$ZA' },
]

const SEED: StoreSeed = { users: USERS, holodules: HOLODULES }

/**
 * Every method of the Store port, the same cases on every adapter, so the in-memory store cannot
 * drift from the MongoDB ones. Each case starts from `makeStore(seed)`.
 */
export const storeCases = (makeStore: MakeStore, options: StoreCaseOptions) => {
  const seeded = () => makeStore(SEED)
  const byDate = async (store: Store, date: string) =>
    (await store.findHolodulesByDate(date)).map((h) => h.key)

  describe('findUserByUsername', () => {
    it('returns id, username and password only', async () => {
      const store = await seeded()
      assert.deepEqual(await store.findUserByUsername('alice'), {
        id: '1',
        username: 'alice',
        password: HASH,
      })
      assert.deepEqual(await store.findUserByUsername('bob'), {
        id: '7',
        username: 'bob',
        password: 'plain-legacy',
      })
    })

    it('answers null unless the username matches exactly', async () => {
      const store = await seeded()
      for (const name of ['nobody', 'Alice', 'alic', 'alice ', 'a.*', ''])
        assert.equal(await store.findUserByUsername(name), null, name)
    })
  })

  describe('updatePasswordHash', () => {
    it('swaps the password only while the record still holds the expected one', async () => {
      const store = await seeded()
      assert.equal(await store.updatePasswordHash('bob', 'not-the-stored-one', '$pbkdf2-sha256$x'), false)
      assert.equal((await store.findUserByUsername('bob'))?.password, 'plain-legacy')
      assert.equal(await store.updatePasswordHash('bob', 'plain-legacy', '$pbkdf2-sha256$y'), true)
      assert.deepEqual(await store.findUserByUsername('bob'), {
        id: '7',
        username: 'bob',
        password: '$pbkdf2-sha256$y',
      })
      // A second login that read the old value loses the race instead of overwriting.
      assert.equal(await store.updatePasswordHash('bob', 'plain-legacy', '$pbkdf2-sha256$z'), false)
      assert.equal((await store.findUserByUsername('bob'))?.password, '$pbkdf2-sha256$y')
    })

    it('answers false for an unknown user and creates nobody', async () => {
      const store = await seeded()
      assert.equal(await store.updatePasswordHash('ghost', 'x', '$pbkdf2-sha256$x'), false)
      assert.equal(await store.findUserByUsername('ghost'), null)
    })
  })

  describe('findHolodulesByDate', () => {
    it("returns the day's streams newest first, then by key descending, both ends of the day included", async () => {
      assert.deepEqual(await byDate(await seeded(), DAY), DAY_KEYS)
    })

    it('returns the stored fields only, in the wire order, code included', async () => {
      const day = await (await seeded()).findHolodulesByDate(DAY)
      for (const h of day) assert.deepEqual(Object.keys(h), RECORD_KEYS)
      assert.deepEqual(day[0], row('HL0203', '20201209 235959'))
    })

    it('derives the key of a legacy row that lacks one from code and datetime', async () => {
      const day = await (await seeded()).findHolodulesByDate(DAY)
      assert.deepEqual(
        day.find((h) => h.video_id === KEYLESS.video_id),
        { key: 'HL0402_20201209_180000', ...KEYLESS },
      )
    })

    it('never matches across days', async () => {
      const store = await seeded()
      assert.deepEqual(await byDate(store, '20201208'), ['HL0001_20201208_235959'])
      assert.deepEqual(await byDate(store, '20201210'), ['HL0402_20201210_000000'])
      assert.deepEqual(await byDate(store, '20211231'), ['HL0601_20211231_230000'])
      assert.deepEqual(await byDate(store, '20201231'), [])
      assert.deepEqual(await byDate(store, '20201207'), [])
    })
  })

  describe('addUser', () => {
    it('gives the next id past the largest numeric one and stores the record', async () => {
      const store = await seeded()
      const added = await store.addUser('erin', HASH)
      assert.deepEqual(added, { id: '8', username: 'erin', password: HASH })
      assert.deepEqual(await store.findUserByUsername('erin'), added)
      assert.equal((await store.addUser('frank', HASH)).id, '9')
    })

    it('gives id 1 to the first user', async () => {
      const store = await makeStore({ users: [], holodules: [] })
      assert.deepEqual(await store.addUser('alice', HASH), { id: '1', username: 'alice', password: HASH })
    })

    it('records a creation as a password change: a user of a removed name refuses the old tokens', async () => {
      const store = await seeded()
      assert.equal(await store.removeUser('bob'), true)
      const added = await store.addUser('bob', HASH, 1_700_000_000_000)
      assert.equal(added.passwordChangedAt, 1_700_000_001)
      assert.deepEqual(await store.findUserByUsername('bob'), added)
    })

    it('throws DuplicateUserError for a taken username and leaves the record alone', async () => {
      const store = await seeded()
      await assert.rejects(store.addUser('alice', '$pbkdf2-sha256$other'), DuplicateUserError)
      assert.deepEqual(await store.findUserByUsername('alice'), {
        id: '1',
        username: 'alice',
        password: HASH,
      })
      assert.equal((await store.listUsers()).length, USERS.length)
    })
  })

  describe('setPassword', () => {
    it('sets the password of an existing user, even to the value it holds, and the first second after it changed', async () => {
      const store = await seeded()
      assert.equal(await store.setPassword('carol', '$pbkdf2-sha256$new', 1_700_000_000_999), true)
      // The second after the change's (tokensValidFrom): tokens of the change's second are refused.
      assert.deepEqual(await store.findUserByUsername('carol'), {
        id: '2',
        username: 'carol',
        password: '$pbkdf2-sha256$new',
        passwordChangedAt: 1_700_000_001,
      })
      assert.equal(await store.setPassword('carol', '$pbkdf2-sha256$new', 1_700_000_100_000), true)
      assert.equal((await store.findUserByUsername('carol'))?.passwordChangedAt, 1_700_000_101)
    })

    it('leaves the change time alone when a legacy password is rewritten as a hash', async () => {
      const store = await seeded()
      const before = await store.findUserByUsername('carol')
      assert.ok(before)
      assert.equal(await store.updatePasswordHash('carol', before.password, '$pbkdf2-sha256$rehash'), true)
      assert.equal((await store.findUserByUsername('carol'))?.passwordChangedAt, undefined)
    })

    it('answers false for an unknown user and creates nobody', async () => {
      const store = await seeded()
      assert.equal(await store.setPassword('ghost', HASH, Date.now()), false)
      assert.equal(await store.findUserByUsername('ghost'), null)
    })
  })

  describe('removeUser', () => {
    it('removes one user once and leaves the others', async () => {
      const store = await seeded()
      assert.equal(await store.removeUser('bob'), true)
      assert.equal(await store.findUserByUsername('bob'), null)
      assert.equal(await store.removeUser('bob'), false)
      assert.equal(await store.removeUser('ghost'), false)
      assert.deepEqual(
        (await store.listUsers()).map((u) => u.username),
        ['alice', 'carol', 'dave'],
      )
    })
  })

  describe('listUsers', () => {
    it('lists id and username only, sorted by username', async () => {
      const store = await seeded()
      assert.deepEqual(await store.listUsers(), [
        { id: '1', username: 'alice' },
        { id: '7', username: 'bob' },
        { id: '2', username: 'carol' },
        { id: 'admin', username: 'dave' },
      ])
      await store.addUser('aaron', HASH)
      assert.deepEqual(
        (await store.listUsers()).map((u) => u.username),
        ['aaron', 'alice', 'bob', 'carol', 'dave'],
      )
    })

    it('lists nobody in an empty store', async () => {
      assert.deepEqual(await (await makeStore({ users: [], holodules: [] })).listUsers(), [])
    })
  })

  describe('upsertHolodules', () => {
    it('inserts new keys, replaces existing ones, and counts each', async () => {
      const store = await seeded()
      const changed = row('HL0503', '20201209 230000', 'a new title')
      const added = row('HL0700', '20201209 150000')
      assert.deepEqual(await store.upsertHolodules([changed, added]), {
        inserted: 1,
        updated: 1,
        unchanged: 0,
      })
      const day = await store.findHolodulesByDate(DAY)
      assert.deepEqual(
        day.map((h) => h.key),
        [...DAY_KEYS.slice(0, 3), added.key, ...DAY_KEYS.slice(3)],
      )
      assert.deepEqual(
        day.find((h) => h.key === changed.key),
        changed,
      )
    })

    it('counts nothing for no records', async () => {
      assert.deepEqual(await (await seeded()).upsertHolodules([]), { inserted: 0, updated: 0, unchanged: 0 })
    })

    it('handles more records than one write batch', async () => {
      const store = await makeStore({ users: [], holodules: [] })
      const rows = Array.from({ length: 60 }, (_, i) =>
        row(`HL${String(i).padStart(4, '0')}`, `20301010 10${String(i).padStart(2, '0')}00`),
      )
      assert.deepEqual(await store.upsertHolodules(rows), { inserted: 60, updated: 0, unchanged: 0 })
      const again = rows.map((r) => ({ ...r, title: `${r.title} (changed)` }))
      assert.deepEqual(await store.upsertHolodules(again), { inserted: 0, updated: 60, unchanged: 0 })
      // The same rows once more: stored exactly as given, nothing written.
      assert.deepEqual(await store.upsertHolodules(again), { inserted: 0, updated: 0, unchanged: 60 })
      const day = await store.findHolodulesByDate('20301010')
      assert.equal(day.length, 60)
      assert.equal(day[0]?.key, 'HL0059_20301010_105900')
      assert.ok(day.every((h) => h.title.endsWith('(changed)')))
    })
  })

  describe('ping', () => {
    it('resolves while the database is reachable', async () => {
      await (await seeded()).ping()
    })
  })

  describe('ensureIndexes', () => {
    if (options.ensureIndexes) {
      it('resolves, twice, and the store keeps working', async () => {
        const store = await seeded()
        await store.ensureIndexes()
        await store.ensureIndexes()
        await assert.rejects(store.addUser('alice', HASH), DuplicateUserError)
        assert.equal((await store.addUser('erin', HASH)).id, '8')
        assert.deepEqual(await byDate(store, DAY), DAY_KEYS)
      })
    } else {
      it('rejects with a pointer to `holodule db init`', async () => {
        await assert.rejects((await seeded()).ensureIndexes(), /holodule db init/)
      })
    }
  })
}
