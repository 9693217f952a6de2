import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freePort } from '#harness/ferretdb.js'
import { wranglerCommand } from '#harness/node24.js'
import { REPO_ROOT, type ServerProcess, startServer } from '#harness/server-process.js'

/**
 * The password verifier inside workerd (`wrangler dev`), with the Worker's flags (nodejs_als, no
 * nodejs_compat: bcryptjs's optional node:crypto is left out of the bundle): no threads there, so
 * bcryptjs runs inline. A Worker of its own, so that no database is needed.
 */
const WORKER = `
import { createPasswordVerifier, parseBcrypt } from ${JSON.stringify(join(REPO_ROOT, 'src/auth/password.ts'))}
// Floors below the cost-4 vectors (the production floor is cost 10): the bcrypt itself is tested.
const verifier = createPasswordVerifier(1000, 'reject', undefined, { pbkdf2Iterations: 1, bcryptCost: 4 })
export default {
  async fetch(request) {
    const { password, stored } = await request.json()
    // Only the parse (no hash) when asked: the baseline of a request's round trip.
    if (password === null) return Response.json({ parsed: parseBcrypt(stored) !== null })
    return Response.json(await verifier.verify(password, stored))
  },
}
`

/** passlib's, as in test/unit/auth/password.test.ts: 'pw' at its default ($2b$, cost 12), 'pässword01' at cost 4. */
const COST_12 = '$2b$12$1ZclX8iM/KGqx.xk.oPGDeN13jVOwnCqI7FZoopFEgFucXQ4JOG2y'
const IDENTS = {
  '2a': '$2a$04$WM0wv9YbkCPcNwpn.DxzI.LBRYJAdlFeNf6f4Vh5slzHHHDxmMcgO',
  '2y': '$2y$04$lMllfvalHlkk.g/tdOaV2Of0E7ctrQGmDwm7MxCtakTv8GDPqUm1y',
}

describe('bcrypt inside workerd', () => {
  let server: ServerProcess | undefined
  let port = 0
  const cwd = mkdtempSync(join(tmpdir(), 'holodule-workerd-bcrypt-'))

  before(async () => {
    writeFileSync(join(cwd, 'worker.mjs'), WORKER)
    port = await freePort()
    const wrangler = wranglerCommand()
    server = await startServer({
      what: 'a bcrypt Worker under wrangler dev',
      command: wrangler.command,
      cwd,
      args: [
        ...wrangler.args,
        'dev',
        join(cwd, 'worker.mjs'),
        '--name',
        'holodule-bcrypt',
        '--compatibility-date',
        '2026-04-26',
        '--compatibility-flags',
        'nodejs_als',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--inspector-port',
        String(await freePort()),
        '--log-level',
        'warn',
        '--show-interactive-dev-session=false',
      ],
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        CI: 'true',
      },
      port,
      timeoutMs: 60_000,
    })
  })

  after(async () => {
    await server?.stop()
    rmSync(cwd, { recursive: true, force: true })
  })

  const verify = async (password: string | null, stored: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: JSON.stringify({ password, stored }),
    })
    assert.equal(res.status, 200, server?.output())
    return res.json()
  }

  it("verifies passlib's hashes of each ident, never asking for a rehash, and refuses wrong passwords", async () => {
    assert.deepEqual(await verify('pw', COST_12), { ok: true, rehash: false })
    assert.deepEqual(await verify('pW', COST_12), { ok: false })
    for (const stored of Object.values(IDENTS)) {
      assert.deepEqual(await verify('pässword01', stored), { ok: true, rehash: false }, stored)
      assert.deepEqual(await verify('pässword0', stored), { ok: false }, stored)
    }
  })

  it('costs this much per cost-12 check (median of 5, less a round trip without a hash)', async (t) => {
    const median = async (f: () => Promise<unknown>) => {
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const start = performance.now()
        await f()
        times.push(performance.now() - start)
      }
      return times.sort((a, b) => a - b)[2] as number
    }
    const base = await median(() => verify(null, COST_12))
    const check = await median(() => verify('pw', COST_12))
    t.diagnostic(`workerd: bcrypt cost 12, median of 5: ${(check - base).toFixed(0)} ms`)
    assert.ok(check > base)
  })
})
