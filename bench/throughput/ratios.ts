/**
 * The ratios of each row: to Hono's hello on the same engine (the ceiling), to Hono answering the
 * same bytes, to the same bytes with the app's headers (the mirror), and to the cached Fastify peer;
 * by req/s and by req per server CPU-second.
 */
import { hostNodeEngine } from '../lib/machine.js'
import type { Row } from './run-scenario.js'
import type { ScenarioName } from './scenarios.js'

/** Requests per second of server CPU. */
export const perCpu = (r: Row): number => (r.serverCpu > 0 ? r.rps / r.serverCpu : 0)

/**
 * Ratios: to Hono's hello on the same engine (node20, node24, bun), and to the Fastify peer's same
 * scenario on the same Node (Bun's rows to the peer on the machine's Node: Fastify runs on Node).
 */
export const addRatios = (rows: Row[]): void => {
  const measured = (r: Row) => r.ok && r.rps > 0
  const ceiling = (engine: string) =>
    rows.find((r) => r.scenario === 'hello' && r.engine === engine && measured(r))
  const sameBody = (engine: string) =>
    rows.find((r) => r.scenario === 'payload' && r.engine === engine && measured(r))
  const mirrorOf = (engine: string) =>
    rows.find((r) => r.scenario === 'mirror' && r.engine === engine && measured(r))
  const peerOf = (engine: string, scenario: ScenarioName) => {
    const peerEngine = engine === 'bun' ? hostNodeEngine : engine
    return rows.find(
      (r) =>
        r.target.startsWith('fastify-') && r.engine === peerEngine && r.scenario === scenario && measured(r),
    )
  }
  for (const r of rows) {
    if (r.scenario === 'schedules-week' || r.scenario === 'feed') {
      // app-node-2024 against app-node's hot day: the same engine, the same run, another database.
      const app = r.target.replace(/-2024$/, '')
      const hot = rows.find((h) => h.target === app && h.scenario === 'hot' && measured(h))
      if (hot) r.ratioHot = r.rps / hot.rps
    }
    const m = mirrorOf(r.engine)
    if (m && r.scenario === 'hot') {
      r.ratioMirror = r.rps / m.rps
      if (perCpu(m) > 0) r.ratioMirrorPerCpu = perCpu(r) / perCpu(m)
    }
    const b = sameBody(r.engine)
    if (b && (r.scenario === 'hot' || r.scenario === 'spread')) r.ratioSameBody = r.rps / b.rps
    const c = ceiling(r.engine)
    if (c && r.scenario !== 'hello') {
      r.ratioCeiling = r.rps / c.rps
      if (perCpu(c) > 0) r.ratioCeilingPerCpu = perCpu(r) / perCpu(c)
    }
    const p = peerOf(r.engine, r.scenario)
    if (p && !r.target.startsWith('fastify-')) {
      r.ratioPeer = r.rps / p.rps
      if (perCpu(p) > 0) r.ratioPeerPerCpu = perCpu(r) / perCpu(p)
    }
  }
}
