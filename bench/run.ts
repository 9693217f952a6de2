/**
 * `npm run bench`: the API on its Node and Bun entries against FerretDB, next to Hono's hello (the
 * ceiling on each runtime) and a Fastify peer, under the same bounded wrk load. Prints a
 * table and writes JSON to bench/results/. `--smoke` runs every scenario for about a second on a
 * small collection and exits non-zero when a server fails or answers a wrong status.
 * `--flood` runs only the login flood (bench/flood/). `--help` lists the options (bench/lib/options.ts).
 *
 * The throughput run: bench/throughput/ (throughput.ts wires it; what servers: targets.ts, what is
 * measured: scenarios.ts, in the order of measure.ts, what is printed: report.ts). The login flood:
 * bench/flood/. What both use: bench/lib/. One-off tools: bench/tools/.
 */
import { runFlood } from './flood/flood.js'
import { runCli } from './lib/options.js'
import { runThroughput } from './throughput/throughput.js'

await runCli(process.argv.slice(2), (opts) => (opts.flood ? runFlood(opts) : runThroughput(opts)))
