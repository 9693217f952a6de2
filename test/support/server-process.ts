import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitForPort } from './ferretdb.js'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface ServerProcess {
  /** Everything it printed so far (stdout and stderr, last 200 kB). */
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code once it is gone. */
  stop(graceMs?: number): Promise<number | null>
  child: ChildProcess
}

/**
 * Starts a server as a real child process in its own process group and waits until it listens
 * on `port`. A server that exits or does not listen in time fails with what it printed.
 */
export const startServer = async (opts: {
  what: string
  command: string
  args: string[]
  env: Record<string, string | undefined>
  port: number
  timeoutMs?: number
}): Promise<ServerProcess> => {
  const child = spawn(opts.command, opts.args, {
    cwd: REPO_ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let out = ''
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
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
    // Helpers the server spawned (workerd under wrangler) go with the group.
    killGroup('SIGKILL')
    return code
  }

  const alive = () => child.exitCode === null && child.signalCode === null && !spawnError
  try {
    await waitForPort(opts.port, opts.timeoutMs ?? 30_000, opts.what, alive)
  } catch (e) {
    if (spawnError) throw new Error(`${opts.what} could not start (${spawnError.message}); run npm ci`)
    const code = child.exitCode
    await stop(500)
    if (code !== null)
      throw new Error(`${opts.what} exited with code ${code} before listening:\n${out.slice(-4000)}`)
    throw new Error(`${(e as Error).message}\n${out.slice(-4000)}`)
  }
  return { output: () => out, stop, child }
}
