// DataApiStore's admin accounts: the users as the /users routes see them, by their `_id`.
import type { AccountChange } from '../records.js'
import { ACCOUNT_PROJECTION, accountSet, toAccount } from '../users.js'
import { type DataApiContext, OBJECT_ID, remove, USERS, update } from './context.js'

export const listAccounts = async ({ client }: DataApiContext) => {
  const docs = await client.find(USERS, { filter: {}, projection: ACCOUNT_PROJECTION, sort: { username: 1 } })
  return docs.map(toAccount)
}

export const findAccount = async ({ client }: DataApiContext, id: string) => {
  if (!OBJECT_ID.test(id)) return null
  const doc = await client.findOne(USERS, { _id: { $oid: id } }, ACCOUNT_PROJECTION)
  return doc ? toAccount(doc) : null
}

export const findAccountByUsername = async ({ client }: DataApiContext, username: string) => {
  const doc = await client.findOne(USERS, { username }, ACCOUNT_PROJECTION)
  return doc ? toAccount(doc) : null
}

export const updateAccount = async ({ client }: DataApiContext, id: string, change: AccountChange) => {
  const doc = await update(client, USERS, id, accountSet(change))
  return doc ? toAccount(doc) : null
}

export const removeAccount = async ({ client }: DataApiContext, id: string) => remove(client, USERS, id)
