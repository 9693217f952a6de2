import { toBase64Url } from '../lib/base64.js'

/**
 * A calendar feed's secret: 256 random bits, URL-safe. Calendar apps cannot send a header, so the
 * URL is the credential; it is shown once and kept only as its hash.
 */
export const newFeedSecret = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(32)))

/** A feed's public id (for listing and removal): random, unrelated to its secret. */
export const newFeedId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * What a feed is stored and looked up by. A plain SHA-256 is enough here (unlike for passwords):
 * the secret has 256 random bits, so there is nothing to guess offline.
 */
export const hashFeedSecret = async (secret: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** A secret as it can appear in a feed URL (what newFeedSecret makes); anything else is unknown. */
export const FEED_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/
