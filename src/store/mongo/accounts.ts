// MongoStore's admin accounts: the users as the /users routes see them, by their `_id`.
import type { Filter } from 'mongodb'
import type { AccountChange } from '../records.js'
import { ACCOUNT_PROJECTION, accountSet, toAccount } from '../users.js'
import { type MongoContext, objectId, type UserDoc } from './context.js'

export const listAccounts = async ({ users }: MongoContext) => {
  const docs = await users.find({}, { projection: ACCOUNT_PROJECTION }).sort({ username: 1 }).toArray()
  return docs.map((d) => toAccount(d as unknown as Record<string, unknown>))
}

export const findAccount = async ({ users }: MongoContext, id: string) => {
  const _id = objectId(id)
  const doc = _id && (await users.findOne({ _id } as Filter<UserDoc>, { projection: ACCOUNT_PROJECTION }))
  return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
}

export const findAccountByUsername = async ({ users }: MongoContext, username: string) => {
  const doc = await users.findOne({ username }, { projection: ACCOUNT_PROJECTION })
  return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
}

export const updateAccount = async ({ users }: MongoContext, id: string, change: AccountChange) => {
  const _id = objectId(id)
  if (!_id) return null
  const set = accountSet(change)
  if (Object.keys(set).length > 0) {
    const r = await users.updateOne({ _id } as Filter<UserDoc>, { $set: set })
    if (r.matchedCount !== 1) return null
  }
  const doc = await users.findOne({ _id } as Filter<UserDoc>, { projection: ACCOUNT_PROJECTION })
  return doc ? toAccount(doc as unknown as Record<string, unknown>) : null
}

export const removeAccount = async ({ users }: MongoContext, id: string) => {
  const _id = objectId(id)
  return _id ? (await users.deleteOne({ _id } as Filter<UserDoc>)).deletedCount === 1 : false
}
