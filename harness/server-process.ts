import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitForPort } from './ferretdb.js'

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))

/** Where the API runs: its Node and Bun entries, and the Worker under wrangler dev (via the gateway, or direct). */
export type Runtime = 'node' | 'bun' | 'worker' | 'worker-direct'
/** The runtimes whose entry is a plain server process. */
export type ProcessRuntime = Extract<Runtime, 'node' | 'bun'>

export interface ServerProcess {
  /** Everything it printed so far (stdout and stderr, last 200 kB). */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once it is gone. */
  stop(graceMs?: number): Promise<number | null>
  child: ChildProcess
}

export interface ServerSpec {
  what: string
  command: string
  args: string[]
  /** The child's whole environment: process.env is not merged in. */
  env: Record<string, string | undefined>
  port: number
  timeoutMs?: number
  /** Also wait, up to 10 s more, until a GET of this path gets any HTTP answer. */
  readyPath?: string
  /** Called once the child exists, before the wait (the bench samples its memory from the start). */
  onSpawn?: (child: ChildProcess) => void
  /** Where it runs; the checkout by default. */
  cwd?: string
}

const collectOutput = (child: ChildProcess): (() => string) => {
  let out = ''
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return () => out
}

/** Polls until a GET of `url` gets any answer; a connection error before the deadline is retried. */
const waitForHttp = async (url: string, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await (await fetch(url)).arrayBuffer()
      return
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no HTTP answer from ${url}: ${(e as Error).message}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

/**
 * Starts a server as a real child process in its own process group and waits until it listens
 * on `port` (and answers `readyPath`, when given). A server that exits or does not listen in time
 * fails with what it printed.
 */
export const startServer = async (spec: ServerSpec): Promise<ServerProcess> => {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd ?? REPO_ROOT,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const output = collectOutput(child)
  let spawnError: Error | undefined
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    // A missing command never starts: no 'exit' comes, only this.
    child.once('error', (e) => {
      spawnError = e
      resolve(null)
    })
  })

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal)
    } catch {
      // Already gone.
    }
  }
  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    killGroup('SIGTERM')
    const timer = setTimeout(() => killGroup('SIGKILL'), graceMs)
    const code = await exited
    clearTimeout(timer)
    // Helpers the server spawned (workerd under wrangler, cluster workers) go with the group.
    killGroup('SIGKILL')
    return code
  }

  spec.onSpawn?.(child)
  const alive = () => child.exitCode === null && child.signalCode === null && !spawnError
  try {
    await waitForPort(spec.port, spec.timeoutMs ?? 30_000, spec.what, alive)
    if (spec.readyPath !== undefined)
      await waitForHttp(`http://127.0.0.1:${spec.port}${spec.readyPath}`, 10_000)
  } catch (e) {
    if (spawnError) throw new Error(`${spec.what} could not start (${spawnError.message}); run npm ci`)
    const code = child.exitCode
    await stop(500)
    if (code !== null)
      throw new Error(`${spec.what} exited with code ${code} before listening:\n${output().slice(-4000)}`)
    throw new Error(`${(e as Error).message}\n${output().slice(-4000)}`)
  }
  return { output, stop, child }
}
