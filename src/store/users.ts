import type { AccountChange, UserAccount, UserRecord } from './records.js'

/** The fields of a user document the port returns; both MongoDB adapters ask for exactly these. */
export const USER_PROJECTION = {
  _id: 1,
  id: 1,
  username: 1,
  password: 1,
  password_changed_at: 1,
  disabled: 1,
  admin: 1,
} as const

/** `true`, or Python's `"True"` where a script wrote the flag as text. */
const flag = (v: unknown): boolean =>
  v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true')

/**
 * The first whole second whose tokens are accepted after a password change (or a creation) at
 * `changedAtMs`: the second after the one the change happened in. A token's `iat` is whole seconds,
 * so one issued earlier in that same second cannot be told from one issued after the change; both
 * are refused, and a login in that second waits for the next one before it issues its token
 * (auth/token.ts issueSchedule), so no token issued after the change is refused.
 */
export const tokensValidFrom = (changedAtMs: number): number => Math.floor(changedAtMs / 1000) + 1

/** The stored fields for a password change at `changedAtMs` (`password_changed_at` as above). */
export const passwordChange = (passwordHash: string, changedAtMs: number) => ({
  password: passwordHash,
  password_changed_at: tokensValidFrom(changedAtMs),
})

/** A stored user document as the port returns it, or null when it holds no usable password. */
export const toUserRecord = (doc: Record<string, unknown> | null | undefined): UserRecord | null => {
  if (!doc || typeof doc.password !== 'string' || typeof doc.username !== 'string') return null
  const user: UserRecord = { id: String(doc.id ?? ''), username: doc.username, password: doc.password }
  const changed = doc.password_changed_at
  if (typeof changed === 'number' && Number.isFinite(changed)) user.passwordChangedAt = changed
  if (flag(doc.admin)) user.admin = true
  if (flag(doc.disabled)) {
    user.disabled = true
    // Only a disabled user's answer names the document (the third generation's `Inactive user`).
    if (doc._id != null) user.documentId = String(doc._id)
  }
  return user
}

/** One past the largest numeric `id` (ids are strings; anything that is not a number is skipped). */
export const nextUserId = (docs: Iterable<{ id?: unknown }>): string => {
  let max = 0
  for (const d of docs) {
    const n = Number(d.id)
    if (Number.isFinite(n) && n > max) max = n
  }
  return String(max + 1)
}

/** The fields of a user document the admin routes answer; never the password. */
export const ACCOUNT_PROJECTION = {
  _id: 1,
  username: 1,
  firstname: 1,
  lastname: 1,
  disabled: 1,
  admin: 1,
} as const

/** A stored user document as an account (`id` its `_id`). */
export const toAccount = (doc: Record<string, unknown>): UserAccount => ({
  id: String(doc._id ?? ''),
  username: String(doc.username ?? ''),
  firstname: typeof doc.firstname === 'string' ? doc.firstname : null,
  lastname: typeof doc.lastname === 'string' ? doc.lastname : null,
  disabled: flag(doc.disabled),
  admin: flag(doc.admin),
})

/** The `$set` of a change: names and flags as given, a password with the second it changed. */
export const accountSet = (change: AccountChange): Record<string, unknown> => {
  const set: Record<string, unknown> = {}
  for (const k of ['firstname', 'lastname', 'disabled', 'admin'] as const) {
    if (change[k] !== undefined) set[k] = change[k]
  }
  if (change.password) Object.assign(set, passwordChange(change.password.hash, change.password.changedAtMs))
  return set
}

/** A new user's record; its creation, when given, counts as its password's change. */
export const newUser = (id: string, username: string, password: string, createdAtMs?: number): UserRecord => {
  const user: UserRecord = { id, username, password }
  if (createdAtMs !== undefined) user.passwordChangedAt = tokensValidFrom(createdAtMs)
  return user
}

/** A new user's document: the record's fields under their stored names. */
export const userDoc = (user: UserRecord) => ({
  id: user.id,
  username: user.username,
  password: user.password,
  ...(user.passwordChangedAt !== undefined && { password_changed_at: user.passwordChangedAt }),
})
