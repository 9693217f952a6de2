/**
 * The reference peer: how a conventional Fastify service would implement GET /holodules/{date} with
 * the same `JWT <token>` scheme, @fastify/jwt (fast-jwt) for HS256 with exp/iat/nbf required, the
 * user lookup and the same range query through the official driver; and the app's caching policy,
 * so the bench compares frameworks and code, not how often each asks the database:
 * - each day's response kept as encoded bytes for HOLODULES_CACHE_TTL (default 5 s), served one more
 *   TTL while one background refresh runs, concurrent misses sharing one query, empty days not kept;
 * - each found user kept for USER_CACHE_TTL (default 2 s), renewed from 3/4 of it;
 * - verified tokens remembered by their text (fast-jwt's own `cache`, 10,000 entries, exp and nbf
 *   still checked on every hit), as the app's verifier does.
 * The caches are the app's own `createTtlCache` (src/lib/ttl-cache.ts): the same policy, exactly.
 */
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import { MongoClient } from 'mongodb'
import { systemClock } from '#src/lib/clock.js'
import { createTtlCache } from '#src/lib/ttl-cache.js'

const secret = process.env.JWT_SECRET_KEY ?? ''
const client = new MongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', {
  serverSelectionTimeoutMS: 2000,
  maxPoolSize: 50,
})
const db = client.db(process.env.MONGODB_DB ?? 'holoduledb')
const users = db.collection('users')
const holodules = db.collection('holodules')

// The app's defaults (src/app/create-app.ts); the bench passes the same variables to both.
const dayTtlS = Number(process.env.HOLODULES_CACHE_TTL ?? 5)
const userTtlS = Number(process.env.USER_CACHE_TTL ?? 2)
const days = createTtlCache<string, Buffer | null>({
  ttlMs: dayTtlS * 1000,
  staleMs: dayTtlS * 1000,
  clock: systemClock,
  maxEntries: 2000,
  cacheable: (body) => body !== null,
})
const userCache = createTtlCache<string, boolean>({
  ttlMs: userTtlS * 1000,
  clock: systemClock,
  cacheable: (found) => found,
})
const userExists = (name: string) =>
  userCache.get(
    name,
    async () => (await users.findOne({ username: name }, { projection: { _id: 1 } })) !== null,
  )

const nextDay = (date: string): string => {
  const d = new Date(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)) + 1),
  )
  return d.toISOString().slice(0, 10).replaceAll('-', '')
}

/** One day's response, encoded once; null when the day has no stream. */
const loadDay = async (date: string): Promise<Buffer | null> => {
  const docs = await holodules
    .find(
      { datetime: { $gte: date, $lt: nextDay(date) } },
      {
        projection: { _id: 0, key: 1, video_id: 1, datetime: 1, name: 1, title: 1, url: 1, description: 1 },
      },
    )
    .sort({ datetime: -1, key: -1 })
    .toArray()
  return docs.length === 0 ? null : Buffer.from(JSON.stringify({ result: docs.length, holodules: docs }))
}

const unauthorized = (error: string, description: string) => ({ status_code: 401, error, description })

const app = Fastify({ logger: false })
await app.register(fastifyJwt, {
  secret,
  verify: {
    algorithms: ['HS256'],
    requiredClaims: ['exp', 'iat', 'nbf'],
    cache: 10_000,
    extractToken: (req) => /^JWT\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1],
  },
})

app.get<{ Params: { date: string } }>(
  '/holodules/:date',
  {
    schema: { params: { type: 'object', properties: { date: { type: 'string', pattern: '^[0-9]{8}$' } } } },
    preValidation: async (req, reply) => {
      if (!req.headers.authorization) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'JWT realm="Login Required"')
          .send(unauthorized('Authorization Required', 'Request does not contain an access token'))
      }
      let identity: unknown
      try {
        identity = (await req.jwtVerify<{ identity?: unknown }>()).identity
      } catch (e) {
        return reply.code(401).send(unauthorized('Invalid token', (e as Error).message))
      }
      const found = typeof identity === 'string' && (await userExists(identity))
      if (!found) return reply.code(401).send(unauthorized('Invalid JWT', 'User does not exist'))
    },
  },
  async (req, reply) => {
    const { date } = req.params
    const body = await days.get(date, () => loadDay(date))
    if (!body) return reply.code(404).send({ error: 'Not found' })
    return reply.header('Content-Type', 'application/json; charset=utf-8').send(body)
  },
)

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
const stop = async () => {
  await app.close()
  await client.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
