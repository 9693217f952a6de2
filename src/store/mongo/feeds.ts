import type { Collection, Db } from 'mongodb'
import { FEEDS, type FeedRecord, type FeedStore, feedDoc, feedFromDoc } from '../feeds.js'

type FeedDoc = ReturnType<typeof feedDoc>

/**
 * Feeds through the official driver, on the store's database. `run` is the store's own wrapper
 * (deadline, reconnect, the port's StoreUnavailableError), so a feed poll fails like a day does.
 */
export class MongoFeedStore implements FeedStore {
  private readonly feeds: Collection<FeedDoc>

  constructor(
    db: Db,
    private readonly run: <T>(op: () => Promise<T>) => Promise<T>,
  ) {
    this.feeds = db.collection<FeedDoc>(FEEDS)
  }

  addFeed(feed: FeedRecord) {
    return this.run(async () => {
      await this.feeds.insertOne(feedDoc(feed))
    })
  }

  listFeeds(username: string) {
    return this.run(async () => {
      const docs = await this.feeds.find({ username }).sort({ created: 1, id: 1 }).toArray()
      return docs.flatMap((d) => feedFromDoc(d) ?? [])
    })
  }

  removeFeed(username: string, id: string) {
    return this.run(async () => (await this.feeds.deleteOne({ username, id })).deletedCount === 1)
  }

  findFeedBySecretHash(secretHash: string) {
    return this.run(async () => feedFromDoc(await this.feeds.findOne({ _id: secretHash })))
  }

  ensureIndexes() {
    return this.run(async () => {
      await this.feeds.createIndex({ username: 1, created: 1 }, { name: 'username_1_created_1' })
    })
  }
}
