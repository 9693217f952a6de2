// Calendar feeds: a user's subscriptions, each reached by a secret URL. The secret itself is never
// stored: a feed is kept under the SHA-256 of its secret, as its `_id`, so the one lookup a calendar
// poll makes is an `_id` equality that every MongoDB-compatible server (FerretDB too) serves by index.

/** One feed as stored; `secretHash` is what the secret URL is looked up by. */
export type FeedRecord = {
  /** The public id (`DELETE /feeds/{id}`): random, unrelated to the secret. */
  id: string
  username: string
  /** The user's `_id` when the feed was made: a user removed and added again does not inherit it. */
  userId: string
  secretHash: string
  group: string | null
  code: string | null
  keyword: string | null
  /** ISO 8601, UTC. */
  created: string
}

/** Where feeds are kept: one port, a backend per store (memory, the driver, the Data API). */
export interface FeedStore {
  addFeed(feed: FeedRecord): Promise<void>
  /** The user's feeds, oldest first. */
  listFeeds(username: string): Promise<FeedRecord[]>
  /** Only a feed of this user; false when it has no such feed. */
  removeFeed(username: string, id: string): Promise<boolean>
  findFeedBySecretHash(secretHash: string): Promise<FeedRecord | null>
  ensureIndexes(): Promise<void>
}

export const FEEDS = 'feeds'

/** A stored feed document (the secret's hash as `_id`) back to a record; null when it is not one. */
export const feedFromDoc = (doc: Record<string, unknown> | null | undefined): FeedRecord | null => {
  if (!doc || typeof doc._id !== 'string' || typeof doc.id !== 'string' || typeof doc.username !== 'string')
    return null
  const text = (v: unknown) => (typeof v === 'string' ? v : null)
  return {
    id: doc.id,
    username: doc.username,
    userId: String(doc.user_id ?? ''),
    secretHash: doc._id,
    group: text(doc.group),
    code: text(doc.code),
    keyword: text(doc.keyword),
    created: String(doc.created ?? ''),
  }
}

/** A record as its stored document. */
export const feedDoc = (f: FeedRecord) => ({
  _id: f.secretHash,
  id: f.id,
  username: f.username,
  user_id: f.userId,
  group: f.group,
  code: f.code,
  keyword: f.keyword,
  created: f.created,
})
