import type { Context } from 'hono'
import { hashFeedSecret, newFeedId, newFeedSecret } from '../../../auth/feed-secret.js'
import { toBase64Url } from '../../../lib/base64.js'
import type { Clock } from '../../../lib/clock.js'
import { createTtlCache, type TtlCache } from '../../../lib/ttl-cache.js'
import type { FeedRecord, FeedStore } from '../../../store/feeds.js'
import type { Store } from '../../../store/store.js'
import type { Answer, WriteSignals } from '../../encoded-answers.js'
import type { AppEnv } from '../../env.js'
import { respond, sendJson } from '../../responses.js'
import { type Shortcut, shortAnswer } from '../../shortcuts.js'
import { resolveQuery } from '../schedules/schedules.handlers.js'
import { type FeedFilter, renderCalendar } from './calendar.js'

export interface FeedDeps {
  store: Store
  feeds: FeedStore
  clock: Clock
  /** The origin feed URLs are made with (TRUST_PROXY applied). */
  publicOrigin: (c: Context) => string
  /** Seconds a calendar is reused, like a day (HOLODULES_CACHE_TTL). */
  cacheTtl: number
  backgroundWork: boolean
  /** Feeds one user may have. */
  maxFeeds: number
  /**
   * Seconds a live feed (found, its owner live) is reused by its polls, as a verified user is
   * (USER_CACHE_TTL): a revocation or an owner's removal made elsewhere shows within it.
   */
  userCacheTtl: number
  /** Where /users writes of this process say a user changed: that user's feeds are looked up again. */
  writes?: WriteSignals
}

/** Streams from this many days back to this many ahead, Japan days. */
const DAYS_BACK = 7
const DAYS_AHEAD = 30
/** A calendar past this many bytes is cut at the last whole stream (1000 streams are ~500 KB). */
export const CALENDAR_LIMIT = 1000

const japanDay = (nowMs: number, offsetDays: number): string =>
  new Date(nowMs + 9 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10)

const publicFeed = (f: FeedRecord) => ({
  id: f.id,
  group: f.group,
  code: f.code,
  keyword: f.keyword,
  created: f.created,
})

export const createFeed =
  ({ feeds, clock, publicOrigin, maxFeeds, store }: FeedDeps) =>
  async (c: Context<AppEnv>, input: FeedFilter) => {
    const user = c.get('user')
    const account = await store.findAccountByUsername(user.username)
    if ((await feeds.listFeeds(user.username)).length >= maxFeeds)
      return sendJson(c, { error: 'Too many feeds', limit: maxFeeds }, 409)
    const secret = newFeedSecret()
    const feed: FeedRecord = {
      id: newFeedId(),
      username: user.username,
      userId: account?.id ?? '',
      secretHash: await hashFeedSecret(secret),
      ...input,
      created: new Date(clock.now()).toISOString(),
    }
    await feeds.addFeed(feed)
    const url = `${publicOrigin(c)}/calendar/${secret}.ics`
    const { id, group, code, keyword, created } = feed
    return sendJson(c, { id, url, group, code, keyword, created }, 201)
  }

export const listFeeds =
  ({ feeds }: FeedDeps) =>
  async (c: Context<AppEnv>) =>
    sendJson(c, { feeds: (await feeds.listFeeds(c.get('user').username)).map(publicFeed) }, 200)

/**
 * Which live feeds a poll finds without asking the store, by their secret (in this process's memory
 * only, for USER_CACHE_TTL); revocations through this process drop theirs.
 */
export type LiveFeeds = TtlCache<string, FeedRecord | null>

export const liveFeeds = ({ userCacheTtl, clock, backgroundWork, writes }: FeedDeps): LiveFeeds => {
  const live = createTtlCache<string, FeedRecord | null>({
    ttlMs: userCacheTtl * 1000,
    clock,
    background: backgroundWork,
    // Only a live feed is kept: every 404 asks the store (the same two lookups, the same time).
    cacheable: (feed) => feed !== null,
  })
  // A user changed, disabled or removed through /users here: their feeds answer as the store says.
  writes?.on('users', (username) => live.deleteWhere((feed) => feed?.username === username))
  return live
}

export const removeFeed =
  ({ feeds }: FeedDeps, live: LiveFeeds) =>
  async (c: Context<AppEnv>, id: string) => {
    const { username } = c.get('user')
    const removed = await feeds.removeFeed(username, id)
    // After the store's delete, so no poll in flight keeps the feed again: its URL answers 404 at once.
    live.deleteWhere((feed) => feed?.id === id && feed.username === username)
    return removed ? c.body(null, 204) : sendJson(c, { error: 'Not found' }, 404)
  }

