/**
 * The header flood (issue 19, item 4, `npm run bench -- --flood`, not in --smoke): one address
 * (127.0.0.1) opens 4,000 connections that never send their headers; meanwhile a legitimate client
 * from another address (127.0.0.2) asks GET /healthz on fresh connections. Target: each answered
 * 200 within 1 s. Before MAX_CONNECTIONS_PER_ADDRESS, 4,200 such connections filled Node's
 * MAX_CONNECTIONS and the client was reset until HEADERS_TIMEOUT_MS (20 s) reaped them. Its own
 * table, after the login flood's: each server runs the embedded store (no database is read).
 */
import { connect, type Socket } from 'node:net'
import { errorText, log } from '../lib/log.js'
import { bunBinary, SERVER_CPUS } from '../lib/machine.js'
import type { BenchOptions } from '../lib/options.js'
import { type RunningServer, startBenchServer } from '../lib/procs.js'
import { httpClient } from './clients.js'

export const HEADER_FLOOD_CONNECTIONS = 4000
const FLOOD_FROM = '127.0.0.1'
const LEGIT_FROM = '127.0.0.2'
/** The target: the legitimate client is answered within this. */
const TARGET_MS = 1000
const PROBES = 5

interface HeaderFloodRow {
  target: string
  held: number
  refused: number
  statuses: number[]
  slowestMs: number
  problem?: string
}

/** `n` connections from FLOOD_FROM that send nothing; `refused()` counts those the server closed. */
const openSilent = async (port: number, n: number) => {
  const sockets: Socket[] = []
  let closed = 0
  for (let i = 0; i < n; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, n - i) }, () => {
        const socket = connect({ port, host: '127.0.0.1', localAddress: FLOOD_FROM })
        sockets.push(socket)
        socket.on('error', () => {})
        socket.resume()
        socket.once('close', () => closed++)
        return new Promise<void>((resolve) => {
          socket.once('connect', () => resolve())
          socket.once('close', () => resolve())
        })
      }),
    )
  }
  const close = () => {
    for (const s of sockets) s.destroy()
  }
  return { refused: () => closed, close }
}

const measure = async (name: string, server: RunningServer): Promise<HeaderFloodRow> => {
  const flood = await openSilent(server.port, HEADER_FLOOD_CONNECTIONS)
  const client = httpClient(server.url, LEGIT_FROM, 10_000)
  try {
    const statuses: number[] = []
    let slowestMs = 0
    for (let i = 0; i < PROBES; i++) {
      const t = await client.send('GET', '/healthz', { Connection: 'close' })
      statuses.push(t.status)
      slowestMs = Math.max(slowestMs, t.ms)
      await new Promise((r) => setTimeout(r, 200))
    }
    return {
      target: name,
      held: HEADER_FLOOD_CONNECTIONS - flood.refused(),
      refused: flood.refused(),
      statuses,
      slowestMs,
    }
  } finally {
    client.close()
    flood.close()
  }
}

const TARGETS = (opts: BenchOptions) =>
  [
    { name: 'app-node-headers', command: process.execPath, args: ['--import', 'tsx', 'src/entry/node.ts'] },
    { name: 'app-bun-headers', command: bunBinary(), args: ['--no-env-file', 'src/entry/bun.ts'] },
  ].filter((t) => !opts.only || opts.only.test(t.name))

/** Runs the header flood on Node and Bun, prints its table; 1 when a server failed. */
export const runHeaderFlood = async (opts: BenchOptions, live: Set<RunningServer>): Promise<number> => {
  if (opts.smoke) return 0
  const rows: HeaderFloodRow[] = []
  for (const target of TARGETS(opts)) {
    let server: RunningServer | undefined
    try {
      server = await startBenchServer({
        ...target,
        env: { LOG_LEVEL: 'warn' },
        cpus: SERVER_CPUS,
        readyPath: '/healthz',
      })
      live.add(server)
      log(`${target.name}: ${HEADER_FLOOD_CONNECTIONS} silent connections from ${FLOOD_FROM}`)
      rows.push(await measure(target.name, server))
    } catch (e) {
      rows.push({
        target: target.name,
        held: 0,
        refused: 0,
        statuses: [],
        slowestMs: 0,
        problem: errorText(e),
      })
    } finally {
      if (server) live.delete(server)
      await server?.stop()
    }
  }
  if (rows.length === 0) return 0
  const met = (r: HeaderFloodRow) =>
    !r.problem &&
    r.statuses.length === PROBES &&
    r.statuses.every((s) => s === 200) &&
    r.slowestMs <= TARGET_MS
  console.log(
    `\nHeader flood: ${HEADER_FLOOD_CONNECTIONS} connections from ${FLOOD_FROM} that never send headers;`,
  )
  console.log(
    `GET /healthz from ${LEGIT_FROM}, ${PROBES} times on fresh connections (target: 200 within ${TARGET_MS} ms)\n`,
  )
  console.log('| target | held open | refused by the server | statuses | slowest | target |')
  console.log('|---|---|---|---|---|---|')
  for (const r of rows)
    console.log(
      r.problem
        ? `| ${r.target} | - | - | - | - | FAILED: ${r.problem.split('\n')[0]} |`
        : `| ${r.target} | ${r.held} | ${r.refused} | ${r.statuses.join(' ')} | ${r.slowestMs.toFixed(0)} ms | ${met(r) ? 'met' : 'MISS'} |`,
    )
  // As the login flood's: a missed target is a result; a server that did not start is a failure.
  return rows.some((r) => r.problem) ? 1 : 0
}
