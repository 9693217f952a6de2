import type { Collection, Document, Filter, Sort, UpdateFilter } from 'mongodb'
import type { Action } from './keys.js'

/** A 4xx the gateway answers in the Data API's shape `{error, error_code}`. */
export class DataApiHttpError extends Error {
  override name = 'DataApiHttpError'
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const invalid = (message: string) => new DataApiHttpError(400, 'InvalidParameter', message)

type Body = Record<string, unknown>

const COMMON = ['dataSource', 'database', 'collection']
const FIELDS: Record<Action, string[]> = {
  findOne: ['filter', 'projection'],
  find: ['filter', 'projection', 'sort', 'limit', 'skip'],
  insertOne: ['document'],
  insertMany: ['documents'],
  updateOne: ['filter', 'update', 'upsert'],
  updateMany: ['filter', 'update', 'upsert'],
  replaceOne: ['filter', 'replacement', 'upsert'],
  deleteOne: ['filter'],
  deleteMany: ['filter'],
  aggregate: ['pipeline'],
}

/** Operators that run JavaScript on the server: never from a remote caller. */
const FORBIDDEN_OPERATORS = new Set(['$where', '$function', '$accumulator'])
/** Stages that write: an aggregate is a read. */
const WRITE_STAGES = new Set(['$out', '$merge'])
const MAX_DEPTH = 64

const isObject = (v: unknown): v is Body =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

/** Walks a filter, update or pipeline, refusing server-side JavaScript and over-deep nesting. */
const checkOperators = (value: unknown, where: string, depth = 0): void => {
  if (depth > MAX_DEPTH) throw invalid(`${where} is nested too deeply`)
  if (Array.isArray(value)) {
    for (const v of value) checkOperators(v, where, depth + 1)
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_OPERATORS.has(k)) throw invalid(`${where}: the operator ${k} is not allowed`)
      checkOperators(v, where, depth + 1)
    }
  }
}

const optionalObject = (body: Body, field: string): Body | undefined => {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (!isObject(v)) throw invalid(`${field} must be an object`)
  return v
}

const requiredObject = (body: Body, field: string): Body => {
  const v = optionalObject(body, field)
  if (!v) throw invalid(`${field} is required and must be an object`)
  return v
}

const optionalCount = (body: Body, field: string): number | undefined => {
  const v = body[field]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw invalid(`${field} must be a non-negative integer`)
  return v
}

const optionalBoolean = (body: Body, field: string): boolean => {
  const v = body[field]
  if (v === undefined || v === null) return false
  if (typeof v !== 'boolean') throw invalid(`${field} must be a boolean`)
  return v
}

const filterOf = (body: Body): Filter<Document> => {
  const filter = optionalObject(body, 'filter') ?? {}
  checkOperators(filter, 'filter')
  return filter
}

/** Projections take aggregation expressions since MongoDB 4.4, $function among them. */
const projectionOf = (body: Body): Body | undefined => {
  const projection = optionalObject(body, 'projection')
  if (projection) checkOperators(projection, 'projection')
  return projection
}

const updateOf = (body: Body): UpdateFilter<Document> => {
  const update = requiredObject(body, 'update')
  const keys = Object.keys(update)
  if (keys.length === 0 || !keys.every((k) => k.startsWith('$')))
    throw invalid('update must be an update expression: operators such as $set only')
  checkOperators(update, 'update')
  return update
}

/** Names of collections a pipeline reads besides its own, so the caller can check the key for them. */
const pipelineOf = (body: Body): { pipeline: Document[]; reads: string[] } => {
  const pipeline = body.pipeline
  if (!Array.isArray(pipeline)) throw invalid('pipeline is required and must be an array of stages')
  const reads: string[] = []
  const walk = (stages: unknown[], depth: number) => {
    if (depth > 8) throw invalid('pipeline is nested too deeply')
    for (const stage of stages) {
      if (!isObject(stage) || Object.keys(stage).length !== 1)
        throw invalid('each pipeline stage must be an object with exactly one key')
      const [name, spec] = Object.entries(stage)[0] as [string, unknown]
      if (WRITE_STAGES.has(name))
        throw new DataApiHttpError(403, 'Forbidden', `the stage ${name} writes and is refused`)
      if (name === '$lookup' || name === '$graphLookup') {
        if (isObject(spec) && typeof spec.from === 'string') reads.push(spec.from)
        if (isObject(spec) && Array.isArray(spec.pipeline)) walk(spec.pipeline, depth + 1)
      } else if (name === '$unionWith') {
        if (typeof spec === 'string') reads.push(spec)
        else if (isObject(spec)) {
          if (typeof spec.coll === 'string') reads.push(spec.coll)
          if (Array.isArray(spec.pipeline)) walk(spec.pipeline, depth + 1)
        }
      } else if (name === '$facet' && isObject(spec)) {
        for (const sub of Object.values(spec)) if (Array.isArray(sub)) walk(sub, depth + 1)
      }
    }
  }
  walk(pipeline, 0)
  checkOperators(pipeline, 'pipeline')
  return { pipeline: pipeline as Document[], reads }
}

