import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Db, MongoClient } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { startGateway, WORKER_KEY } from '#harness/runtimes.js'
import type { ServerProcess } from '#harness/server-process.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { toHolodule } from '#src/store/layouts/holodules.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'
import { toUserRecord } from '#src/store/users.js'
import { layoutCases } from '../support/layout-cases.js'

const MONGO_DB = 'layouts_mongo'
const HOLODULE = {
  key: 'HL0503_20201209_230000',
  code: 'HL0503',
  video_id: 'yEttl2nfhsQ',
  datetime: '20201209 230000',
  name: 'n',
  title: 't',
  url: 'u',
  description: 'd',
}
const DATA_API_DB = 'layouts_data_api'

/** Each collection replaced with the seed's documents, as the collectors left them. */
const reseed = async (db: Db, seed: Record<string, Record<string, unknown>[]>) => {
  for (const name of ['schedules', 'streamers', 'holodules', 'users']) {
    const docs = (seed[name] ?? []).map(({ _id, ...d }) => (_id === undefined ? d : { _id, ...d }))
    await db.collection(name).deleteMany({})
    if (docs.length > 0) await db.collection(name).insertMany(docs.map((d) => ({ ...d })))
  }
}

describe('the 2024 layout and the third generation reads', () => {
  describe('MemoryStore', () => {
    layoutCases(async (seed) => {
      const holodules = seed.holodules.map((d) => ({ ...toHolodule(d), _id: String(d._id) }))
      return new MemoryStore({
        users: (seed.users ?? []).flatMap((d) => {
          const u = toUserRecord(d)
          const names = {
            firstname: d.firstname as string | undefined,
            lastname: d.lastname as string | undefined,
          }
          return u ? [{ ...u, ...names, documentId: String(d._id) }] : []
        }),
        schedules: seed.schedules.map(scheduleFromDoc),
        streamers: seed.streamers.map(streamerFromDoc),
        holodules,
      })
    })
  })

  describe('on FerretDB', () => {
    let server: MongoServer
    let client: MongoClient
    let gateway: (ServerProcess & { url: string }) | undefined
    const stores: Array<{ close(): Promise<void> }> = []

    before(async () => {
      server = await startMongo()
      client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 })
      gateway = await startGateway(server.uri, `${DATA_API_DB}.*=readWrite`)
    })
    after(async () => {
      await gateway?.stop()
      for (const s of stores) await s.close()
      await client?.close()
      await server?.dispose()
    })

    describe('MongoStore through the official driver', () => {
      layoutCases(async (seed) => {
        await reseed(client.db(MONGO_DB), { ...seed })
        // A store per case: `auto` is decided once per store, as at a server's start.
        const store = MongoStore.connect(server.uri, MONGO_DB)
        stores.push(store)
        await store.ensureIndexes()
        return store
      })
    })

    it('reads the 2020 layout through a gateway key granted no schedules, as an upgrade finds it', async () => {
      const db = 'layouts_old_key'
      await reseed(client.db(db), { holodules: [{ ...HOLODULE, _id: undefined }] })
      await client.db(db).collection('schedules').insertOne({ code: 'x' })
      const oldKey = await startGateway(server.uri, `${db}.holodules=find+findOne`)
      try {
        const store = new DataApiStore({
          url: oldKey.url,
          apiKey: WORKER_KEY,
          dataSource: 'mongodb-atlas',
          database: db,
          timeoutMs: 5000,
        })
        assert.equal(await store.layout(), 'holodules')
        assert.deepEqual(
          (await store.findHolodulesByDate('20201209')).map((h) => h.key),
          ['HL0503_20201209_230000'],
        )
      } finally {
        await oldKey.stop()
      }
    })

    describe('DataApiStore through our gateway', () => {
      layoutCases(async (seed) => {
        await reseed(client.db(DATA_API_DB), { ...seed })
        return new DataApiStore({
          url: gateway?.url ?? '',
          apiKey: WORKER_KEY,
          dataSource: 'mongodb-atlas',
          database: DATA_API_DB,
          timeoutMs: 5000,
        })
      })
    })
  })
})
