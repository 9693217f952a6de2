import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface FloodReport {
  results: Array<{
    target: string
    problem?: string
    unexpected5xx: number
    legit?: { count: number; statuses: Record<string, number> }
    reads?: { count: number }
    newToken?: { count: number }
    flood?: { requests: number; throttled429: number; busy503: number }
    guesses?: { sent: number; hashed: number }
  }>
}

// The login flood for 2.5 s on Node and Bun (one process each), from one address and from 32
// (the -many rows), so it never rots: it runs, every server starts and keeps answering, nothing
// fails with a 5xx, the throttle engages (429), the many addresses are refused busy while every
// clean login is 200, and guesses at one user are counted. Latency targets are not asserted: they
// are a measurement, and this machine is shared.
test('npm run bench -- --flood --smoke: each target floods, throttles and answers', {
  timeout: 240_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'holodule-flood-smoke-'))
  const out = join(dir, 'flood.json')
  try {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--flood', '--smoke', '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 235_000 },
    )
    assert.equal(run.status, 0, `bench --flood --smoke failed:\n${run.stdout}\n${run.stderr}`)
    const report = JSON.parse(readFileSync(out, 'utf8')) as FloodReport
    for (const target of ['app-node', 'app-bun']) {
      const row = report.results.find((r) => r.target === target)
      assert.ok(row, `no row for ${target}`)
      assert.equal(row.problem, undefined, `${target}: ${row.problem}`)
      assert.equal(row.unexpected5xx, 0, `${target}: unexpected 5xx`)
      assert.ok((row.flood?.throttled429 ?? 0) > 0, `${target}: the flood got no 429`)
      assert.ok((row.reads?.count ?? 0) > 0, `${target}: no read measured`)
      assert.ok((row.legit?.count ?? 0) > 0, `${target}: no legitimate login measured`)
      assert.ok((row.newToken?.count ?? 0) > 0, `${target}: no new token measured`)
      assert.match(run.stdout, new RegExp(`\\| ${target} `))
    }
    for (const target of ['app-node-many', 'app-bun-many']) {
      const row = report.results.find((r) => r.target === target)
      assert.ok(row, `no row for ${target}`)
      assert.equal(row.problem, undefined, `${target}: ${row.problem}`)
      assert.equal(row.unexpected5xx, 0, `${target}: unexpected 5xx`)
      assert.ok((row.flood?.busy503 ?? 0) > 0, `${target}: the many addresses were never refused busy`)
      assert.ok((row.legit?.count ?? 0) > 0, `${target}: no legitimate login measured`)
      assert.deepEqual(
        Object.keys(row.legit?.statuses ?? {}),
        ['200'],
        `${target}: a clean login was refused`,
      )
      assert.equal(row.guesses?.sent, 30, `${target}: guesses at one user not counted`)
      assert.match(run.stdout, new RegExp(`\\| ${target} `))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
