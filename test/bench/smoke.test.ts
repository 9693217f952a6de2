import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Report {
  results: Array<{ target: string; scenario: string; ok: boolean; statuses: Record<string, number> }>
  explain: { filter: string }
}

// The benchmark itself, every scenario for about a second on a small collection, so it never rots.
test('npm run bench -- --smoke: every server starts and answers every scenario right', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'holodule-bench-smoke-'))
  const out = join(dir, 'smoke.json')
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 290_000,
    })
    assert.equal(run.status, 0, `bench --smoke failed:\n${run.stdout}\n${run.stderr}`)
    const report = JSON.parse(readFileSync(out, 'utf8')) as Report
    const seen = report.results.map((r) => `${r.target}/${r.scenario}`)
    for (const expected of [
      'hono-hello-node/hello',
      'hono-hello-bun/hello',
      'hono-hello-node/payload',
      'hono-hello-bun/payload',
      'app-node/hot',
      'app-node/hot-304',
      'app-node/spread',
      'app-node/401',
      'app-node/auth',
      'app-bun/hot',
      'app-bun/spread',
      'app-bun/401',
      'app-bun/auth',
      'fastify-node/hot',
      'fastify-node/401',
    ]) {
      assert.ok(seen.includes(expected), `no result for ${expected}`)
    }
    assert.ok(report.results.every((r) => r.ok))
    assert.ok(
      (report.results.find((r) => r.target === 'app-node' && r.scenario === '401')?.statuses['401'] ?? 0) > 0,
    )
    assert.match(run.stdout, /explain of the spread query/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
