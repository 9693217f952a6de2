import {
  type MongoClient,
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

/**
 * Runs driver operations so that a client whose first connection failed recovers. The driver
 * connects on first use; when that fails (the database was not up yet) it closes its topology for
 * good, and every later operation fails with "Topology is closed" even after the database is back.
 * An explicit connect() opens a new one: one at a time, and the operation that saw the closed
 * topology runs again once it succeeds. A client closed on purpose (`closing()`) stays closed.
 */
export const reconnecting = (client: MongoClient) => {
  let closed = false
  let reopening: Promise<unknown> | undefined
  const reopen = () => {
    reopening ??= client.connect().finally(() => {
      reopening = undefined
    })
    return reopening
  }
  return {
    async run<T>(op: () => Promise<T>): Promise<T> {
      // A connect() in flight (the background index retry's) decides for every operation: one
      // started meanwhile waited for it to fail, then for a server selection of its own, and a
      // server started before its database answered a login 503 in ~4 s, not ~2 s (issue 19, item 7).
      if (reopening) await reopening
      try {
        return await op()
      } catch (e) {
        if (!(e instanceof MongoTopologyClosedError) || closed) throw e
        await reopen()
        return op()
      }
    },
    close(): Promise<void> {
      closed = true
      return client.close()
    },
  }
}
