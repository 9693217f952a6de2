import { after, before, describe } from 'node:test'
import { type Db, MongoClient } from 'mongodb'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { startGateway, WORKER_KEY } from '#harness/runtimes.js'
import type { ServerProcess } from '#harness/server-process.js'
import { DataApiStore } from '#src/store/data-api/data-api-store.js'
import { MongoStore } from '#src/store/mongo/mongo-store.js'
import { type StoreSeed, storeCases } from '../support/store-cases.js'

/** One database per adapter, so the two suites never see each other's writes. */
const MONGO_DB = 'stores_mongo'
const DATA_API_DB = 'stores_data_api'

/** Replaces both collections' documents with the seed, straight through the driver; indexes stay. */
const reseed = async (db: Db, seed: StoreSeed) => {
  const users = db.collection('users')
  const holodules = db.collection('holodules')
  await users.deleteMany({})
  await holodules.deleteMany({})
  // Copies: insertMany adds _id to the objects it is given.
  if (seed.users.length > 0) await users.insertMany(seed.users.map((u) => ({ ...u })))
  if (seed.holodules.length > 0) await holodules.insertMany(seed.holodules.map((h) => ({ ...h })))
}

describe('the Store cases on FerretDB', () => {
  let server: MongoServer
  let client: MongoClient
  let mongoStore: MongoStore
  let gateway: (ServerProcess & { url: string }) | undefined
  let dataApiStore: DataApiStore

  before(async () => {
    server = await startMongo()
    client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 })
    mongoStore = MongoStore.connect(server.uri, MONGO_DB)
    // Both databases get the unique indexes that `holodule db init` creates in production.
    await mongoStore.ensureIndexes()
    const init = MongoStore.connect(server.uri, DATA_API_DB)
    try {
      await init.ensureIndexes()
    } finally {
      await init.close()
    }
    gateway = await startGateway(server.uri, `${DATA_API_DB}.*=readWrite`)
    dataApiStore = new DataApiStore({
      url: gateway.url,
      apiKey: WORKER_KEY,
      dataSource: 'mongodb-atlas',
      database: DATA_API_DB,
      timeoutMs: 5000,
    })
  })
  after(async () => {
    await gateway?.stop()
    await mongoStore?.close()
    await client?.close()
    await server?.dispose()
  })

  describe('MongoStore through the official driver', () => {
    storeCases(
      async (seed) => {
        await reseed(client.db(MONGO_DB), seed)
        return mongoStore
      },
      { ensureIndexes: true },
    )
  })

  describe('DataApiStore through our gateway', () => {
    storeCases(
      async (seed) => {
        await reseed(client.db(DATA_API_DB), seed)
        return dataApiStore
      },
      { ensureIndexes: false },
    )
  })
})
