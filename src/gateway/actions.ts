import { type AbstractCursor, BSON, type Collection, type Document } from 'mongodb'
import type { ActionRequest, Body } from './envelope.js'
import { DataApiHttpError, invalid } from './errors.js'
import { checkOperators } from './operators.js'
import { checkPipeline } from './pipeline.js'

/** The gateway's bounds on one action. */
export interface ActionLimits {
  /** Most documents one find or aggregate returns, and the default limit of find. */
  maxDocuments: number
  /** The server-side time limit of every query, update and delete. */
  maxTimeMS: number
  /** Most bytes one result may take, counted as BSON while the documents arrive. */
  maxResponseBytes: number
}

export const responseTooLarge = (maxBytes: number) =>
  new DataApiHttpError(
    400,
    'ResponseTooLarge',
    `the result is larger than ${maxBytes} bytes: narrow the filter, project fewer fields or lower the limit`,
  )

/**
 * Read options of every find, findOne and aggregate: a stored regular expression comes back as the
 * BSONRegExp it is, never compiled as a JavaScript RegExp. MongoDB's PCRE takes patterns JavaScript
 * refuses (`(?i)a`, `a++`), and the driver's SyntaxError on such a row answered 500 to every read of it.
 */
const READ_BSON = { bsonRegExp: true } as const

/** Reads a cursor to the end, or stops and closes it as soon as the documents pass the byte cap. */
const collect = async (cursor: AbstractCursor<Document>, maxBytes: number): Promise<Document[]> => {
  const docs: Document[] = []
  let bytes = 0
  for await (const doc of cursor) {
    bytes += BSON.calculateObjectSize(doc)
    if (bytes > maxBytes) throw responseTooLarge(maxBytes)
    docs.push(doc)
  }
  return docs
}

/**
 * Checks the operators of a request (server-side JavaScript, update expressions, pipeline stages)
 * and returns the collections besides its own that it reads: an aggregate's $lookup and the like.
 */
export const checkRequest = (req: ActionRequest): string[] => {
  if ('filter' in req && req.filter) checkOperators(req.filter, 'filter')
  // Projections take aggregation expressions since MongoDB 4.4, $function among them.
  if ('projection' in req && req.projection) checkOperators(req.projection, 'projection')
  if ('update' in req) {
    const keys = Object.keys(req.update)
    if (keys.length === 0 || !keys.every((k) => k.startsWith('$')))
      throw invalid('update must be an update expression: operators such as $set only')
    checkOperators(req.update, 'update')
  }
  // FerretDB 1.x drops the connection (failing every request that shares it) on an upsert whose
  // filter names the empty field, whatever its condition.
  if ('upsert' in req && req.upsert && req.filter && Object.hasOwn(req.filter, ''))
    throw invalid('filter: an upsert cannot match on the empty field name')
  if ('replacement' in req && Object.keys(req.replacement).some((k) => k.startsWith('$')))
    throw invalid('replacement must be a document, not an update expression')
  return req.action === 'aggregate' ? checkPipeline(req.pipeline).reads : []
}

const updateResult = (r: { matchedCount: number; modifiedCount: number; upsertedId: unknown }): Body =>
  r.upsertedId === null || r.upsertedId === undefined
    ? { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount }
    : { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upsertedId: r.upsertedId }

const find = async (
  req: Extract<ActionRequest, { action: 'find' }>,
  coll: Collection<Document>,
  limits: ActionLimits,
): Promise<Body> => {
  const limit = Math.min(req.limit || limits.maxDocuments, limits.maxDocuments)
  let cursor = coll.find(req.filter ?? {}, {
    ...READ_BSON,
    maxTimeMS: limits.maxTimeMS,
    ...(req.projection ? { projection: req.projection } : {}),
  })
  if (req.sort) cursor = cursor.sort(req.sort)
  if (req.skip) cursor = cursor.skip(req.skip)
  return { documents: await collect(cursor.limit(limit), limits.maxResponseBytes) }
}

const findOne = async (
  req: Extract<ActionRequest, { action: 'findOne' }>,
  coll: Collection<Document>,
  limits: ActionLimits,
): Promise<Body> => {
  const options = {
    ...READ_BSON,
    maxTimeMS: limits.maxTimeMS,
    ...(req.projection ? { projection: req.projection } : {}),
  }
  const document = await coll.findOne(req.filter ?? {}, options)
  if (document && BSON.calculateObjectSize(document) > limits.maxResponseBytes)
    throw responseTooLarge(limits.maxResponseBytes)
  return { document }
}

/** Runs one checked action on the driver and returns the Data API v1 response body. */
export const runAction = async (
  req: ActionRequest,
  coll: Collection<Document>,
  limits: ActionLimits,
): Promise<Body> => {
  const { maxTimeMS } = limits
  switch (req.action) {
    case 'findOne':
      return findOne(req, coll, limits)
    case 'find':
      return find(req, coll, limits)
    case 'insertOne':
      return { insertedId: (await coll.insertOne(req.document)).insertedId }
    case 'insertMany': {
      const r = await coll.insertMany(req.documents)
      return { insertedIds: req.documents.map((_, i) => r.insertedIds[i]) }
    }
    case 'updateOne':
      return updateResult(
        await coll.updateOne(req.filter ?? {}, req.update, { upsert: req.upsert, maxTimeMS }),
      )
    case 'updateMany':
      return updateResult(
        await coll.updateMany(req.filter ?? {}, req.update, { upsert: req.upsert, maxTimeMS }),
      )
    case 'replaceOne': {
      const options = { upsert: req.upsert, maxTimeMS }
      return updateResult(await coll.replaceOne(req.filter ?? {}, req.replacement, options))
    }
    case 'deleteOne':
      return { deletedCount: (await coll.deleteOne(req.filter ?? {}, { maxTimeMS })).deletedCount }
    case 'deleteMany':
      return { deletedCount: (await coll.deleteMany(req.filter ?? {}, { maxTimeMS })).deletedCount }
    case 'aggregate': {
      const pipeline = [...(req.pipeline as Document[]), { $limit: limits.maxDocuments }]
      return {
        documents: await collect(
          coll.aggregate(pipeline, { ...READ_BSON, maxTimeMS }),
          limits.maxResponseBytes,
        ),
      }
    }
  }
}
