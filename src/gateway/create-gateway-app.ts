import { type Context, Hono } from 'hono'
import { requestId } from 'hono/request-id'
import { BSON, MongoAPIError, type MongoClient, MongoServerError } from 'mongodb'
import { bodyLimit } from '../lib/body-limit.js'
import { type Clock, systemClock } from '../lib/clock.js'
import { type Logger, silentLogger } from '../lib/logger.js'
import { DUPLICATE_KEY, isUnavailable, reconnecting } from '../store/mongo/errors.js'
import { type ActionLimits, checkRequest, responseTooLarge, runAction } from './actions.js'
import { encode } from './encode.js'
import type { GatewayEnv } from './env.js'
import { type ActionRequest, namespaceSchema, parseNamespace, parseRequest, readBody } from './envelope.js'
import { DataApiHttpError, errorBody, forbidden } from './errors.js'
import { checkNamedFilter } from './filters.js'
import { createKeyFailureCounter, type KeyFailureLimits } from './key-failures.js'
import {
  type Action,
  type ApiKey,
  canRead,
  canReadAll,
  isAction,
  isAllowed,
  USER_UPDATE_ACTIONS,
  USER_WRITES,
  USERS_COLLECTION,
} from './keys.js'
import { gatewayAccessLog } from './middleware/access-log.js'
import { type GatewayPeerAddress, requireKey } from './middleware/require-key.js'
import { checkUserWrite } from './user-writes.js'
import { checkValues } from './values.js'

/** The gateway's settings (config/gateway-config.ts parses them with the server's own). */
export interface GatewayAppConfig {
  /** The `dataSource` name requests must carry (Atlas called its default `mongodb-atlas`). */
  dataSource: string
  keys: ApiKey[]
  /** Bytes accepted in one request body. */
  bodyLimit: number
  /** Most documents one find or aggregate returns, and the default limit of find. */
  maxDocuments: number
  /** The server-side time limit (`maxTimeMS`) of every query, update and delete. */
  maxTimeMS: number
  /** Most bytes (BSON, and again as the encoded response) one result may take. */
  maxResponseBytes: number
}

export interface GatewayDeps {
  config: GatewayAppConfig
  client: MongoClient
  logger?: Logger
  clock?: Clock
  /** The client's address, for counting wrong keys (the entry's connection info). */
  peerAddress?: GatewayPeerAddress
  /** Wrong keys per address before 429 (key-failures.ts); tests may lower them. */
  keyFailureLimits?: KeyFailureLimits
}

const MAX_TIME_MS_EXPIRED = 50

/** 403 unless the key grants the action on the namespace; the message says which of the two it lacks. */
const authorize = (key: ApiKey, action: Action, database: string, collection: string): void => {
  if (isAllowed(key, action, database, collection)) return
  throw forbidden(
    canRead(key, database, collection)
      ? `this API key may not run ${action} on ${database}.${collection}`
      : `this API key has no access to ${database}.${collection}`,
  )
}

/** An update of `users`: `readWrite`'s, or the one write a named grant allows (user-writes.ts). */
const isUserUpdate = (action: Action, collection: string) =>
  collection === USERS_COLLECTION && USER_UPDATE_ACTIONS.includes(action)

/** An upsert creates a document: it needs the `upsert` grant besides the action. */
const authorizeUpsert = (key: ApiKey, req: ActionRequest, database: string, collection: string): void => {
  if ('upsert' in req && req.upsert && !isAllowed(key, 'upsert', database, collection))
    throw forbidden(`this API key may not upsert on ${database}.${collection}: it needs the upsert grant`)
}

const authorizeUserUpdate = async (key: ApiKey, req: ActionRequest, database: string): Promise<void> => {
  authorizeUpsert(key, req, database, USERS_COLLECTION)
  if (isAllowed(key, 'anyUserUpdate', database, USERS_COLLECTION)) return
  const granted = USER_WRITES.filter((w) => isAllowed(key, w, database, USERS_COLLECTION))
  if (granted.length === 0) {
    throw forbidden(
      canRead(key, database, USERS_COLLECTION)
        ? `this API key may not run ${req.action} on ${database}.${USERS_COLLECTION}`
        : `this API key has no access to ${database}.${USERS_COLLECTION}`,
    )
  }
  let refusal: unknown
  for (const grant of granted) {
    try {
      return await checkUserWrite(grant, req)
    } catch (e) {
      refusal ??= e
    }
  }
  throw refusal
}

/**
 * What a request needs beyond its action: upsert, a filter by equality when the key may not read the
 * whole collection (filters.ts), and a whole-collection read of what it joins in.
 */
const authorizeExtras = (key: ApiKey, req: ActionRequest, database: string, collection: string): void => {
  authorizeUpsert(key, req, database, collection)
  if ('filter' in req && !canReadAll(key, database, collection))
    checkNamedFilter(req.filter, req.action === 'findOne' ? 'read' : 'write')
  for (const other of checkRequest(req)) {
    if (!canRead(key, database, other)) throw forbidden(`this API key has no access to ${database}.${other}`)
    if (!canReadAll(key, database, other))
      throw forbidden(`this API key may not read all of ${database}.${other}: a join needs find or aggregate`)
  }
}

/**
 * What the database refused, in our words only: FerretDB's messages carry its internals (Go struct
 * dumps) and echo the request's values. The code goes to the log at warn, the text at debug.
 */
