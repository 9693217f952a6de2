// Calendar feeds (POST /feeds, GET /feeds, DELETE /feeds/{id}) with any generation's token under
// its own scheme: `JWT` for the first, `Bearer` for the second and third.
import { type Answer, commonError, describe, field, isExpired, unexpected } from './answers.js'
import { idSegment } from './bearer-reads.js'
import {
  type AnyHoloduleApiError,
  BadRequestError,
  FeedLimitError,
  InactiveUserError,
  NotFoundError,
  TokenError,
} from './errors.js'
import { hasExpired, isRefusedBearer, listOf } from './schedule-answers.js'
import type { Session } from './session.js'
import type { CallOptions, Transport } from './transport.js'
import type { Generation } from './types.js'

/** What a feed shows: `/schedules`' filters, each optional; undefined, null or `''` leaves one out. */
export interface FeedFilter {
  /** The streams of this group's members (`hololive`, `hololive_en`, …). */
  group?: string | null
  /** One streamer's code. */
  code?: string | null
  /** Text in the title, name or description, any case. */
  keyword?: string | null
}

/** A feed as `listFeeds` shows it: never its secret. */
export interface Feed {
  /** What `removeFeed` takes. */
  readonly id: string
  readonly group: string | null
  readonly code: string | null
  readonly keyword: string | null
  /** ISO 8601, UTC. */
  readonly created: string
}

/** A feed just made: its `url` (`…/calendar/<secret>.ics`) is shown this once, never again. */
export interface NewFeed extends Feed {
  readonly url: string
}

const nullableText = (r: Record<string, unknown>, name: string): string | null | undefined => {
  const value = r[name]
  return typeof value === 'string' || value === null ? value : undefined
}

/** A feed of the wire, key for key; undefined when a field is off. */
const toFeed = (value: unknown): Feed | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const r = value as Record<string, unknown>
  const [group, code, keyword] = [
    nullableText(r, 'group'),
    nullableText(r, 'code'),
    nullableText(r, 'keyword'),
  ]
  if (typeof r.id !== 'string' || typeof r.created !== 'string') return undefined
  if (group === undefined || code === undefined || keyword === undefined) return undefined
  return Object.freeze({ id: r.id, group, code, keyword, created: r.created })
}

const toNewFeed = (value: unknown): NewFeed | undefined => {
  const feed = toFeed(value)
  const url = field(value, 'url')
  return feed && url !== undefined ? Object.freeze({ ...feed, url }) : undefined
}

/** The filters given, as POST /feeds takes them. */
const bodyOf = (filter: FeedFilter): Record<string, string> => {
  const body: Record<string, string> = {}
  for (const name of ['group', 'code', 'keyword'] as const) {
    const value = filter[name]
    if (typeof value === 'string' && value !== '') body[name] = value
  }
  return body
}

/** The server's refusal of the token sent, in any generation's words. */
const isRefused = (a: Answer): boolean => isExpired(a) || isRefusedBearer(a)

/** A failed feed request as a typed error; `id` is the feed a DELETE named. */
const feedError = (
  what: string,
  a: Answer,
  sentWith: string | undefined,
  id?: string,
): AnyHoloduleApiError => {
  const failed = `${what} failed`
  const message = field(a.body, 'message')
  if (a.status === 401 || a.status === 422) {
    const description =
      field(a.body, 'description') ?? field(a.body, 'msg') ?? field(a.body, 'detail') ?? message
    const expired = isExpired(a) || (isRefusedBearer(a) && hasExpired(sentWith))
    return new TokenError(describe(failed, a), a.status, a.body, field(a.body, 'error'), description, expired)
  }
  if (a.status === 400 && message === 'Inactive user')
    return new InactiveUserError(describe(failed, a), a.status, a.body, field(a.body, 'identifier'))
  if (a.status === 400) return new BadRequestError(describe(failed, a), a.status, a.body)
  if (a.status === 404 && id !== undefined && field(a.body, 'error') === 'Not found')
    return new NotFoundError(describe(failed, a), a.status, a.body, id)
  if (a.status === 409) {
    const limit = (a.body as { limit?: unknown } | undefined)?.limit
    return new FeedLimitError(
      describe(failed, a),
      a.status,
      a.body,
      typeof limit === 'number' ? limit : undefined,
    )
  }
  return commonError(failed, a) ?? unexpected(failed, a)
}

/** One request of the feed routes: `ok` the status of its success, `id` the feed a DELETE names. */
interface FeedRequest {
  what: string
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  ok: number
  body?: object
  id?: string
}

/**
 * The feed routes. A refused token (expired, or the third generation's 401 that does not say why)
 * is renewed once with the kept credentials and the request sent again: a refused request did
 * nothing, so a POST is safe to repeat.
 */
export const feedCalls = (base: string, generation: Generation, transport: Transport, session: Session) => {
  const scheme = generation === 1 ? 'JWT' : 'Bearer'
  const send = (request: FeedRequest, options: CallOptions | undefined) =>
    transport.run(options, async (call) => {
      const { what, method, path, ok, body, id } = request
      const ask = (token: string | undefined) => {
        const headers: Record<string, string> = { Accept: 'application/json' }
        if (token !== undefined) headers.Authorization = `${scheme} ${token}`
        if (body !== undefined) headers['Content-Type'] = 'application/json'
        const init: RequestInit = {
          method,
          headers,
          ...(body !== undefined && { body: JSON.stringify(body) }),
        }
        return call.send(what, `${base}${path}`, init)
      }
      let sentWith = session.token()
      let a = await ask(sentWith)
      if (isRefused(a) && session.canRenew()) {
        await call.wait('login', session.renew(sentWith))
        sentWith = session.token()
        a = await ask(sentWith)
      }
      if (a.status === ok) return a
      throw feedError(what, a, sentWith, id)
    })

  return {
    async create(filter: FeedFilter, options?: CallOptions): Promise<NewFeed> {
      const what = 'POST /feeds'
      const a = await send({ what, method: 'POST', path: '/feeds', ok: 201, body: bodyOf(filter) }, options)
      return toNewFeed(a.body) ?? Promise.reject(unexpected(what, a, 'not a new feed'))
    },
    async list(options?: CallOptions): Promise<Feed[]> {
      const what = 'GET /feeds'
      const a = await send({ what, method: 'GET', path: '/feeds', ok: 200 }, options)
      return listOf(a.body, 'feeds', toFeed) ?? Promise.reject(unexpected(what, a, 'not a list of feeds'))
    },
    async remove(id: string, options?: CallOptions): Promise<void> {
      const what = `DELETE /feeds/${id}`
      await send({ what, method: 'DELETE', path: `/feeds/${idSegment(what, id)}`, ok: 204, id }, options)
    },
  }
}
