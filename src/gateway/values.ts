import type { Body } from './envelope.js'
import { invalid } from './errors.js'

/**
 * BSON types a request may carry besides strings, booleans, null, arrays and plain objects. The rest
 * ($code, $minKey, $maxKey, $symbol, $dbPointer, $numberDecimal, $binary, $timestamp, $undefined…)
 * are refused: FerretDB 1.x drops the connection on several of them (measured: Code, MinKey, MaxKey,
 * BSONSymbol, Decimal128 and NaN), which fails every other request sharing it.
 */
const ALLOWED_BSON = new Set(['ObjectId', 'Int32', 'Long', 'Double', 'BSONRegExp'])
const REGEX_OPTIONS = /^[imsx]*$/
/** MongoDB's own nesting limit for documents. */
const MAX_DEPTH = 100

const typeName = (v: unknown): string => {
  if (typeof v === 'number') return String(v)
  const bsontype = (v as { _bsontype?: unknown } | null)?._bsontype
  return typeof bsontype === 'string' ? bsontype : typeof v
}

const checkValue = (v: unknown, path: string, depth: number): void => {
  if (depth > MAX_DEPTH) throw invalid(`${path}: nested too deeply`)
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalid(`${path}: ${typeName(v)} is not supported`)
    return
  }
  if (v instanceof Date) {
    // EJSON turns a date past JavaScript's range (±275760 years) into an Invalid Date, which the
    // driver would store as 1970-01-01.
    if (Number.isNaN(v.getTime())) throw invalid(`${path}: the date is out of range`)
    return
  }
  if (Array.isArray(v)) {
    for (const [i, item] of v.entries()) checkValue(item, `${path}.${i}`, depth + 1)
    return
  }
  if (typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    for (const [k, item] of Object.entries(v)) checkValue(item, `${path}.${k}`, depth + 1)
    return
  }
  const name = typeName(v)
  if (!ALLOWED_BSON.has(name)) throw invalid(`${path}: ${name} is not supported`)
  const bson = v as { value?: unknown; options?: unknown }
  if (name === 'Double' && !Number.isFinite(bson.value))
    throw invalid(`${path}: ${String(bson.value)} is not supported`)
  if (name === 'BSONRegExp' && !REGEX_OPTIONS.test(String(bson.options)))
    throw invalid(`${path}: regular expression options other than i, m, s and x are not supported`)
}

/**
 * Walks every field of a parsed request but the namespace, refusing BSON types outside the plain
 * ones a Data API client needs and dates out of range, before anything reaches the database.
 */
export const checkValues = (body: Body): void => {
  for (const [field, value] of Object.entries(body)) {
    if (field === 'dataSource' || field === 'database' || field === 'collection') continue
    checkValue(value, field, 0)
  }
}
