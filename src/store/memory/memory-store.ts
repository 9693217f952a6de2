import { nextDay } from '../days.js'
import { DuplicateUserError } from '../errors.js'
import { sameHolodule, toHolodule } from '../layouts/holodules.js'
import type { Holodule, HoloduleRecord, UserRecord } from '../records.js'
import type { Store, UpsertReport } from '../store.js'
import { nextUserId, passwordChange, toUserRecord } from '../users.js'

/** Same ordering as the MongoDB query: datetime, then key, both descending. */
const newestFirst = (a: Holodule, b: Holodule): number =>
  a.datetime === b.datetime ? (a.key < b.key ? 1 : a.key > b.key ? -1 : 0) : a.datetime < b.datetime ? 1 : -1

/** The embedded default and the unit tests' store; holds everything in two Maps. */
export class MemoryStore implements Store {
  private readonly users = new Map<string, UserRecord>()
  private readonly holodules = new Map<string, HoloduleRecord>()

  constructor(seed: { users?: UserRecord[]; holodules?: HoloduleRecord[] } = {}) {
    for (const u of seed.users ?? []) this.users.set(u.username, { ...u })
    for (const h of seed.holodules ?? [])
      this.holodules.set(toHolodule(h).key, { ...h, key: toHolodule(h).key })
  }

  async findUserByUsername(username: string) {
    const u = this.users.get(username)
    return u ? { ...u } : null
  }

  async updatePasswordHash(username: string, expected: string, hash: string) {
    const u = this.users.get(username)
    if (!u || u.password !== expected) return false
    u.password = hash
    return true
  }

  async findHolodulesByDate(date: string) {
    const end = nextDay(date)
    const out: HoloduleRecord[] = []
    for (const h of this.holodules.values()) {
      if (h.datetime >= date && h.datetime < end) out.push(toHolodule(h))
    }
    return out.sort(newestFirst)
  }

  async ping() {}

  async addUser(username: string, passwordHash: string) {
    if (this.users.has(username)) throw new DuplicateUserError(username)
    const user = { id: nextUserId(this.users.values()), username, password: passwordHash }
    this.users.set(username, user)
    return { ...user }
  }

  async setPassword(username: string, passwordHash: string, changedAtMs: number) {
    const u = this.users.get(username)
    if (!u) return false
    // Through the same conversion as a stored document, so the three stores answer alike.
    const changed = toUserRecord({ ...u, ...passwordChange(passwordHash, changedAtMs) })
    if (changed) this.users.set(username, changed)
    return true
  }

  async removeUser(username: string) {
    return this.users.delete(username)
  }

  /** Sorted by username, as both MongoDB adapters sort (code-unit order, not locale). */
  async listUsers() {
    return [...this.users.values()]
      .map(({ id, username }) => ({ id, username }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
  }

  async upsertHolodules(
    records: HoloduleRecord[],
    onProgress?: (done: number) => void,
  ): Promise<UpsertReport> {
    const report = { inserted: 0, updated: 0, unchanged: 0 }
    for (const r of records) {
      const stored = this.holodules.get(r.key)
      if (!stored) report.inserted++
      else if (sameHolodule(stored, r)) report.unchanged++
      else report.updated++
      this.holodules.set(r.key, { ...r })
    }
    onProgress?.(records.length)
    return report
  }

  async ensureIndexes() {}
  async close() {}
}
