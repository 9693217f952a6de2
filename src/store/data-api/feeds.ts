import { FEEDS, type FeedRecord, type FeedStore, feedDoc, feedFromDoc } from '../feeds.js'
import type { DataApiClient } from './client.js'

/** Feeds through the Data API gateway (the Worker's store): each call one or two actions. */
export class DataApiFeedStore implements FeedStore {
  constructor(private readonly client: DataApiClient) {}

  async addFeed(feed: FeedRecord) {
    await this.client.action('insertOne', FEEDS, { document: feedDoc(feed) })
  }

  async listFeeds(username: string) {
    const docs = await this.client.find(FEEDS, { filter: { username }, sort: { created: 1, id: 1 } })
    return docs.flatMap((d) => feedFromDoc(d) ?? [])
  }

  async removeFeed(username: string, id: string) {
    const r = await this.client.action<{ deletedCount?: unknown }>('deleteOne', FEEDS, {
      filter: { username, id },
    })
    return r.deletedCount === 1
  }

  async findFeedBySecretHash(secretHash: string) {
    return feedFromDoc(await this.client.findOne(FEEDS, { _id: secretHash }, {}))
  }

  /** The Data API has no index commands; `holodule db init` creates them through the driver. */
  async ensureIndexes() {}
}
