import { join } from 'node:path'
import { freePort } from '#harness/ferretdb.js'
import { type ProcessRuntime, REPO_ROOT, type ServerProcess, startServer } from '#harness/server-process.js'

/** How each runtime starts its entry: Node runs the compiled build, as `npm start` does. */
const COMMANDS: Record<ProcessRuntime, { command: string; args: string[] }> = {
  node: { command: process.execPath, args: ['dist/entry/node.js'] },
  bun: { command: join(REPO_ROOT, 'node_modules', '.bin', 'bun'), args: ['src/entry/bun.ts'] },
}

export interface EntryProcess extends ServerProcess {
  baseUrl: string
  /** Sends one signal and resolves with the exit code (no SIGKILL follow-up: shutdown is under test). */
  signal(signal: NodeJS.Signals): Promise<number | null>
}

/** Starts the Node or Bun entry as a real server process on a free loopback port. */
export const startEntry = async (
  runtime: ProcessRuntime,
  env: Record<string, string>,
): Promise<EntryProcess> => {
  const port = await freePort()
  const proc = await startServer({
    what: `the ${runtime} entry`,
    ...COMMANDS[runtime],
    // ENV_FILE=off: neither runtime reads a .env of the checkout; the test's environment is the whole
    // one (a test that is about .env sets ENV_FILE itself).
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ENV_FILE: 'off',
      // No shutdown grace unless a test asks for one (connections.test.ts): stop() would wait it out.
      SHUTDOWN_GRACE_MS: '0',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    port,
    timeoutMs: 20_000,
  })
  const exited = new Promise<number | null>((resolve) => {
    if (proc.child.exitCode !== null) resolve(proc.child.exitCode)
    else proc.child.once('exit', (code) => resolve(code))
  })
  return {
    ...proc,
    baseUrl: `http://127.0.0.1:${port}`,
    signal: async (signal) => {
      if (proc.child.exitCode === null) proc.child.kill(signal)
      return exited
    },
  }
}
