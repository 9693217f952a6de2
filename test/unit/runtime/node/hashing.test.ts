import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SCHED_IDLE, SCHED_OTHER, threadsOf } from '#harness/procfs.js'
import { createPasswordVerifier, hashPassword, inlineBcrypt, webCryptoPbkdf2 } from '#src/auth/password.js'
import { createJsonLogger } from '#src/lib/logger.js'
import { prioritizedHasher } from '#src/runtime/node/hashing.js'

const threads = () => threadsOf('self')

const capture = () => {
  const lines: string[] = []
  return { lines, logger: createJsonLogger('debug', (l) => lines.push(l)) }
}

describe('prioritizedHasher (Node and Bun entries)', () => {
  const salt = new Uint8Array(16).fill(7)

  it('derives the same bytes as WebCrypto at either priority', async () => {
    const { logger, lines } = capture()
    const { pbkdf2 } = prioritizedHasher(logger, 2)
    const want = await webCryptoPbkdf2('pässword', salt, 1000, 32, 'normal')
    assert.deepEqual(await pbkdf2('pässword', salt, 1000, 32, 'normal'), want)
    assert.deepEqual(await pbkdf2('pässword', salt, 1000, 32, 'low'), want)
    assert.notDeepEqual(await pbkdf2('other', salt, 1000, 32, 'low'), want)
    assert.deepEqual(lines, [])
  })

  it('runs `normal` checks on `concurrency` threads at nice 5, `low` ones on one SCHED_IDLE thread', async () => {
    const idle = () => threads().filter((t) => t.policy === SCHED_IDLE).length
    const nice5 = () => threads().filter((t) => t.policy === SCHED_OTHER && t.nice === 5).length
    // Counted before the threads exist: each lowers its own priority once it runs.
    const before = { idle: idle(), nice5: nice5() }
    const { logger, lines } = capture()
    const { pbkdf2 } = prioritizedHasher(logger, 2)
    const want = await webCryptoPbkdf2('d', salt, 1000, 32, 'normal')
    const four = await Promise.all(['a', 'b', 'c', 'd'].map((p) => pbkdf2(p, salt, 1000, 32, 'normal')))
    assert.deepEqual(four[3], want)
    // Both normal threads took checks, so both had lowered themselves (a thread one of them starts
    // inherits its priority: at least).
    assert.ok(nice5() >= before.nice5 + 2, `${nice5()} threads at nice 5, ${before.nice5} before`)
    const lows = await Promise.all(['x', 'y', 'd'].map((p) => pbkdf2(p, salt, 1000, 32, 'low')))
    assert.deepEqual(lows[2], want)
    assert.ok(idle() >= before.idle + 1, 'a SCHED_IDLE thread: chrt (util-linux) must be installed')
    assert.deepEqual(lines, [])
    // The thread that answers requests keeps its priority.
    assert.deepEqual({ ...threads()[0], ticks: 0 }, { nice: 0, policy: SCHED_OTHER, ticks: 0 })
  })

  it('computes the same bcrypt as bcryptjs inline at either priority, on the threads', async () => {
    const { logger, lines } = capture()
    const { bcrypt } = prioritizedHasher(logger, 1)
    // passlib's `bcrypt.using(rounds=4, ident='2y').hash('pässword01')`
    const stored = '$2y$04$lMllfvalHlkk.g/tdOaV2Of0E7ctrQGmDwm7MxCtakTv8GDPqUm1y'
    const setting = stored.slice(0, 29)
    assert.equal(await inlineBcrypt('pässword01', setting, 'normal'), stored)
    assert.equal(await bcrypt('pässword01', setting, 'normal'), stored)
    assert.equal(await bcrypt('pässword01', stored, 'low'), stored)
    assert.notEqual(await bcrypt('pässword02', setting, 'low'), stored)
    // Long enough for the tick counts to show where it ran (cost 11: ~130 ms of CPU each).
    const slow = '$2b$11$neiCywqTYIuT/Lk9/quUr.'
    const ticks = () => {
      const [main, ...others] = threads()
      return { main: main?.ticks ?? 0, others: others.reduce((n, t) => n + t.ticks, 0) }
    }
    const before = ticks()
    await Promise.all([bcrypt('a', slow, 'normal'), bcrypt('b', slow, 'low')])
    const after = ticks()
    const used = { main: after.main - before.main, others: after.others - before.others }
    assert.ok(used.others > 2 * used.main, `ticks: ${JSON.stringify(used)}`)
    assert.deepEqual(lines, [])
  })

  it('verifies a stored hash through the password verifier at low priority', async () => {
    // Floors below the fixtures' (cost 4, 1,000 iterations): what is tested is where the hashes run.
    const floors = { pbkdf2Iterations: 1, bcryptCost: 4 }
    const verifier = createPasswordVerifier(1000, 'accept', prioritizedHasher(capture().logger, 2), floors)
    const stored = await hashPassword('password01', 1000)
    assert.deepEqual(await verifier.verify('password01', stored, 'low'), { ok: true, rehash: false })
    assert.deepEqual(await verifier.verify('password02', stored, 'low'), { ok: false })
    const bcrypt = '$2b$04$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq'
    for (const priority of ['normal', 'low'] as const) {
      assert.deepEqual(await verifier.verify('pässword01', bcrypt, priority), { ok: true, rehash: false })
      assert.deepEqual(await verifier.verify('pässword02', bcrypt, priority), { ok: false })
    }
  })
})
