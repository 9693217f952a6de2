// MemoryStore's users and logins: the login's lookup and rehash, and `holodule user`'s commands.
import { DuplicateUserError } from '../errors.js'
import { newUser, nextUserId, passwordChange, toUserRecord } from '../users.js'
import { accountOf, type MemoryData } from './data.js'

export const findUserByUsername = async (d: MemoryData, username: string) => {
  const u = d.users.get(username)
  return u ? { ...u } : null
}

export const updatePasswordHash = async (d: MemoryData, username: string, expected: string, hash: string) => {
  const u = d.users.get(username)
  if (!u || u.password !== expected) return false
  u.password = hash
  return true
}

export const addUser = async (
  d: MemoryData,
  username: string,
  passwordHash: string,
  createdAtMs?: number,
) => {
  if (d.users.has(username)) throw new DuplicateUserError(username)
  const user = newUser(nextUserId(d.users.values()), username, passwordHash, createdAtMs)
  d.users.set(username, user)
  accountOf(d, username)
  return { ...user }
}

export const setPassword = async (
  d: MemoryData,
  username: string,
  passwordHash: string,
  changedAtMs: number,
) => {
  const u = d.users.get(username)
  if (!u) return false
  // Through the same conversion as a stored document, so the three stores answer alike.
  const changed = toUserRecord({ ...u, _id: u.documentId, ...passwordChange(passwordHash, changedAtMs) })
  if (changed) d.users.set(username, changed)
  return true
}

export const removeUser = async (d: MemoryData, username: string) => {
  d.accounts.delete(username)
  return d.users.delete(username)
}

/** Sorted by username, as both MongoDB adapters sort (code-unit order, not locale). */
export const listUsers = async (d: MemoryData) =>
  [...d.users.values()]
    .map(({ id, username }) => ({ id, username }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
