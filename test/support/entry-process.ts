import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort, waitForPort } from './ferretdb.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export type Runtime = 'node' | 'bun'

/** How each runtime starts its entry: Node runs the compiled build, as `npm start` does. */
const COMMANDS: Record<Runtime, { cmd: string; args: string[] }> = {
  node: { cmd: process.execPath, args: ['dist/entry/node.js'] },
  bun: { cmd: `${ROOT}node_modules/.bin/bun`, args: ['src/entry/bun.ts'] },
}

export interface EntryProcess {
  baseUrl: string
  child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts a real server process of one runtime on a free loopback port. */
export const startEntry = async (runtime: Runtime, env: Record<string, string>): Promise<EntryProcess> => {
  const port = await freePort()
  const { cmd, args } = COMMANDS[runtime]
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    await waitForPort(
      port,
      20_000,
      `${runtime} entry`,
      () => child.exitCode === null && child.signalCode === null,
    )
  } catch (e) {
    if (child.exitCode !== null)
      throw new Error(`${runtime} entry exited with ${child.exitCode} before listening\n${out}`)
    child.kill('SIGKILL')
    throw new Error(`${(e as Error).message}\n${out}`)
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
