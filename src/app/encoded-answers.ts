import type { Context } from 'hono'
import { toBase64Url } from '../lib/base64.js'
import type { Clock } from '../lib/clock.js'
import { createTtlCache, type TtlCache } from '../lib/ttl-cache.js'
import type { CacheName, Metrics } from './metrics.js'
import { type HeaderRecord, JSON_CONTENT_TYPE, respond } from './responses.js'

/**
 * An answer serialised and UTF-8 encoded once: the runtimes write the bytes as they are, where a
 * string body is measured and encoded again on every response.
 */
export interface Encoded {
  body: Uint8Array<ArrayBuffer>
  etag: string
}

export const encode = async (value: unknown): Promise<Encoded> => {
  const body = new TextEncoder().encode(JSON.stringify(value))
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body))
  return { body, etag: `"${toBase64Url(digest.subarray(0, 18))}"` }
}

/**
 * The same URL answers each generation in its own shape (an object, or an array with `code`), so a
 * browser's cache must not hand one token's answer to a request with another (`private` keeps
 * shared caches out; the browser's own cache is one per origin, whatever the token).
 */
export const VARY = 'Authorization'

/** If-None-Match per RFC 9110: `*` or a list, compared weakly (a W/ prefix does not matter). */
export const matches = (ifNoneMatch: string | undefined, etag: string): boolean =>
  (ifNoneMatch?.split(',') ?? []).some((t) => {
    const tag = t.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })

/** An answer's status, bytes and own headers, before the wire headers are added. */
export interface Answer {
  status: 200 | 304 | 401 | 404
  body: Uint8Array<ArrayBuffer> | null
  headers: HeaderRecord
}

/**
 * An encoded answer: 304 without a body when If-None-Match names its ETag, else 200 with its bytes;
 * both with the ETag, `cacheControl` and Vary. Object literals, not spreads: see respond().
 */
export const encodedAnswer = (
  ifNoneMatch: string | undefined,
  answer: Encoded,
  cacheControl: string,
): Answer =>
  matches(ifNoneMatch, answer.etag)
    ? { status: 304, body: null, headers: { etag: answer.etag, 'cache-control': cacheControl, vary: VARY } }
    : {
        status: 200,
        body: answer.body,
        headers: {
          etag: answer.etag,
          'cache-control': cacheControl,
          'content-type': JSON_CONTENT_TYPE,
          vary: VARY,
        },
      }

export const sendEncoded = (c: Context, answer: Encoded, cacheControl: string): Response => {
  const { status, body, headers } = encodedAnswer(c.req.header('If-None-Match'), answer, cacheControl)
  return respond(c, body, status, headers)
}

/** The OpenAPI headers of a cached answer (`required` on a 304, optional where an answer may lack them). */
export const cachedAnswerHeaders = (required: boolean) => ({
  ETag: {
    description: "The answer's entity tag; send it back in If-None-Match.",
    required,
    schema: { type: 'string' as const, pattern: '^(W/)?"[^"]*"$' },
  },
  'Cache-Control': {
    description: 'private, max-age=<HOLODULES_CACHE_TTL>',
    required,
    schema: { type: 'string' as const },
  },
  Vary: {
    description: "Names Authorization: the answer depends on the token (a day's shape on its generation).",
    required,
    schema: { type: 'string' as const, pattern: '\\bAuthorization\\b' },
  },
})

/** What every answer cache of the app shares: HOLODULES_CACHE_TTL and how the process may work. */
export interface AnswerCacheDeps {
  /** Seconds an answer is reused (and clients may keep it); 0 asks the store every time. */
  cacheTtl: number
  clock: Clock
  /** False under workerd: no refresh outlives its request (see lib/ttl-cache.ts). */
  backgroundWork: boolean
  /** Absent: metrics off. */
  metrics?: Metrics
}

/** One cache's name (for the metrics) and bounds. */
export interface AnswerCacheOptions<V> {
  name: CacheName
  maxEntries: number
  maxBytes: number
  /** The bytes a value holds: its encoded answers. */
  sizeOf: (value: V) => number
}

/**
 * A cache of answers for HOLODULES_CACHE_TTL, bounded by entries and bytes. Past its TTL an answer
 * is still served for one more TTL while a refresh runs (where background work is allowed), so a
 * slow query never holds up the requests of a busy key; a change shows within the TTL.
 */
export const createAnswerCache = <K, V>(
  { cacheTtl, clock, backgroundWork, metrics }: AnswerCacheDeps,
  { name, maxEntries, maxBytes, sizeOf }: AnswerCacheOptions<V>,
): TtlCache<K, V> =>
  createTtlCache<K, V>({
    ttlMs: cacheTtl * 1000,
    staleMs: cacheTtl * 1000,
    clock,
    maxEntries,
    maxBytes,
    sizeOf,
    background: backgroundWork,
    onLookup: metrics && ((result) => metrics.cache(name, result)),
  })

/**
 * What a write changed, for the caches of this process that hold answers built from it; `users`
 * (with the username) when a user was changed, disabled or removed: a calendar feed answers only
 * while its owner is live.
 */
export type Written = 'schedules' | 'streamers' | 'users'

/**
 * Where writes say what they changed and the read caches listen: a write clears them in this
 * process at once (other processes see it within their TTL, as a change made by the CLI).
 */
export interface WriteSignals {
  on(what: Written, forget: (id?: string) => void): void
  /** `id`: the record written, when there is one (a POST's new record has none cached yet). */
  wrote(what: Written, id?: string): void
}

export const createWriteSignals = (): WriteSignals => {
  const listeners: Record<Written, Array<(id?: string) => void>> = {
    schedules: [],
    streamers: [],
    users: [],
  }
  return {
    on: (what, forget) => {
      listeners[what].push(forget)
    },
    wrote: (what, id) => {
      for (const forget of listeners[what]) forget(id)
    },
  }
}
