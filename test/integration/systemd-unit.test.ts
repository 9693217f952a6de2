import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { REPO_ROOT } from '#harness/server-process.js'
import { DEFAULT_LIMITS } from '#src/config/limits.js'
import { DRAIN_BOUND_MS } from '#src/runtime/node/shutdown.js'

const UNIT = join(REPO_ROOT, 'deploy', 'systemd', 'holodule-api.service')
const INSTALLED_AT = '/opt/holodule-api'

interface Run {
  code: number
  stdout: string
  stderr: string
}

const systemdAnalyze = (args: string[]): Promise<Run> =>
  new Promise((resolve, reject) => {
    execFile('systemd-analyze', args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT')
        reject(
          new Error('systemd-analyze is missing: apt-get install systemd (scripts/test-deps.sh does it)'),
        )
      else resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr })
    })
  })

/** `Key=value` lines of the unit, every occurrence. */
const settings = (unit: string, key: string): string[] =>
  [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1] as string)

/**
 * The unit as shipped, checked by systemd itself. verify insists that ExecStart's program exists, so
 * a copy points at this checkout and this Node; everything else is the file as written.
 */
describe('deploy/systemd/holodule-api.service', () => {
  const unit = readFileSync(UNIT, 'utf8')
  let dir: string
  let copy: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'holodule-unit-'))
    const envFile = join(dir, 'env')
    writeFileSync(envFile, 'JWT_SECRET_KEY=unit-test-secret-0123456789abcdef0123\n', { mode: 0o600 })
    copy = join(dir, 'holodule-api.service')
    writeFileSync(
      copy,
      unit
        .replaceAll(INSTALLED_AT, REPO_ROOT.replace(/\/$/, ''))
        .replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `)
        .replace('EnvironmentFile=/etc/holodule-api/env', `EnvironmentFile=${envFile}`),
    )
  })
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('passes systemd-analyze verify without a warning', async () => {
    const run = await systemdAnalyze(['verify', copy])
    assert.equal(run.code, 0, run.stderr)
    // Unknown or misspelt keys are only warnings, with exit 0: none is allowed.
    assert.equal(run.stderr.trim(), '', run.stderr)
  })

  it("keeps systemd-analyze security's exposure low (sandboxing a Node server tolerates)", async () => {
    const run = await systemdAnalyze(['security', '--offline=yes', copy])
    const level = /Overall exposure level for .*: (\d+\.\d+)/.exec(run.stdout)?.[1]
    assert.ok(level, run.stdout + run.stderr)
    assert.ok(Number(level) <= 2.5, `exposure ${level}:\n${run.stdout}`)
  })

  it('runs the built server directly, in the checkout it names', () => {
    assert.deepEqual(settings(unit, 'ExecStart'), [`/usr/bin/node ${INSTALLED_AT}/dist/entry/node.js`])
    assert.deepEqual(settings(unit, 'WorkingDirectory'), [INSTALLED_AT])
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'entry', 'node.js')), 'npm run build first')
  })

  it('is configured by its EnvironmentFile alone, WORKERS=auto, behind one proxy', () => {
    assert.deepEqual(settings(unit, 'EnvironmentFile'), ['/etc/holodule-api/env'])
    const defaults = settings(unit, 'Environment').join(' ').split(/\s+/)
    for (const want of ['WORKERS=auto', 'ENV_FILE=off', 'TRUST_PROXY=1', 'HOST=127.0.0.1'])
      assert.ok(defaults.includes(want), `Environment= lacks ${want}`)
  })

  it('stops within the drain bound, restarts on failure, and does not wait for MongoDB', () => {
    const stopSec = Number(/^(\d+)s?$/.exec(settings(unit, 'TimeoutStopSec')[0] ?? '')?.[1])
    // The shutdown grace (SHUTDOWN_GRACE_MS's default), then the drain bound.
    const bound = DEFAULT_LIMITS.shutdownGraceMs + DRAIN_BOUND_MS
    assert.ok(stopSec * 1000 > bound, `TimeoutStopSec ${stopSec} s is within the grace and drain bound`)
    assert.deepEqual(settings(unit, 'KillMode'), ['mixed'])
    assert.deepEqual(settings(unit, 'Restart'), ['on-failure'])
    for (const hard of ['Requires', 'BindsTo', 'Requisite'])
      assert.deepEqual(settings(unit, hard), [], `${hard}= would tie the service to MongoDB`)
  })
})
