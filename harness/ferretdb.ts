import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const CACHE_BIN = join(process.env.HOLODULE_CACHE ?? join(homedir(), '.cache', 'holodule'), 'bin', 'ferretdb')
const BUILD_SCRIPT = fileURLToPath(new URL('../scripts/build-ferretdb.sh', import.meta.url))

export interface MongoServer {
  uri: string
  /** Kills the server process (the data folder stays), to test the 503 path. */
  stop(): Promise<void>
  /** Starts it again on the same port and data. */
  start(): Promise<void>
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })

/** Polls until something listens; gives up early once `alive` says the process is gone. */
export const waitForPort = async (
  port: number,
  timeoutMs: number,
  what: string,
  alive: () => boolean = () => true,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what} exited before listening on 127.0.0.1:${port}`)
    if (await canConnect(port)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`)
}

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((p) => existsSync(p))

/** FERRETDB_BIN, then the cache, then PATH; builds into the cache when none exists. */
export const ferretdbBinary = (): string => {
  const found = [process.env.FERRETDB_BIN, CACHE_BIN, onPath('ferretdb')].find((p) => p && existsSync(p))
  if (found) return found
  try {
    execFileSync('bash', [BUILD_SCRIPT, CACHE_BIN], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 600_000,
    })
  } catch {
    throw new Error(
      'FerretDB is needed for the database tests and could not be built. Install Go (/usr/local/go) and run ' +
        '`bash scripts/build-ferretdb.sh`, or set MONGODB_URI to a MongoDB-compatible server.',
    )
  }
  return CACHE_BIN
}

/**
 * A MongoDB-compatible server for one test file: FerretDB v1 on SQLite in a temporary folder on a
 * free loopback port, telemetry off. With MONGODB_URI set, that server is used instead (and
 * stop/start are unavailable).
 */
export const startMongo = async (): Promise<MongoServer> => {
  if (process.env.MONGODB_URI) {
    const uri = process.env.MONGODB_URI
    const unsupported = async () => {
      throw new Error('stop/start need the FerretDB the harness starts; unset MONGODB_URI')
    }
    return { uri, stop: unsupported, start: unsupported, dispose: async () => {} }
  }
  const bin = ferretdbBinary()
  const dir = mkdtempSync(join(tmpdir(), 'holodule-ferretdb-'))
  const port = await freePort()
  let child: ChildProcess | undefined

  const start = async () => {
    const proc = spawn(
      bin,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${dir}/`,
        `--state-dir=${dir}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      { env: { ...process.env, DO_NOT_TRACK: '1' }, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let stderr = ''
    proc.stderr?.on('data', (d) => {
      stderr = (stderr + d).slice(-4000)
    })
    child = proc
    try {
      await waitForPort(port, 15_000, 'FerretDB', () => proc.exitCode === null && proc.signalCode === null)
    } catch (e) {
      proc.kill('SIGKILL')
      throw new Error(`${(e as Error).message}\n${stderr}`)
    }
  }
  const stop = async () => {
    const proc = child
    // Killed by stop() already: signalCode is set and exitCode stays null; no second 'exit' comes.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise((r) => proc.once('exit', r))
    proc.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    stop,
    start,
    dispose: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
