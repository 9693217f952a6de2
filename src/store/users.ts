import type { UserRecord } from './records.js'

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

/** The stored field for a password change at `changedAtMs`: whole seconds, as a token's `iat`. */
export const passwordChange = (passwordHash: string, changedAtMs: number) => ({
  password: passwordHash,
  password_changed_at: Math.floor(changedAtMs / 1000),
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
