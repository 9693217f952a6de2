import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type RequestIdVariables, requestId } from 'hono/request-id'
import {
  BSON,
  type MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb'
import type { GatewayConfig } from '../config/gateway-config.js'
import { type Clock, systemClock } from '../lib/clock.js'
import { type Logger, silentLogger } from '../lib/logger.js'
import { DB_NAME_PATTERN } from '../store/store.js'
import { checkFields, DataApiHttpError, pipelineReads, runAction } from './actions.js'
import { type ApiKey, authenticate, canRead, isAction, isAllowed } from './keys.js'

interface GatewayEnv {
  Variables: RequestIdVariables & {
    apiKey: ApiKey
    /** For the access log only: names, never values. */
    target: { action?: string; database?: string; collection?: string }
  }
}

export interface GatewayDeps {
  config: Pick<GatewayConfig, 'keys' | 'dataSource' | 'bodyLimit' | 'maxDocuments'>
  client: MongoClient
  logger?: Logger
  clock?: Clock
}

const COLLECTION_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}$/
const DUPLICATE_KEY = 11000

const isUnavailable = (e: unknown): boolean =>
  e instanceof MongoNetworkError ||
  e instanceof MongoServerSelectionError ||
  e instanceof MongoNotConnectedError ||
  e instanceof MongoTopologyClosedError ||
  e instanceof MongoOperationTimeoutError

const errorBody = (c: Context, status: number, code: string, message: string) =>
  c.json({ error: message, error_code: code }, status as 400)

/**
 * `application/ejson` gets canonical Extended JSON; anything else gets plain JSON as the Data API
 * gave it: ObjectIds as hex strings, dates as ISO strings, numbers as numbers.
 */
const encode = (body: unknown, accept: string): { text: string; type: string } => {
  if (/application\/ejson/i.test(accept))
    return { text: BSON.EJSON.stringify(body, { relaxed: false }), type: 'application/ejson' }
  const flatten = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(flatten)
    if (v === null || typeof v !== 'object') return v
    const obj = v as Record<string, unknown>
    const keys = Object.keys(obj)
    if (keys.length === 1) {
      const k = keys[0] as string
      const inner = obj[k]
      if (k === '$oid' || k === '$numberDecimal') return inner
      if (k === '$numberLong' && typeof inner === 'string') return Number(inner)
      if (k === '$date')
        return new Date(typeof inner === 'string' ? inner : Number(flatten(inner))).toISOString()
    }
    return Object.fromEntries(keys.map((k) => [k, flatten(obj[k])]))
  }
  return {
    text: JSON.stringify(flatten(BSON.EJSON.serialize(body, { relaxed: true }))),
    type: 'application/json',
  }
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

  app.use(requestId())
  app.use(async (c, next) => {
    const start = clock.now()
    c.set('target', {})
    await next()
    const t = c.var.target
    logger.info('request', {
      requestId: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: clock.now() - start,
      key: c.var.apiKey?.name,
      action: t.action,
      database: t.database,
      collection: t.collection,
    })
  })

  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  const requireKey: MiddlewareHandler<GatewayEnv> = async (c, next) => {
    // Atlas documented both spellings; header names are case-insensitive, so `apiKey` is `apikey`.
    const presented = c.req.header('api-key') ?? c.req.header('apiKey')
    if (!presented) return errorBody(c, 401, 'InvalidSession', 'no API key: send the api-key header')
    const key = await authenticate(config.keys, presented)
    if (!key) return errorBody(c, 401, 'InvalidSession', 'invalid API key')
    c.set('apiKey', key)
    await next()
  }

  const limitBody = bodyLimit({
    maxSize: config.bodyLimit,
    onError: (c) =>
      errorBody(c, 413, 'PayloadTooLarge', `request body must not exceed ${config.bodyLimit} bytes`),
  })

  const handle = async (c: Context<GatewayEnv>) => {
    const action = c.req.param('action') ?? ''
    if (!isAction(action)) return errorBody(c, 404, 'NotFound', `unknown action ${JSON.stringify(action)}`)
    c.var.target.action = action

    const type = c.req.header('Content-Type') ?? ''
    if (!/^application\/(json|ejson)\s*(;|$)/i.test(type))
      return errorBody(
        c,
        415,
        'InvalidParameter',
        'Content-Type must be application/json or application/ejson',
      )
    let body: Record<string, unknown>
    try {
      const parsed: unknown = BSON.EJSON.parse(await c.req.text(), { relaxed: true })
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object')
      body = parsed as Record<string, unknown>
    } catch {
      return errorBody(c, 400, 'InvalidParameter', 'request body must be a JSON (or Extended JSON) object')
    }

    const { dataSource, database, collection } = body
    if (typeof dataSource !== 'string' || dataSource !== config.dataSource)
      return errorBody(c, 400, 'InvalidParameter', `dataSource must be ${JSON.stringify(config.dataSource)}`)
    if (typeof database !== 'string' || !DB_NAME_PATTERN.test(database))
      return errorBody(c, 400, 'InvalidParameter', 'database must be a database name')
    if (
      typeof collection !== 'string' ||
      !COLLECTION_PATTERN.test(collection) ||
      collection.startsWith('system.')
    )
      return errorBody(c, 400, 'InvalidParameter', 'collection must be a collection name')
    c.var.target.database = database
    c.var.target.collection = collection

    const key = c.var.apiKey
    if (!isAllowed(key, action, database, collection)) {
      const why = canRead(key, database, collection)
        ? `this API key may not run ${action} on ${database}.${collection}`
        : `this API key has no access to ${database}.${collection}`
      return errorBody(c, 403, 'Forbidden', why)
    }

    try {
      checkFields(action, body)
      for (const other of pipelineReads(action, body)) {
        if (!canRead(key, database, other))
          return errorBody(c, 403, 'Forbidden', `this API key has no access to ${database}.${other}`)
      }
      const result = await runAction(
        action,
        client.db(database).collection(collection),
        body,
        config.maxDocuments,
      )
      const { text, type: contentType } = encode(result, c.req.header('Accept') ?? '')
      return c.body(text, 200, { 'Content-Type': contentType })
    } catch (e) {
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
  }

  for (const path of ['/action/:action', '/app/:appId/endpoint/data/v1/action/:action']) {
    app.post(path, requireKey, limitBody, handle)
  }

  app.notFound((c) => errorBody(c, 404, 'NotFound', 'not found'))
  app.onError((err, c) => {
    logger.error('unhandled error', { requestId: c.var.requestId, error: err.name, message: err.message })
    return errorBody(c, 500, 'InternalServerError', 'internal server error')
  })
  return app
}

export type GatewayApp = ReturnType<typeof createGatewayApp>
