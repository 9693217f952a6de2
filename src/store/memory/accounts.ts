// MemoryStore's admin accounts: the users as the /users routes see them, by their `_id`.
import type { AccountChange, UserAccount } from '../records.js'
import type { Store } from '../store.js'
import { accountSet, toUserRecord } from '../users.js'
import { accountOf, type MemoryData } from './data.js'

const account = (d: MemoryData, username: string): UserAccount | null => {
  const u = d.users.get(username)
  if (!u) return null
  const { id, firstname, lastname } = accountOf(d, username)
  return { id, username, firstname, lastname, disabled: u.disabled === true, admin: u.admin === true }
}

const usernameOf = (d: MemoryData, id: string): string | undefined =>
  [...d.accounts].find(([name, a]) => a.id === id && d.users.has(name))?.[0]

/** In the order `store.listUsers()` answers (the store itself, so a subclass's is the one asked). */
export const listAccounts = async (d: MemoryData, store: Pick<Store, 'listUsers'>) =>
  (await store.listUsers()).flatMap((u) => account(d, u.username) ?? [])

export const findAccount = async (d: MemoryData, id: string) => {
  const name = usernameOf(d, id)
  return name === undefined ? null : account(d, name)
}

export const findAccountByUsername = async (d: MemoryData, username: string) => account(d, username)

export const updateAccount = async (d: MemoryData, id: string, change: AccountChange) => {
  const name = usernameOf(d, id)
  const u = name === undefined ? undefined : d.users.get(name)
  if (name === undefined || !u) return null
  const a = accountOf(d, name)
  if (change.firstname !== undefined) a.firstname = change.firstname
  if (change.lastname !== undefined) a.lastname = change.lastname
  const doc = { ...u, password_changed_at: u.passwordChangedAt, _id: a.id, ...accountSet(change) }
  const changed = toUserRecord(doc)
  if (changed) d.users.set(name, changed)
  return account(d, name)
}

export const removeAccount = async (d: MemoryData, id: string) => {
  const name = usernameOf(d, id)
  if (name === undefined) return false
  d.accounts.delete(name)
  return d.users.delete(name)
}
