import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { BSON, type MongoClient, MongoServerError } from 'mongodb'
import type { GatewayConfig } from '../config/gateway-config.js'
import { type Clock, systemClock } from '../lib/clock.js'
import { type Logger, silentLogger } from '../lib/logger.js'
import { DUPLICATE_KEY, isUnavailable } from '../store/mongo-errors.js'
import { checkRequest, runAction } from './actions.js'
import { encode } from './encode.js'
import type { GatewayEnv } from './env.js'
import { namespaceSchema, parseNamespace, parseRequest, readBody } from './envelope.js'
import { DataApiHttpError, errorBody, forbidden } from './errors.js'
import { type Action, type ApiKey, canRead, isAction, isAllowed } from './keys.js'
import { gatewayAccessLog } from './middleware/access-log.js'
import { requireKey } from './middleware/require-key.js'

export interface GatewayDeps {
  config: Pick<GatewayConfig, 'keys' | 'dataSource' | 'bodyLimit' | 'maxDocuments'>
  client: MongoClient
  logger?: Logger
  clock?: Clock
}

/** 403 unless the key grants the action on the namespace; the message says which of the two it lacks. */
const authorize = (key: ApiKey, action: Action, database: string, collection: string): void => {
  if (isAllowed(key, action, database, collection)) return
  throw forbidden(
    canRead(key, database, collection)
      ? `this API key may not run ${action} on ${database}.${collection}`
      : `this API key has no access to ${database}.${collection}`,
  )
}

/** The Data API's `{error, error_code}` for what went wrong, or a rethrow to the 500 handler. */
const errorResponse = (c: Context<GatewayEnv>, e: unknown, logger: Logger) => {
  if (e instanceof DataApiHttpError) return errorBody(c, e.status, e.code, e.message)
  if (isUnavailable(e)) {
    logger.warn('database unavailable', { requestId: c.var.requestId, error: (e as Error).message })
    return errorBody(c, 503, 'ServiceUnavailable', 'the database is unavailable')
  }
  if (e instanceof MongoServerError) {
    if (e.code === DUPLICATE_KEY) return errorBody(c, 409, 'DuplicateKey', 'duplicate key')
    return errorBody(c, 400, 'InvalidParameter', `the database refused the request: ${e.message}`)
  }
  if (e instanceof BSON.BSONError) return errorBody(c, 400, 'InvalidParameter', e.message)
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
}: GatewayDeps) => {
  const app = new Hono<GatewayEnv>()
  const namespace = namespaceSchema(config.dataSource)

  app.use(requestId())
  app.use(gatewayAccessLog(logger, clock))
  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  const limitBody = bodyLimit({
    maxSize: config.bodyLimit,
    onError: (c) =>
      errorBody(c, 413, 'PayloadTooLarge', `request body must not exceed ${config.bodyLimit} bytes`),
  })

  /** Body, namespace, grant, fields, operators, grants of what a pipeline reads; then the driver. */
  const handle = async (c: Context<GatewayEnv>) => {
    const action = c.req.param('action') ?? ''
    if (!isAction(action)) return errorBody(c, 404, 'NotFound', `unknown action ${JSON.stringify(action)}`)
    c.set('target', { action })
    try {
      const body = await readBody(c)
      const { database, collection } = parseNamespace(namespace, body)
      c.set('target', { action, database, collection })
      const key = c.var.apiKey
      authorize(key, action, database, collection)
      const req = parseRequest(action, body)
      for (const other of checkRequest(req)) {
        if (!canRead(key, database, other))
          throw forbidden(`this API key has no access to ${database}.${other}`)
      }
      const coll = client.db(database).collection(collection)
      const result = await runAction(req, coll, { maxDocuments: config.maxDocuments })
      const { text, type } = encode(result, c.req.header('Accept') ?? '')
      return c.body(text, 200, { 'Content-Type': type })
    } catch (e) {
      return errorResponse(c, e, logger)
    }
  }

  for (const path of ['/action/:action', '/app/:appId/endpoint/data/v1/action/:action']) {
    app.post(path, requireKey(config.keys), limitBody, handle)
  }

  app.notFound((c) => errorBody(c, 404, 'NotFound', 'not found'))
  app.onError((err, c) => {
    logger.error('unhandled error', { requestId: c.var.requestId, error: err.name, message: err.message })
    return errorBody(c, 500, 'InternalServerError', 'internal server error')
  })
  return app
}

export type GatewayApp = ReturnType<typeof createGatewayApp>
