import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb'

/** Socket errors the driver can let through unwrapped when the server vanishes mid-write. */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_SOCKET_CLOSED'])

/** The database cannot be reached now (as opposed to refusing a request): answer 503, retry later. */
export const isUnavailable = (e: unknown): boolean =>
  SOCKET_ERROR_CODES.has((e as { code?: unknown } | null)?.code as string) ||
  e instanceof MongoNetworkError ||
  e instanceof MongoServerSelectionError ||
  e instanceof MongoNotConnectedError ||
  e instanceof MongoTopologyClosedError ||
  e instanceof MongoOperationTimeoutError

/** The server error code of a unique index refusing a write. */
export const DUPLICATE_KEY = 11000
