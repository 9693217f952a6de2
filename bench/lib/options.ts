import { parseArgs } from 'node:util'
import { errorReport } from './log.js'

export const HELP = `Usage: npm run bench -- [options]
       node --import tsx bench/run.ts [options]
       node --import tsx bench/flood/flood.ts [options]     (the same as --flood)

The API on its Node entry (this Node, and Node 24 when scripts/test-deps.sh installed it) and its
Bun entry against FerretDB, next to Hono's hello, Hono answering the hot day's bytes (payload) and
those bytes with the app's headers (mirror, both taken from the app's answer at the start), and a
Fastify peer with the app's caches, on each engine, under the same bounded wrk load (autocannon
where wrk is not installed; the table's load column says which). Prints a table and writes JSON to
bench/results/.

Options:
  --flood            only the login flood (bench/flood/), then exit: 64 connections sending wrong
                     passwords to POST /auth from 127.0.0.1 while a legitimate user logs in from
                     127.0.0.2 and logged-in clients read from 127.0.0.3; on Node, Bun, and Node and
                     Bun with WORKERS=2 (smoke: Node and Bun single, 2.5 s each); and the
                     many-addresses flood (32 addresses 127.0.1.x x 2 connections, rotating user
                     names) on Node and Bun
  --flood-requests N at most N flood requests per target (200000; smoke 20000)
  --smoke            every scenario for about a second on 2,000 rows; exits non-zero when a
                     server fails or answers a wrong status; targets are not judged (defaults
                     below change with it)
  --rows N           rows seeded into FerretDB (50000; smoke 2000)
  --duration S       seconds per measured run (5; smoke 1; --flood 10, smoke 2.5)
  --warmup S         seconds of warm-up before each run (2; smoke 0.3)
  --rounds N         rounds of the scenarios measured with every server up (3; smoke 1)
  --connections N    connections of the load generator (16; --flood 64, always autocannon)
  --only REGEX       only the target/scenario pairs it matches, e.g. 'hello|mirror|app-node/hot$'
                     (--flood: the targets it matches, e.g. 'workers')
  --entry dist|tsx   how the Node entry runs: the build or tsx (dist; smoke tsx); --flood runs
                     the project's own dist/, so npm run build first
  --ttl S            HOLODULES_CACHE_TTL for the app (default: the app's own)
  --user-ttl S       USER_CACHE_TTL for the app (default: the app's own)
  --workers          also the WORKERS=auto scenarios
  --cpu-prof         profile the Node entry (V8 .cpuprofile in bench/results/)
  --out FILE         where the JSON goes (bench/results/<date>[-flood][-smoke].json)
  -h, --help         this text

MONGODB_URI=... runs against that server instead of starting FerretDB.
`

export interface BenchOptions {
  /** Only the login flood (bench/flood/flood.ts). */
  flood: boolean
  /** The flood's bound on requests per target. */
  floodRequests: number
  smoke: boolean
  rows: number
  duration: number
  warmup: number
  rounds: number
  connections: number
  /** How the Node entry runs: 'dist' (the build) or anything else (tsx). */
  entryMode: string
  only: RegExp | null
  ttl: string | undefined
  userTtl: string | undefined
  workers: boolean
  cpuProf: boolean
  out: string | undefined
  /** A request still open when a run ends is simply not counted; one slower than this is a failure. */
  requestTimeoutS: number
}

/** The options, or 'help' when --help asks for the usage; an unknown option throws. */
export const parseOptions = (args: string[]): BenchOptions | 'help' => {
  const { values: flags } = parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      smoke: { type: 'boolean', default: false },
      flood: { type: 'boolean', default: false },
      'flood-requests': { type: 'string' },
      rows: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      entry: { type: 'string' },
      ttl: { type: 'string' },
      'user-ttl': { type: 'string' },
      workers: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  })
  if (flags.help) return 'help'
  const { smoke, flood } = flags
  const rows = Number(flags.rows ?? (smoke ? 2000 : 50_000))
  const duration = flood ? (smoke ? 2.5 : 10) : smoke ? 1 : 5
  return {
    flood,
    floodRequests: Number(flags['flood-requests'] ?? (smoke ? 20_000 : 200_000)),
    smoke,
    rows,
    duration: Number(flags.duration ?? duration),
    warmup: Number(flags.warmup ?? (smoke ? 0.3 : 2)),
    rounds: Number(flags.rounds ?? (smoke ? 1 : 3)),
    connections: Number(flags.connections ?? (flood ? 64 : 16)),
    entryMode: flags.entry ?? (smoke ? 'tsx' : 'dist'),
    only: flags.only ? new RegExp(flags.only) : null,
    ttl: flags.ttl,
    userTtl: flags['user-ttl'],
    workers: flags.workers,
    cpuProf: flags['cpu-prof'],
    out: flags.out,
    // FerretDB scans the whole collection for a day, so the bound grows with it.
    requestTimeoutS: Math.max(30, Math.ceil(rows / 5000)),
  }
}

/**
 * The command line of a bench entry: parses `args`, prints the usage or what is wrong, runs `main`
 * and exits with its code (1 when it throws).
 */
export const runCli = async (
  args: string[],
  main: (opts: BenchOptions) => Promise<number>,
): Promise<void> => {
  let opts: BenchOptions | 'help'
  try {
    opts = parseOptions(args)
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\nnpm run bench -- --help lists the options.`)
    process.exitCode = 1
    return
  }
  if (opts === 'help') {
    process.stdout.write(HELP)
    return
  }
  process.exitCode = await main(opts).catch((e: unknown) => {
    console.error(`bench: ${errorReport(e)}`)
    return 1
  })
  // autocannon and the driver may keep handles open; the run is over.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref()
}
