import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { wranglerCommand } from '#harness/node24.js'
import { WORKER_FLAGS } from '#harness/runtimes.js'
import { REPO_ROOT } from '#harness/server-process.js'

const run = promisify(execFile)

describe('the Worker bundle', () => {
  it('builds with wrangler and does not contain the mongodb driver', async () => {
    const out = mkdtempSync(join(tmpdir(), 'holodule-worker-bundle-'))
    // wrangler 4.x needs Node >= 22.12: Node 24 from the cache when this Node is older.
    const wrangler = wranglerCommand()
    try {
      const { stdout } = await run(
        wrangler.command,
        [
          ...wrangler.args,
          'deploy',
          '--dry-run',
          '--outdir',
          out,
          'src/entry/worker.ts',
          '--name',
          'holodule-api',
          '--compatibility-date',
          '2026-04-26',
          ...WORKER_FLAGS,
        ],
        { cwd: REPO_ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, timeout: 120_000 },
      )
      assert.match(stdout, /Total Upload: [\d.]+ KiB/)
      const bundle = readFileSync(join(out, 'worker.js'), 'utf8')
      // Driver internals that would appear if any import pulled it in.
      for (const marker of [
        'class MongoClient',
        'MongoServerSelectionError',
        'node_modules/mongodb/',
        'bson/lib',
      ]) {
        assert.ok(!bundle.includes(marker), `the bundle contains ${marker}`)
      }
      assert.ok(bundle.includes('Data API'), 'the bundle should hold the DataApiStore')
      assert.ok(bundle.length < 2_000_000, `bundle is ${bundle.length} bytes`)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
