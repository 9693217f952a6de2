// DataApiStore's users and logins: the login's lookup and rehash, and `holodule user`'s commands.
import { DuplicateUserError } from '../errors.js'
import type { UserRecord } from '../records.js'
import { newUser, nextUserId, passwordChange, toUserRecord, USER_PROJECTION, userDoc } from '../users.js'
import { DataApiRequestError } from './client.js'
import { type DataApiContext, USERS } from './context.js'

export const findUserByUsername = async ({ client }: DataApiContext, username: string) =>
  toUserRecord(await client.findOne(USERS, { username }, USER_PROJECTION))

export const updatePasswordHash = async (
  { client }: DataApiContext,
  username: string,
  expected: string,
  hash: string,
): Promise<boolean> => {
  const r = await client.action<{ modifiedCount?: unknown }>('updateOne', USERS, {
    filter: { username, password: expected },
    update: { $set: { password: hash } },
  })
  return r.modifiedCount === 1
}

export const addUser = async (
  { client }: DataApiContext,
  username: string,
  passwordHash: string,
  createdAtMs?: number,
): Promise<UserRecord> => {
  if (await client.findOne(USERS, { username }, { _id: 1 })) throw new DuplicateUserError(username)
  const ids = await client.find(USERS, { filter: {}, projection: { _id: 0, id: 1 } })
  const user = newUser(nextUserId(ids), username, passwordHash, createdAtMs)
  try {
    await client.action('insertOne', USERS, { document: userDoc(user) })
  } catch (e) {
    if (e instanceof DataApiRequestError && e.errorCode === 'DuplicateKey')
      throw new DuplicateUserError(username)
    throw e
  }
  return user
}

export const setPassword = async (
  { client }: DataApiContext,
  username: string,
  passwordHash: string,
  changedAtMs: number,
): Promise<boolean> => {
  const r = await client.action<{ matchedCount?: unknown }>('updateOne', USERS, {
    filter: { username },
    update: { $set: passwordChange(passwordHash, changedAtMs) },
  })
  return r.matchedCount === 1
}

export const removeUser = async ({ client }: DataApiContext, username: string): Promise<boolean> => {
  const r = await client.action<{ deletedCount?: unknown }>('deleteOne', USERS, { filter: { username } })
  return r.deletedCount === 1
}

export const listUsers = async ({ client }: DataApiContext) => {
  const docs = await client.find(USERS, {
    filter: {},
    projection: { _id: 0, id: 1, username: 1 },
    sort: { username: 1 },
  })
  return docs.map((d) => ({ id: String(d.id ?? ''), username: String(d.username ?? '') }))
}