interface Calendar {
  body: Uint8Array<ArrayBuffer>
  etag: string
}

const CALENDAR_TYPE = 'text/calendar; charset=utf-8'
/** Where the short way finds the polls: `/calendar/<secret>.ics`. */
export const CALENDAR_PATH = '/calendar/'
/** The rendered calendars' key: a feed's filter, whoever made it. */
const filterKey = ({ group, code, keyword }: FeedFilter) => JSON.stringify({ group, code, keyword })

/** A feed's poll, on the routes and on the short way. */
export interface Calendars {
  serve: (c: Context<AppEnv>, file: string) => Promise<Response>
  shortcut: Shortcut
}

/**
 * `GET /calendar/<secret>.ics`. An unknown, revoked or orphaned secret (its user removed, added
 * again, or disabled) gets one answer, after the same two lookups. A live feed is kept for
 * USER_CACHE_TTL (`live`), so a calendar app's poll asks the store nothing; the calendar of a filter
 * is rendered once per TTL and shared by every feed with that filter.
 */
export const calendar = (deps: FeedDeps, live: LiveFeeds): Calendars => {
  const { store, feeds, clock } = deps
  const rendered = createTtlCache<string, Calendar>({
    ttlMs: deps.cacheTtl * 1000,
    clock,
    background: deps.backgroundWork,
  })
  const render = async ({ group, code, keyword }: FeedFilter): Promise<Calendar> => {
    const filter = { group, code, keyword }
    const now = clock.now()
    const params = {
      sdate: japanDay(now, -DAYS_BACK),
      edate: japanDay(now, DAYS_AHEAD),
      ...(filter.group !== null && { group: filter.group }),
      ...(filter.code !== null && { code: filter.code }),
      ...(filter.keyword !== null && { keyword: filter.keyword }),
    }
    const query = await resolveQuery(
      async (group) => (await store.findStreamers(group)).map((s) => s.code),
      params,
    )
    const streams = await store.findSchedules({ ...query, limit: CALENDAR_LIMIT })
    const body = new TextEncoder().encode(renderCalendar(streams, filter, now))
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
    return { body, etag: `"${toBase64Url(digest.subarray(0, 18))}"` }
  }
  /** The feed of a secret's hash when it answers, else null: always the same two store lookups. */
  const findLive = async (secretHash: string): Promise<FeedRecord | null> => {
    const feed = await feeds.findFeedBySecretHash(secretHash)
    // Looked up whether or not the feed exists: an unknown secret takes as long as an orphaned one.
    const account = await store.findAccountByUsername(feed?.username ?? '\u0000')
    return feed && account && account.id === feed.userId && !account.disabled ? feed : null
  }
  const cacheControl = `private, max-age=${deps.cacheTtl}`
  const answer = (cal: Calendar, ifNoneMatch: string | null | undefined): Answer =>
    ifNoneMatch === cal.etag
      ? { status: 304, body: null, headers: { etag: cal.etag, 'cache-control': cacheControl } }
      : {
          status: 200,
          body: cal.body,
          headers: { etag: cal.etag, 'cache-control': cacheControl, 'content-type': CALENDAR_TYPE },
        }
  const secretOf = (file: string) => (file.endsWith('.ics') ? file.slice(0, -4) : '')
  return {
    serve: async (c, file) => {
      const secret = secretOf(file)
      // Kept by the secret itself, as verified tokens are by their text: a live feed's poll then
      // skips the hash too (an unknown secret is never kept, so it is hashed and looked up each time).
      const feed = await live.get(secret, async () => findLive(await hashFeedSecret(secret)))
      if (!feed) return sendJson(c, { error: 'Not found' }, 404)
      const cal = await rendered.get(filterKey(feed), () => render(feed))
      // Through respond, as a day's answer: one plain header record with the wire headers, where
      // c.body's headers and the wire headers set on it afterwards each cost a Headers object.
      const { status, body, headers } = answer(cal, c.req.header('If-None-Match'))
      return respond(c, body, status, headers)
    },
    // The poll of a live feed whose calendar is kept fresh, on the short way (app/shortcuts.ts).
    shortcut: (request, path) => {
      const file = path.slice(CALENDAR_PATH.length)
      const feed = file.includes('/') ? undefined : live.peek(secretOf(file))
      const cal = feed ? rendered.peek(filterKey(feed)) : undefined
      return cal && shortAnswer(answer(cal, request.headers.get('if-none-match')), '/calendar/:file')
    },
  }
}
