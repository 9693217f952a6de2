import { BSON } from 'mongodb'

/**
 * A driver value as the plain JSON the Data API gave: hex ObjectIds, ISO dates, numbers; the other
 * BSON types as relaxed Extended JSON. It walks the values themselves, not their Extended JSON, so a
 * document's own sub-document `{"$date": "x"}` or `{"$oid": 1}` is written as it is stored, not
 * taken for a wrapper (that threw on `{"$date": "x"}`: a 500 for every read that met such a row).
 */
const plain = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $numberDouble: String(v) }
  // A stored date past JavaScript's range (±275760 years) arrives as an Invalid Date: null, as
  // JSON.stringify writes one, rather than a RangeError.
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
  if (v === null || typeof v !== 'object') return v
  const value = v as { _bsontype?: unknown }
  switch (value._bsontype) {
    case undefined:
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
    case 'ObjectId':
      return (v as BSON.ObjectId).toHexString()
    case 'Decimal128':
      return (v as BSON.Decimal128).toString()
    case 'Long':
      return (v as BSON.Long).toNumber()
    case 'Int32':
    case 'Double':
      return plain((v as BSON.Int32 | BSON.Double).valueOf())
    case 'DBRef': {
      const { collection, oid, db, fields } = v as BSON.DBRef
      return { $ref: collection, $id: plain(oid), ...(db ? { $db: db } : {}), ...(plain(fields) as object) }
    }
    case 'Code': {
      const { code, scope } = v as BSON.Code
      return scope ? { $code: code, $scope: plain(scope) } : { $code: code }
    }
    default:
      return BSON.EJSON.serialize(v, { relaxed: true })
  }
}

/**
 * `application/ejson` gets canonical Extended JSON; anything else gets plain JSON as the Data API
 * gave it: ObjectIds as hex strings, dates as ISO strings, numbers as numbers.
 */
export const encode = (body: unknown, accept: string): { text: string; type: string } => {
  if (/application\/ejson/i.test(accept))
    return { text: BSON.EJSON.stringify(body, { relaxed: false }), type: 'application/ejson' }
  return { text: JSON.stringify(plain(body)), type: 'application/json' }
}
