import type { FeedRecord, FeedStore } from '../feeds.js'

/** The embedded default's feeds, and the unit tests': gone when the process ends. */
export class MemoryFeedStore implements FeedStore {
  private readonly bySecret = new Map<string, FeedRecord>()

  async addFeed(feed: FeedRecord) {
    this.bySecret.set(feed.secretHash, { ...feed })
  }

  async listFeeds(username: string) {
    return [...this.bySecret.values()].filter((f) => f.username === username).map((f) => ({ ...f }))
  }

  async removeFeed(username: string, id: string) {
    for (const [hash, f] of this.bySecret) {
      if (f.username === username && f.id === id) return this.bySecret.delete(hash)
    }
    return false
  }

  async findFeedBySecretHash(secretHash: string) {
    const f = this.bySecret.get(secretHash)
    return f ? { ...f } : null
  }

  async ensureIndexes() {}
}
