/**
 * What the throughput report (bench/throughput/report.ts) and the flood's (bench/flood/flood-report.ts)
 * share: the machine, the versions and the pinning of a run, a Markdown grid, a target met or missed,
 * and the JSON file in bench/results/.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { ferretdbBinary } from '#harness/ferretdb.js'
import { node24Binary } from '#harness/node24.js'
import { log } from './log.js'
import { bunBinary, LOADGEN_CPUS, ROOT, SERVER_CPUS } from './machine.js'
import type { BenchOptions } from './options.js'
import { wrkBinary } from './wrk.js'

const require = createRequire(import.meta.url)

/** The first line a tool prints about itself (wrk -v exits 1 after printing it). */
const version = (cmd: string | null, args: string[]): string => {
  if (!cmd) return 'not installed'
  const run = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 })
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n')[0] || 'unknown'
}

/** The machine, the versions and the pinning of a run. */
export const environmentOf = ({ startedAt, pinned }: { startedAt: Date; pinned: boolean }) => ({
  date: startedAt.toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  node: process.version,
  node24: version(node24Binary(), ['--version']),
  bun: version(bunBinary(), ['--version']),
  ferretdb: process.env.MONGODB_URI
    ? 'MONGODB_URI'
    : `FerretDB ${version(ferretdbBinary(), ['--version']).replace('Version: ', '')}`,
  autocannon: require('autocannon/package.json').version as string,
  wrk: version(wrkBinary(), ['-v']).split(' ').slice(0, 2).join(' '),
  pinning: pinned ? `servers on CPU ${SERVER_CPUS}, load generator on CPU ${LOADGEN_CPUS}` : 'none',
})

/** A Markdown table of `lines` under `header`, each column as wide as its widest cell. */
export const formatGrid = (header: string[], lines: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const line = (cs: string[]) => `| ${cs.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n')
}

export interface TargetResult {
  name: string
  met: boolean | null
  value: string
}

/**
 * Writes a run's JSON to --out, or to bench/results/<date>[-flood][-smoke].json, and says where.
 */
export const writeResults = (
  { startedAt, opts }: { startedAt: Date; opts: BenchOptions },
  json: unknown,
  kind: '' | '-flood' = '',
): void => {
  const stamp = `${startedAt.toISOString().replaceAll(':', '-').slice(0, 19)}${kind}${opts.smoke ? '-smoke' : ''}`
  const outFile = opts.out ?? join(ROOT, 'bench', 'results', `${stamp}.json`)
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`)
  log(`results written to ${outFile}`)
}
