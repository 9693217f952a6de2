/**
 * holodule-api/client: a typed client of the API for browsers, Node, Bun and Workers. It imports
 * nothing but its own files (no server code, no node:*), and speaks only through fetch.
 */
export type { Holodule } from './answers.js'
export {
  type CallOptions,
  type ClientOptions,
  createClient,
  type Feed,
  type FeedFilter,
  type Fetch,
  type Generation,
  type HoloduleClient,
  type NewFeed,
  type ScheduleFilter,
} from './client.js'
export {
  AbortedError,
  type AnyHoloduleApiError,
  BadDateError,
  BadRequestError,
  FeedLimitError,
  HoloduleApiError,
  type HoloduleApiErrorKind,
  InactiveUserError,
  InvalidCredentialsError,
  isHoloduleApiError,
  NetworkError,
  NotFoundError,
  ThrottledError,
  TimeoutError,
  TokenError,
  TooLargeError,
  UnavailableError,
  UnexpectedResponseError,
} from './errors.js'
export type { ScheduleItem, Streamer } from './schedule-answers.js'
