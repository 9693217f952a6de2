import { BSON } from 'mongodb'
import { isObject } from './envelope.js'
import { forbidden } from './errors.js'

/**
 * What a key that may not `find` (nor `aggregate`) a collection may put in a filter. Without this,
 * `findOne` lists a whole collection: `{"username": {"$nin": [...seen]}}` answers the next document
 * each time (issue 19, item 3). Such a key names documents by equality only: each field's condition is
 * a value, or `{"$eq": value}`; no regular expression, no `$or`/`$and`/`$nor`/`$expr`/`$text`, no
 * `$ne`/`$nin`/`$in`/`$not`/`$exists`/`$regex`/`$elemMatch`/`$type`/ranges. The empty filter stays
 * allowed: it names one document, always the same, so repeating it lists nothing.
 *
 * A write's filter (updateOne and the rest answer counts, never documents) may also bound a field by
 * `$gt`/`$gte`/`$lt`/`$lte` beside a field matched by equality: the login counters' conditional
 * increment (`{key, expire: {$gt: now}}`, src/store/data-api/login-limiters.ts) is one.
 */
export type FilterUse = 'read' | 'write'

const RANGES = new Set(['$gt', '$gte', '$lt', '$lte'])

/** A value equality can compare: never a regular expression (a filter value that is one is a match). */
const isPlainValue = (v: unknown, depth = 0): boolean => {
  if (depth > 32) return false
  if (v instanceof BSON.BSONRegExp || v instanceof RegExp) return false
  if (Array.isArray(v)) return v.every((x) => isPlainValue(x, depth + 1))
  if (isObject(v) && !(v instanceof BSON.ObjectId) && !('_bsontype' in v)) {
    // An embedded document is matched whole; a key starting with `$` would make it an operator.
    return Object.entries(v).every(([k, x]) => !k.startsWith('$') && isPlainValue(x, depth + 1))
  }
  return true
}

type Condition = 'equality' | 'range' | string

/** `equality`, `range`, or the operator that refuses it. */
const conditionOf = (condition: unknown, use: FilterUse): Condition => {
  if (!isObject(condition) || '_bsontype' in condition) return isPlainValue(condition) ? 'equality' : '$regex'
  const keys = Object.keys(condition)
  if (!keys.some((k) => k.startsWith('$'))) return isPlainValue(condition) ? 'equality' : '$regex'
  let kind: Condition = 'equality'
  for (const k of keys) {
    const value = condition[k]
    if (k === '$eq' && isPlainValue(value)) continue
    if (use === 'write' && RANGES.has(k) && isPlainValue(value) && !Array.isArray(value)) {
      kind = 'range'
      continue
    }
    return k
  }
  return kind
}

/**
 * Refuses (403) a filter a key without `find` may not send on this collection; the message names the
 * first operator refused and the field, never a value.
 */
export const checkNamedFilter = (filter: Record<string, unknown> | undefined, use: FilterUse): void => {
  if (!filter) return
  let equalities = 0
  let ranges = 0
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$'))
      throw forbidden(
        `this API key may not use ${field} in a filter: without find it names documents by equality only`,
      )
    const kind = conditionOf(condition, use)
    if (kind === 'equality') equalities++
    else if (kind === 'range') ranges++
    else
      throw forbidden(
        `this API key may not use ${kind} on ${JSON.stringify(field)}: without find it names documents by equality only`,
      )
  }
  if (ranges > 0 && equalities === 0)
    throw forbidden('this API key may bound a field only beside a field matched by equality: it may not find')
}
