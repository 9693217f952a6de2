/**
 * The reference peer: how a conventional Fastify service would implement GET /holodules/{date} with
 * the same `JWT <token>` scheme, @fastify/jwt (fast-jwt) for HS256 with exp/iat/nbf required, the
 * user looked up on every request and the same range query through the official driver. No caches.
 */
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import { MongoClient } from 'mongodb'

const secret = process.env.JWT_SECRET_KEY ?? ''
const client = new MongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', {
  serverSelectionTimeoutMS: 2000,
  maxPoolSize: 50,
})
const db = client.db(process.env.MONGODB_DB ?? 'holoduledb')
const users = db.collection('users')
const holodules = db.collection('holodules')

const nextDay = (date: string): string => {
  const d = new Date(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)) + 1),
  )
  return d.toISOString().slice(0, 10).replaceAll('-', '')
}

const unauthorized = (error: string, description: string) => ({ status_code: 401, error, description })

const app = Fastify({ logger: false })
await app.register(fastifyJwt, {
  secret,
  verify: {
    algorithms: ['HS256'],
    requiredClaims: ['exp', 'iat', 'nbf'],
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
      const user = typeof identity === 'string' ? await users.findOne({ username: identity }) : null
      if (!user) return reply.code(401).send(unauthorized('Invalid JWT', 'User does not exist'))
    },
  },
  async (req, reply) => {
    const { date } = req.params
    const docs = await holodules
      .find(
        { datetime: { $gte: date, $lt: nextDay(date) } },
        {
          projection: { _id: 0, key: 1, video_id: 1, datetime: 1, name: 1, title: 1, url: 1, description: 1 },
        },
      )
      .sort({ datetime: -1, key: -1 })
      .toArray()
    if (docs.length === 0) return reply.code(404).send({ error: 'Not found' })
    return reply.send({ result: docs.length, holodules: docs })
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
