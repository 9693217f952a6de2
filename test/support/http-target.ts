/** The contract's cases (test/contract/cases.ts) over real HTTP, against any running target. */
import type { MongoClient } from 'mongodb'
import { curlFetch } from '#harness/runtimes.js'
import type { ContractTarget } from '../contract/cases.js'

/** A ContractTarget over real HTTP, reading stored passwords straight from MongoDB. */
export const httpTarget = (baseUrl: string, client: MongoClient, database: string): ContractTarget => ({
  fetch: (path, init) => curlFetch(`${baseUrl}${path}`, init),
  storedPassword: async (username) => {
    const doc = await client.db(database).collection('users').findOne({ username })
    return typeof doc?.password === 'string' ? doc.password : null
  },
})
