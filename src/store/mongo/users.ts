// MongoStore's users and logins: the login's lookup and rehash, and `holodule user`'s commands.
import { MongoServerError } from 'mongodb'
import { DuplicateUserError } from '../errors.js'
import { newUser, nextUserId, passwordChange, toUserRecord, USER_PROJECTION, userDoc } from '../users.js'
import type { MongoContext } from './context.js'
import { DUPLICATE_KEY } from './errors.js'

export const findUserByUsername = async ({ users }: MongoContext, username: string) => {
  return toUserRecord(await users.findOne({ username }, { projection: USER_PROJECTION }))
}

export const updatePasswordHash = async (
  { users }: MongoContext,
  username: string,
  expected: string,
  hash: string,
) => {
  const r = await users.updateOne({ username, password: expected }, { $set: { password: hash } })
  return r.modifiedCount === 1
}

export const addUser = async (
  { users }: MongoContext,
  username: string,
  passwordHash: string,
  createdAtMs?: number,
) => {
  if (await users.findOne({ username })) throw new DuplicateUserError(username)
  const ids = await users.find({}, { projection: { _id: 0, id: 1 } }).toArray()
  const user = newUser(nextUserId(ids), username, passwordHash, createdAtMs)
  try {
    await users.insertOne(userDoc(user))
  } catch (e) {
    if (e instanceof MongoServerError && e.code === DUPLICATE_KEY) throw new DuplicateUserError(username)
    throw e
  }
  return user
}

export const setPassword = async (
  { users }: MongoContext,
  username: string,
  passwordHash: string,
  changedAtMs: number,
) => {
  const r = await users.updateOne({ username }, { $set: passwordChange(passwordHash, changedAtMs) })
  return r.matchedCount === 1
}

export const removeUser = async ({ users }: MongoContext, username: string) =>
  (await users.deleteOne({ username })).deletedCount === 1

export const listUsers = async ({ users }: MongoContext) => {
  const docs = await users
    .find({}, { projection: { _id: 0, id: 1, username: 1 } })
    .sort({ username: 1 })
    .toArray()
  return docs.map((d) => ({ id: String(d.id ?? ''), username: d.username }))
}
