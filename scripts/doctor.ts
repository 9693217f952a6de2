/**
 * `npm run doctor`: what this machine has of what the project uses, what each is for, and the
 * command that installs what is missing. Exits 1 when something `npm test` needs is missing and
 * cannot be installed by the test command itself (scripts/test-deps.sh).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

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
    found: () => run(bin('wrangler'), ['--version']),
    install: 'npm ci',
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
    purpose: 'a native load generator for benchmarks (optional; the bench uses autocannon)',
    found: () => run('wrk', ['--version']) ?? (existsSync('/usr/bin/wrk') ? '/usr/bin/wrk' : null),
    install: 'apt-get install wrk',
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
    purpose: 'a headless browser for page tests (optional)',
    found: () => run('chromium', ['--version']),
    install: 'apt-get install chromium',
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
// npm test builds FerretDB when Go is there, and installs PyJWT when it runs as root.
if (!have.get('ferretdb') && !have.get('go')) missingRequired = true
if (!have.get('python3-jwt') && process.getuid?.() !== 0) missingRequired = true
for (const deb of ['nginx', 'openssl', 'systemd-analyze'])
  if (!have.get(deb) && process.getuid?.() !== 0) missingRequired = true
const nodeMajor = Number(process.versions.node.split('.')[0])
if (nodeMajor < 22)
  console.log(
    '\nnote: Node 20 reached end of life in April 2026; the project runs on it, users run 22 and 24.',
  )
console.log(
  missingRequired
    ? '\nSomething npm test needs is missing: install it as shown above.'
    : '\nnpm test can run here (it installs python3-jwt and builds FerretDB itself when they are missing).',
)
process.exitCode = missingRequired ? 1 : 0
