/**
 * The flood of bench/flood/flood.ts runs in a process of its own, so its load does not delay the clients
 * that measure. `startFloodLoad` spawns this file with a LoadSpec; here it runs autocannon
 * (bench/lib/autocannon.ts), prints `ready` once loaded, then the LoadResult as JSON on one line. A 5xx is
 * counted by its description, so the deliberate 503 ("Login is busy") can be told from a failure.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runAutocannon } from '../lib/autocannon.js'
import type { LoadResult, LoadSpec } from '../lib/load-spec.js'
import { serverErrorClass } from './clients.js'
import type { ManyLoadSpec } from './many-load.js'

const SELF = fileURLToPath(import.meta.url)

export interface FloodLoad {
  /** The run's numbers once it is over; rejects when the process fails or outlives `timeoutMs`. */
  result: Promise<LoadResult>
  kill(): void
}

/**
 * Spawns the load (with this process's CPU affinity) and resolves once it is about to start: this
 * file's autocannon run, or another driver that speaks the same way (`script`: many-load.ts).
 */
export const startFloodLoad = (
  spec: Omit<LoadSpec, 'classify'> | ManyLoadSpec,
  timeoutMs: number,
  script = SELF,
): Promise<FloodLoad> =>
  new Promise((ready, failed) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    let out = ''
    let started = false
    const result = new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        kill()
        reject(new Error(`the flood load did not end within ${timeoutMs} ms`))
      }, timeoutMs)
      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (d: string) => {
        out += d
        if (!started && out.startsWith('ready\n')) {
          started = true
          ready({ result, kill })
        }
      })
      child.once('error', reject)
      child.once('exit', (code) => {
        clearTimeout(timer)
        const last = out.trim().split('\n').at(-1) ?? ''
        if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as LoadResult)
        else reject(new Error(`the flood load exited with code ${code}: ${out.slice(-2000)}`))
      })
    })
    result.catch((e: Error) => {
      if (!started) failed(e)
    })
  })

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec
  process.stdout.write('ready\n')
  const result = await runAutocannon({ ...spec, classify: serverErrorClass })
  process.stdout.write(`${JSON.stringify(result)}\n`)
  // autocannon may keep a handle open; the run is over.
  process.exit(0)
}
