import { BSON } from 'mongodb'

/** Relaxed Extended JSON to the plain JSON the Data API gave: hex ObjectIds, ISO dates, numbers. */
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

/**
 * `application/ejson` gets canonical Extended JSON; anything else gets plain JSON as the Data API
 * gave it: ObjectIds as hex strings, dates as ISO strings, numbers as numbers.
 */
export const encode = (body: unknown, accept: string): { text: string; type: string } => {
  if (/application\/ejson/i.test(accept))
    return { text: BSON.EJSON.stringify(body, { relaxed: false }), type: 'application/ejson' }
  return {
    text: JSON.stringify(flatten(BSON.EJSON.serialize(body, { relaxed: true }))),
    type: 'application/json',
  }
}