const refusedResponse = (c: Context<GatewayEnv>, e: MongoServerError, logger: Logger, maxTimeMS: number) => {
  const codeName = typeof e.codeName === 'string' && /^\w{1,64}$/.test(e.codeName) ? e.codeName : undefined
  logger.warn('database refused the request', { requestId: c.var.requestId, code: e.code, codeName })
  logger.debug('database refusal', { requestId: c.var.requestId, code: e.code, message: e.message })
  if (e.code === DUPLICATE_KEY) return errorBody(c, 409, 'DuplicateKey', 'duplicate key')
  if (e.code === MAX_TIME_MS_EXPIRED)
    return errorBody(c, 504, 'Timeout', `the database took longer than ${maxTimeMS} ms: narrow the query`)
  const why = codeName ?? `code ${typeof e.code === 'number' ? e.code : 'unknown'}`
  return errorBody(c, 400, 'InvalidParameter', `the database refused the request as invalid (${why})`)
}

/** The Data API's `{error, error_code}` for what went wrong, or a rethrow to the 500 handler. */
const errorResponse = (c: Context<GatewayEnv>, e: unknown, logger: Logger, maxTimeMS: number) => {
  if (e instanceof DataApiHttpError) return errorBody(c, e.status, e.code, e.message)
  if (isUnavailable(e)) {
    logger.warn('database unavailable', { requestId: c.var.requestId, error: (e as Error).message })
    return errorBody(c, 503, 'ServiceUnavailable', 'the database is unavailable')
  }
  if (e instanceof MongoServerError) return refusedResponse(c, e, logger, maxTimeMS)
  // The driver refusing client input (a sort direction, an option, a key BSON cannot hold): a 400.
  if (e instanceof MongoAPIError || e instanceof BSON.BSONError) {
    logger.debug('driver refusal', { requestId: c.var.requestId, error: e.name, message: e.message })
    return errorBody(c, 400, 'InvalidParameter', 'the request cannot be sent to the database as it is')
  }
  throw e
}

/**
 * A MongoDB Data API v1 compatible gateway on the official driver: what a Worker talks to now that
 * the hosted Atlas Data API is gone. Every request needs an API key, and each key may only run the
 * actions its allowlist grants on the namespaces it names.
 */
export const createGatewayApp = ({
  config,
  client,
  logger = silentLogger,
  clock = systemClock,
  peerAddress = () => undefined,
  keyFailureLimits,
}: GatewayDeps) => {
  // A gateway started before its database recovers once the database is up (see mongo-errors.ts).
  const driver = reconnecting(client)
  const app = new Hono<GatewayEnv>()
  const namespace = namespaceSchema(config.dataSource)
  const limits: ActionLimits = {
    maxDocuments: config.maxDocuments,
    maxTimeMS: config.maxTimeMS,
    maxResponseBytes: config.maxResponseBytes,
  }

  app.use(requestId())
  app.use(gatewayAccessLog(logger, clock))
  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  const limitBody = bodyLimit({
    maxSize: config.bodyLimit,
    // The connection it arrived on is closed by the server entry (runtime/node/connection.ts).
    onError: (c) =>
      errorBody(c, 413, 'PayloadTooLarge', `request body must not exceed ${config.bodyLimit} bytes`),
  })

  /** Body, namespace, grant, fields, values, grants of upsert and joins; then the driver. */
  const handle = async (c: Context<GatewayEnv>) => {
    const action = c.req.param('action') ?? ''
    if (!isAction(action)) return errorBody(c, 404, 'NotFound', `unknown action ${JSON.stringify(action)}`)
    c.set('target', { action })
    try {
      const body = await readBody(c)
      const { database, collection } = parseNamespace(namespace, body)
      c.set('target', { action, database, collection })
      const userUpdate = isUserUpdate(action, collection)
      if (!userUpdate) authorize(c.var.apiKey, action, database, collection)
      const req = parseRequest(action, body)
      checkValues(body)
      if (userUpdate) await authorizeUserUpdate(c.var.apiKey, req, database)
      authorizeExtras(c.var.apiKey, req, database, collection)
      const result = await driver.run(() =>
        runAction(req, client.db(database).collection(collection), limits),
      )
      const { text, type } = encode(result, c.req.header('Accept') ?? '')
      // Extended JSON is larger than BSON: the cap holds for what is sent, too.
      if (Buffer.byteLength(text) > limits.maxResponseBytes) throw responseTooLarge(limits.maxResponseBytes)
      return c.body(text, 200, { 'Content-Type': type })
    } catch (e) {
      return errorResponse(c, e, logger, limits.maxTimeMS)
    }
  }

  const failures = createKeyFailureCounter(keyFailureLimits)
  const keyRequired = requireKey({ keys: config.keys, failures, peerAddress, logger, clock })
  for (const path of ['/action/:action', '/app/:appId/endpoint/data/v1/action/:action']) {
    app.post(path, keyRequired, limitBody, handle)
  }

  app.notFound((c) => errorBody(c, 404, 'NotFound', 'not found'))
  app.onError((err, c) => {
    logger.error('unhandled error', { requestId: c.var.requestId, error: err.name, message: err.message })
    return errorBody(c, 500, 'InternalServerError', 'internal server error')
  })
  return app
}

export type GatewayApp = ReturnType<typeof createGatewayApp>