/** Refuses fields an action does not take, so a typo (`filters`) is not silently a match-all. */
export const checkFields = (action: Action, body: Body): void => {
  const allowed = new Set([...COMMON, ...FIELDS[action]])
  const unknown = Object.keys(body).filter((k) => !allowed.has(k))
  if (unknown.length > 0) throw invalid(`unknown field ${JSON.stringify(unknown[0])} for ${action}`)
}

/** Collections an aggregate reads through $lookup, $graphLookup or $unionWith. */
export const pipelineReads = (action: Action, body: Body): string[] =>
  action === 'aggregate' ? pipelineOf(body).reads : []

/** Runs one action on the driver and returns the Data API v1 response body. */
export const runAction = async (
  action: Action,
  coll: Collection<Document>,
  body: Body,
  maxDocuments: number,
): Promise<Body> => {
  switch (action) {
    case 'findOne': {
      const projection = projectionOf(body)
      return { document: await coll.findOne(filterOf(body), projection ? { projection } : {}) }
    }
    case 'find': {
      const projection = projectionOf(body)
      const sort = optionalObject(body, 'sort')
      const limit = Math.min(optionalCount(body, 'limit') || maxDocuments, maxDocuments)
      const skip = optionalCount(body, 'skip')
      let cursor = coll.find(filterOf(body), projection ? { projection } : {})
      if (sort) cursor = cursor.sort(sort as Sort)
      if (skip) cursor = cursor.skip(skip)
      return { documents: await cursor.limit(limit).toArray() }
    }
    case 'insertOne': {
      const r = await coll.insertOne(requiredObject(body, 'document'))
      return { insertedId: r.insertedId }
    }
    case 'insertMany': {
      const docs = body.documents
      if (!Array.isArray(docs) || docs.length === 0 || !docs.every(isObject))
        throw invalid('documents is required and must be a non-empty array of objects')
      const r = await coll.insertMany(docs)
      return { insertedIds: docs.map((_, i) => r.insertedIds[i]) }
    }
    case 'updateOne':
    case 'updateMany': {
      const filter = filterOf(body)
      const update = updateOf(body)
      const upsert = optionalBoolean(body, 'upsert')
      const r =
        action === 'updateOne'
          ? await coll.updateOne(filter, update, { upsert })
          : await coll.updateMany(filter, update, { upsert })
      return updateResult(r)
    }
    case 'replaceOne': {
      const filter = filterOf(body)
      const replacement = requiredObject(body, 'replacement')
      if (Object.keys(replacement).some((k) => k.startsWith('$')))
        throw invalid('replacement must be a document, not an update expression')
      const r = await coll.replaceOne(filter, replacement, { upsert: optionalBoolean(body, 'upsert') })
      return updateResult(r)
    }
    case 'deleteOne':
      return { deletedCount: (await coll.deleteOne(filterOf(body))).deletedCount }
    case 'deleteMany':
      return { deletedCount: (await coll.deleteMany(filterOf(body))).deletedCount }
    case 'aggregate': {
      const { pipeline } = pipelineOf(body)
      return { documents: await coll.aggregate([...pipeline, { $limit: maxDocuments }]).toArray() }
    }
  }
}

const updateResult = (r: { matchedCount: number; modifiedCount: number; upsertedId: unknown }): Body =>
  r.upsertedId === null || r.upsertedId === undefined
    ? { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount }
    : { matchedCount: r.matchedCount, modifiedCount: r.modifiedCount, upsertedId: r.upsertedId }
