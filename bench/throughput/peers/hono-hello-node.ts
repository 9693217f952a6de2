// The ceiling on Node: Hono on @hono/node-server answering a constant JSON, nothing else. GET /payload
// answers the bytes of PAYLOAD_FILE (the hot day's response), the ceiling for a body of that size.
import { readFileSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const payload = new Uint8Array(process.env.PAYLOAD_FILE ? readFileSync(process.env.PAYLOAD_FILE) : [])
const app = new Hono()
  .get('/', (c) => c.json({ hello: 'world' }))
  .get('/payload', (c) => c.body(payload, 200, { 'Content-Type': 'application/json; charset=UTF-8' }))
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' })
