import type { Db } from 'mongodb'
import RateLimiterMongo from 'rate-limiter-flexible/lib/RateLimiterMongo.js'
import {
  adapt,
  LOGIN_ATTEMPTS,
  type LoginLimitersFor,
  limiters,
  type RunOperation,
} from '../login-limiters.js'

/**
 * In MongoDB, shared by every process and server on the database: atomic upserts on `key` and a TTL
 * index on `expire`, both created by MongoStore.ensureIndexes with the others (and retried there
 * until the database answers), so nothing is created per limiter or per request.
 */
export const mongoLoginLimiters =
  (db: Db, run?: RunOperation): LoginLimitersFor =>
  (policy) =>
    limiters(policy, (opts) =>
      adapt(
        new RateLimiterMongo({
          ...opts,
          storeClient: db,
          tableName: LOGIN_ATTEMPTS,
          disableIndexesCreation: true,
        }),
        run,
      ),
    )
