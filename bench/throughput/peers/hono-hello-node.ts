// The ceiling on Node: Hono on @hono/node-server answering a constant JSON, nothing else. GET /payload
// answers the bytes of PAYLOAD_FILE (the hot day's response), the ceiling for a body of that size;
// GET /mirror the same bytes with the app's own headers (MIRROR_FILE, taken from the app's answer at
// the start of the run: bench/throughput/hot-answer.ts), the ceiling for the app's whole answer.
import { readFileSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'

const payload = new Uint8Array(process.env.PAYLOAD_FILE ? readFileSync(process.env.PAYLOAD_FILE) : [])
const mirrored = process.env.MIRROR_FILE
  ? (JSON.parse(readFileSync(process.env.MIRROR_FILE, 'utf8')) as { headers: Record<string, string> }).headers
  : {}
const app = new Hono()
  .get('/', (c) => c.json({ hello: 'world' }))
  .get('/payload', (c) => c.body(payload, 200, { 'Content-Type': 'application/json; charset=UTF-8' }))
  // A Response with a plain header record, as the app's own `respond` builds it: @hono/node-server
  // writes it without a Headers object (and copies the record only to add the length).
  .get('/mirror', () => new Response(payload, { status: 200, headers: mirrored }))
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' })
// Stopped with SIGTERM by the bench: exit, so that --cpu-prof (bench:cpu) writes its profile.
process.on('SIGTERM', () => process.exit(0))
