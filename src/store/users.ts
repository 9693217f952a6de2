import type { UserRecord } from './store.js'

/** The fields of a user document the port returns; both MongoDB adapters ask for exactly these. */
export const USER_PROJECTION = { _id: 0, id: 1, username: 1, password: 1 } as const

/** A stored user document as the port returns it, or null when it holds no usable password. */
export const toUserRecord = (doc: Record<string, unknown> | null | undefined): UserRecord | null => {
  if (!doc || typeof doc.password !== 'string' || typeof doc.username !== 'string') return null
  return { id: String(doc.id ?? ''), username: doc.username, password: doc.password }
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
