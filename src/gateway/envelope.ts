import type { Context } from 'hono'
import { BSON } from 'mongodb'
import { z } from 'zod'
import { DB_NAME_PATTERN } from '../store/store.js'
import { DataApiHttpError, invalid } from './errors.js'
import type { Action } from './keys.js'

export type Body = Record<string, unknown>

/** A plain object: not an array, not null, not a Date (EJSON turns `{$date}` into one). */
export const isObject = (v: unknown): v is Body =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

const COLLECTION_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}$/
const DB_ERROR = 'database must be a database name'
const COLLECTION_ERROR = 'collection must be a collection name'

/** The request body: JSON or Extended JSON, and an object. 415 or 400 otherwise. */
export const readBody = async (c: Context): Promise<Body> => {
  const type = c.req.header('Content-Type') ?? ''
  if (!/^application\/(json|ejson)\s*(;|$)/i.test(type))
    throw new DataApiHttpError(
      415,
      'InvalidParameter',
      'Content-Type must be application/json or application/ejson',
    )
  try {
    const parsed: unknown = BSON.EJSON.parse(await c.req.text(), { relaxed: true })
    if (isObject(parsed)) return parsed
  } catch {}
  throw invalid('request body must be a JSON (or Extended JSON) object')
}

/** dataSource, database and collection: checked before the key's grants, so a 403 names a real namespace. */
export const namespaceSchema = (dataSource: string) =>
  z.object({
    dataSource: z.literal(dataSource, { error: `dataSource must be ${JSON.stringify(dataSource)}` }),
    database: z.string({ error: DB_ERROR }).regex(DB_NAME_PATTERN, { error: DB_ERROR }),
    collection: z
      .string({ error: COLLECTION_ERROR })
      .regex(COLLECTION_PATTERN, { error: COLLECTION_ERROR })
      .refine((name) => !name.startsWith('system.'), { error: COLLECTION_ERROR }),
  })

export type Namespace = { database: string; collection: string }

/** The first problem's message, as `{error}` of a 400. */
const firstIssue = (error: z.ZodError, action?: Action): string => {
  const unknown = error.issues.find((i) => i.code === 'unrecognized_keys')
  if (unknown && unknown.code === 'unrecognized_keys')
    return `unknown field ${JSON.stringify(unknown.keys[0])} for ${action}`
  return error.issues[0]?.message ?? 'invalid request'
}

export const parseNamespace = (schema: ReturnType<typeof namespaceSchema>, body: Body): Namespace => {
  const r = schema.safeParse(body)
  if (!r.success) throw invalid(firstIssue(r.error))
  return { database: r.data.database, collection: r.data.collection }
}

// Absent and null mean the same for every optional field, as in the Data API.
const optionalObject = (field: string) =>
  z
    .custom<Body>(isObject, { error: `${field} must be an object` })
    .nullish()
    .transform((v) => v ?? undefined)
const requiredObject = (field: string) =>
  z.custom<Body>(isObject, { error: `${field} is required and must be an object` })
const optionalCount = (field: string) =>
  z
    .custom<number>((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0, {
      error: `${field} must be a non-negative integer`,
    })
    .nullish()
    .transform((v) => v ?? undefined)
const upsert = z
  .custom<boolean>((v) => typeof v === 'boolean', { error: 'upsert must be a boolean' })
  .nullish()
  .transform((v) => v ?? false)

const COMMON = { dataSource: z.unknown(), database: z.unknown(), collection: z.unknown() }
const filter = optionalObject('filter')
const projection = optionalObject('projection')

/** Each action's fields; any other field is refused, so a typo (`filters`) is not silently a match-all. */
const SCHEMAS = {
  findOne: z.strictObject({ ...COMMON, filter, projection }),
  find: z.strictObject({
    ...COMMON,
    filter,
    projection,
    sort: z
      .custom<Record<string, 1 | -1>>(
        (v) => isObject(v) && Object.values(v).every((d) => d === 1 || d === -1),
        { error: 'sort must map field names to 1 or -1' },
      )
      .nullish()
      .transform((v) => v ?? undefined),
    limit: optionalCount('limit'),
    skip: optionalCount('skip'),
  }),
  insertOne: z.strictObject({ ...COMMON, document: requiredObject('document') }),
  insertMany: z.strictObject({
    ...COMMON,
    documents: z.custom<Body[]>((v) => Array.isArray(v) && v.length > 0 && v.every(isObject), {
      error: 'documents is required and must be a non-empty array of objects',
    }),
  }),
  updateOne: z.strictObject({ ...COMMON, filter, update: requiredObject('update'), upsert }),
  updateMany: z.strictObject({ ...COMMON, filter, update: requiredObject('update'), upsert }),
  replaceOne: z.strictObject({ ...COMMON, filter, replacement: requiredObject('replacement'), upsert }),
  deleteOne: z.strictObject({ ...COMMON, filter }),
  deleteMany: z.strictObject({ ...COMMON, filter }),
  aggregate: z.strictObject({
    ...COMMON,
    pipeline: z.custom<unknown[]>(Array.isArray, {
      error: 'pipeline is required and must be an array of stages',
    }),
  }),
} satisfies Record<Action, z.ZodType>

/** One action's request, its fields checked for shape (not yet for operators). */
export type ActionRequest = { [A in Action]: { action: A } & z.output<(typeof SCHEMAS)[A]> }[Action]

export const parseRequest = (action: Action, body: Body): ActionRequest => {
  const r = SCHEMAS[action].safeParse(body)
  if (!r.success) throw invalid(firstIssue(r.error, action))
  return { action, ...r.data } as ActionRequest
}
