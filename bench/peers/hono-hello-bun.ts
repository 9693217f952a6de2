// The ceiling on Bun: Hono on Bun.serve answering a constant JSON, nothing else.
import { Hono } from 'hono'

const app = new Hono().get('/', (c) => c.json({ hello: 'world' }))
Bun.serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' })
