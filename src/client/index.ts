/**
 * holodule-api/client: a typed client of the API for browsers, Node, Bun and Workers. It imports
 * nothing but its own files (no server code, no node:*), and speaks only through fetch.
 */
export type { Holodule } from './answers.js'
export {
  type ClientOptions,
  createClient,
  type Fetch,
  type Generation,
  type HoloduleClient,
  type ScheduleFilter,
} from './client.js'
export {
  type AnyHoloduleApiError,
  BadDateError,
  BadRequestError,
  HoloduleApiError,
  type HoloduleApiErrorKind,
  InactiveUserError,
  InvalidCredentialsError,
  isHoloduleApiError,
  NotFoundError,
  ThrottledError,
  TokenError,
  TooLargeError,
  UnavailableError,
  UnexpectedResponseError,
} from './errors.js'
export type { ScheduleItem, Streamer } from './schedule-answers.js'
