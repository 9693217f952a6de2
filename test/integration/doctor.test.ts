import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'
import { REPO_ROOT } from '#harness/server-process.js'

test('npm run doctor names every tool, what it is for and how to install it, and passes here', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/doctor.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  })
  for (const name of [
    'node',
    'node24',
    'bun',
    'wrangler',
    'python3-jwt',
    'ferretdb',
    'go',
    'curl',
    'wrk',
    'nginx',
    'openssl',
    'systemd-analyze',
    'chromium',
  ]) {
    assert.match(out, new RegExp(`^(ok|absent|MISSING) +${name.replace('-', '\\-')} `, 'm'), name)
  }
  // This machine runs npm test, so nothing it needs is missing.
  assert.doesNotMatch(out, /^MISSING/m)
  assert.match(out, /npm test can run here/)
})
