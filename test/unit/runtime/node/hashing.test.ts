import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SCHED_IDLE, SCHED_OTHER, threadsOf } from '#harness/procfs.js'
import { createPasswordVerifier, hashPassword, webCryptoPbkdf2 } from '#src/auth/password.js'
import { createJsonLogger } from '#src/lib/logger.js'
import { prioritizedPbkdf2 } from '#src/runtime/node/hashing.js'

const threads = () => threadsOf('self')

const capture = () => {
  const lines: string[] = []
  return { lines, logger: createJsonLogger('debug', (l) => lines.push(l)) }
}

describe('prioritizedPbkdf2 (Node and Bun entries)', () => {
  const salt = new Uint8Array(16).fill(7)

  it('derives the same bytes as WebCrypto at either priority', async () => {
    const { logger, lines } = capture()
    const pbkdf2 = prioritizedPbkdf2(logger, 2)
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
    const pbkdf2 = prioritizedPbkdf2(logger, 2)
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

  it('verifies a stored hash through the password verifier at low priority', async () => {
    const verifier = createPasswordVerifier(1000, 'accept', prioritizedPbkdf2(capture().logger, 2))
    const stored = await hashPassword('password01', 1000)
    assert.deepEqual(await verifier.verify('password01', stored, 'low'), { ok: true, rehash: false })
    assert.deepEqual(await verifier.verify('password02', stored, 'low'), { ok: false })
  })
})
