import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { node24Binary } from '#harness/node24.js'
import { wrkBinary } from '../../bench/lib/wrk.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Report {
  results: Array<{
    target: string
    scenario: string
    tool: string
    ok: boolean
    requests: number
    statuses: Record<string, number>
  }>
  explain: { filter: string }
  targets: Array<{ name: string; met: boolean | null }>
}

const onNode24 = process.versions.node.startsWith('24.')

// The benchmark itself, every scenario for about a second on a small collection, so it never rots.
test('npm run bench -- --smoke: every server starts and answers every scenario right', {
  timeout: 300_000,
}, () => {
  // npm test installs both (scripts/test-deps.sh); without them the bench would quietly measure less.
  assert.ok(
    wrkBinary(),
    'wrk is not installed: apt-get install wrk (bash scripts/test-deps.sh does it as root)',
  )
  assert.ok(
    onNode24 || node24Binary(),
    'Node 24 is not installed: bash scripts/test-deps.sh installs it into ~/.cache/holodule/node24',
  )
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
      // The hot day's bytes with the app's headers, taken from the app's answer at the start.
      'hono-hello-node/mirror',
      'hono-hello-bun/mirror',
      'app-node/hot',
      'app-node/hot-304',
      'app-node/spread',
      'app-node/401',
      'app-node/auth',
      'app-bun/hot',
      'app-bun/spread',
      'app-bun/401',
      'app-bun/auth',
      'fastify-cached-node/hot',
      'fastify-cached-node/401',
      // The third generation's /schedules week on the 2024 layout (--smoke: the machine's Node only).
      'app-node-2024/schedules-week',
      // Node 24 next to the machine's Node, unless this is Node 24.
      ...(onNode24
        ? []
        : [
            'hono-hello-node24/hello',
            'hono-hello-node24/mirror',
            'app-node24/hot',
            'app-node24/401',
            'fastify-cached-node24/hot',
          ]),
    ]) {
      assert.ok(seen.includes(expected), `no result for ${expected}`)
    }
    assert.ok(report.results.every((r) => r.ok))
    // wrk drove every scenario, and counted every status: the 401s are 401s.
    for (const r of report.results) assert.equal(r.tool, 'wrk', `${r.target}/${r.scenario} ran on ${r.tool}`)
    const row = (target: string, scenario: string) =>
      report.results.find((r) => r.target === target && r.scenario === scenario)
    assert.ok((row('app-node', '401')?.statuses['401'] ?? 0) > 0)
    assert.deepEqual(Object.keys(row('app-node', 'hot-304')?.statuses ?? {}), ['304'])
    // The peer caches the hot day as the app does, so it answers it (uncached it answered nothing).
    assert.ok(
      (row('fastify-cached-node', 'hot')?.statuses['200'] ?? 0) > 0,
      'the Fastify peer answered no hot GET',
    )
    // The mirror's check compared its bytes and headers with the app's answer; its ratio is printed.
    assert.ok((row('hono-hello-node', 'mirror')?.statuses['200'] ?? 0) > 0)
    assert.match(run.stderr, /the hot day's answer from app-node: \d+ bytes, \d+ headers \(.*x-request-id/)
    assert.match(run.stdout, /hot GET on node\d+ >= 0\.8 x the mirror/)
    assert.match(run.stdout, /explain of the spread query/)
    assert.match(run.stdout, /explain of the \/schedules week query, 2024 layout/)
    // A smoke run checks answers, not speed: it says so, judges no target, and says it passed.
    assert.match(run.stdout, /^targets: not judged in a --smoke run/m)
    assert.doesNotMatch(run.stdout, /^\s+(MISS|met)\s/m)
    assert.ok(report.targets.length > 0 && report.targets.every((t) => t.met === null))
    assert.match(run.stdout, /^smoke: PASS: every server started and answered all \d+ scenarios right$/m)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
