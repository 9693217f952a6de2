import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createHashQueue, type HashLane, type HashQueue } from '#src/auth/hash-queue.js'

/** A clock that moves only when told. */
const manualClock = () => {
  let t = 0
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

/** Lets queued starts and finished checks settle: promise jobs only, no timers. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}

/**
 * Checks run through `queue`, each held until its gate is opened: `started` lists them as their
 * check begins, so a test sees exactly which ran, in which order, without timing anything.
 */
const harness = (queue: HashQueue) => {
  const started: string[] = []
  const gates = new Map<string, () => void>()
  const run = (name: string, address: string, lane: HashLane = 'clean') =>
    queue.run(address, lane, async () => {
      started.push(name)
      await new Promise<void>((open) => gates.set(name, open))
      return name
    })
  const finish = async (name: string) => {
    const open = gates.get(name)
    assert.ok(open, `${name} is not running`)
    open()
    await settle()
  }
  return { started, run, finish }
}

describe('hash queue', () => {
  it('runs a check at once when a slot is free, and answers its value', async () => {
    const queue = createHashQueue({ concurrency: 2, timeoutMs: 1000 })
    assert.deepEqual(await queue.run('a', 'clean', async () => 42), { value: 42 })
    assert.deepEqual(await queue.run('a', 'suspect', async () => 43), { value: 43 })
  })

  it('runs at most concurrency - 1 checks of one address at once, leaving a slot for another', async () => {
    const h = harness(createHashQueue({ concurrency: 3, timeoutMs: 1000 }))
    const a = [h.run('a1', 'a'), h.run('a2', 'a'), h.run('a3', 'a')]
    await settle()
    // A slot is still free, yet `a` has its two: its third waits.
    assert.deepEqual(h.started, ['a1', 'a2'])
    const b = h.run('b1', 'b')
    await settle()
    assert.deepEqual(h.started, ['a1', 'a2', 'b1'])
    // One of a's ends: its own waiter takes the slot, never a third of a's at once.
    await h.finish('a1')
    assert.deepEqual(h.started, ['a1', 'a2', 'b1', 'a3'])
    for (const name of ['a2', 'a3', 'b1']) await h.finish(name)
    assert.deepEqual(
      await Promise.all([...a, b]),
      ['a1', 'a2', 'a3', 'b1'].map((value) => ({ value })),
    )
  })

  it('gives one address the only slot when concurrency is 1', async () => {
    const h = harness(createHashQueue({ concurrency: 1, timeoutMs: 1000 }))
    const a = h.run('a1', 'a')
    await settle()
    assert.deepEqual(h.started, ['a1'])
    await h.finish('a1')
    assert.deepEqual(await a, { value: 'a1' })
  })

  it('never queues an address with nothing running behind a flooding address: it starts at once', async () => {
    const h = harness(createHashQueue({ concurrency: 2, timeoutMs: 1000 }))
    const flood = ['f1', 'f2', 'f3', 'f4'].map((name) => h.run(name, 'flood'))
    await settle()
    assert.deepEqual(h.started, ['f1'])
    // The flood's three waiters came first; a client of its own still starts at once.
    const clean = h.run('c1', 'clean')
    await settle()
    assert.deepEqual(h.started, ['f1', 'c1'])
    await h.finish('c1')
    await h.finish('f1')
    await h.finish('f2')
    await h.finish('f3')
    await h.finish('f4')
    assert.deepEqual(h.started, ['f1', 'c1', 'f2', 'f3', 'f4'])
    await Promise.all([...flood, clean])
  })

  it('hands a freed slot to a waiter under its share before older waiters of an address at its share', async () => {
    const h = harness(createHashQueue({ concurrency: 2, timeoutMs: 1000 }))
    const runs = [h.run('f1', 'flood'), h.run('f2', 'flood'), h.run('f3', 'flood'), h.run('b1', 'b')]
    await settle()
    assert.deepEqual(h.started, ['f1', 'b1'])
    // Both slots taken: `c` waits, behind the flood's two waiters.
    runs.push(h.run('c1', 'c'))
    await settle()
    assert.deepEqual(h.started, ['f1', 'b1'])
    // b's slot frees: the flood already has its share, so `c`, the youngest waiter, starts.
    await h.finish('b1')
    assert.deepEqual(h.started, ['f1', 'b1', 'c1'])
    for (const name of ['c1', 'f1', 'f2', 'f3']) await h.finish(name)
    assert.deepEqual(h.started, ['f1', 'b1', 'c1', 'f2', 'f3'])
    await Promise.all(runs)
  })

  it('hands a finished slot to the waiter, not to an address arriving as it finishes', async () => {
    const h = harness(createHashQueue({ concurrency: 1, timeoutMs: 1000 }))
    const first = h.run('a1', 'a')
    const waiter = h.run('b1', 'b')
    // c1 arrives the moment a1's run answers: the slot is already b1's.
    const late = first.then(() => h.run('c1', 'c'))
    await settle()
    await h.finish('a1')
    assert.deepEqual(h.started, ['a1', 'b1'])
    await h.finish('b1')
    assert.deepEqual(h.started, ['a1', 'b1', 'c1'])
    await h.finish('c1')
    await Promise.all([first, waiter, late])
  })

  it('refuses a suspect check at once, without running it, when the predicted wait passes the bound', async () => {
    // Suspects get half of four slots. Four waiters of two slots at a first guess of 100 ms a
    // check: 200 ms; a fifth would make 300.
    const queue = createHashQueue({ concurrency: 4, timeoutMs: 250 })
    const h = harness(queue)
    const runs = ['a', 'b', 'c', 'd', 'e', 'f'].map((address) => h.run(address, address, 'suspect'))
    await settle()
    assert.deepEqual(h.started, ['a', 'b'])
    assert.equal(queue.suspectRefusal(), 300)
    let ran = false
    const refused = await queue.run('g', 'suspect', async () => {
      ran = true
      return 'g'
    })
    assert.deepEqual(refused, { waitMs: 300 })
    assert.equal(ran, false)
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await h.finish(name)
    await Promise.all(runs)
  })

  it('predicts a wait from the checks it timed, so faster checks let more wait', async () => {
    const clock = manualClock()
    const queue = createHashQueue({ concurrency: 1, timeoutMs: 50, clock })
    const h = harness(queue)
    const busy = async () => {
      const running = h.run('x', 'x', 'suspect')
      await settle()
      const outcome = await queue.run('y', 'suspect', async () => 'y')
      await h.finish('x')
      await running
      return outcome
    }
    // Before any check is timed, one waiter is predicted 100 ms: past 50.
    assert.deepEqual(await busy(), { waitMs: 100 })
    // Ten checks of 5 ms bring the mean to ~16 ms (it leans 20% toward each check's time).
    for (let i = 0; i < 10; i++) {
      await queue.run('t', 'suspect', async () => {
        clock.advance(5)
        return i
      })
    }
    const running = h.run('x2', 'x', 'suspect')
    await settle()
    const waiting = queue.run('y', 'suspect', async () => 'y')
    await settle()
    await h.finish('x2')
    assert.deepEqual(await waiting, { value: 'y' })
    await running
  })

  it('gives the slot back when a check throws', async () => {
    const queue = createHashQueue({ concurrency: 1, timeoutMs: 1000 })
    for (const lane of ['clean', 'suspect'] as const) {
      await assert.rejects(
        queue.run('a', lane, async () => {
          throw new Error('hash failed')
        }),
        /hash failed/,
      )
      assert.deepEqual(await queue.run('a', lane, async () => 'again'), { value: 'again' })
    }
  })

  it('starts a clean check at once while suspect addresses fill their part, and never refuses it (issue 19, item 1)', async () => {
    // A bound that lets two suspects wait: 32 flooding addresses fill the suspects' one slot and
    // its queue, and the rest are refused.
    const queue = createHashQueue({ concurrency: 2, timeoutMs: 200 })
    const h = harness(queue)
    const flood = Array.from({ length: 32 }, (_, i) => h.run(`s${i}`, `127.0.1.${i + 1}`, 'suspect'))
    await settle()
    assert.deepEqual(h.started, ['s0'])
    const outcomes = await Promise.all(flood.slice(3))
    assert.ok(outcomes.every((o) => 'waitMs' in o))
    // Clean addresses have the whole of their own slots: two start at once, beside the flood.
    const c1 = h.run('c1', '127.0.0.2')
    const c2 = h.run('c2', '127.0.0.4')
    await settle()
    assert.deepEqual(h.started, ['s0', 'c1', 'c2'])
    // A third clean one waits for a clean slot (never refused), not behind the suspects' waiters,
    // and a suspect's finished slot is not its: it goes to the next suspect.
    const c3 = h.run('c3', '127.0.0.5')
    await settle()
    await h.finish('s0')
    assert.deepEqual(h.started, ['s0', 'c1', 'c2', 's1'])
    await h.finish('c1')
    assert.deepEqual(h.started, ['s0', 'c1', 'c2', 's1', 'c3'])
    for (const name of ['c2', 'c3', 's1', 's2']) await h.finish(name)
    assert.deepEqual(await c3, { value: 'c3' })
    await Promise.all([c1, c2, ...flood.slice(0, 3)])
    assert.equal(queue.suspectRefusal(), 0)
  })

  it("runs one check of a suspect address at a time, so one suspect cannot fill the suspects' part", async () => {
    const h = harness(createHashQueue({ concurrency: 4, timeoutMs: 1000 }))
    const runs = [h.run('a1', 'a', 'suspect'), h.run('a2', 'a', 'suspect'), h.run('b1', 'b', 'suspect')]
    await settle()
    assert.deepEqual(h.started, ['a1', 'b1'])
    for (const name of ['a1', 'b1', 'a2']) await h.finish(name)
    await Promise.all(runs)
  })

  it('serves clean waiters newest address first, so a login is not held behind a volley of fresh addresses, for up to a minute', async () => {
    const clock = manualClock()
    const h = harness(createHashQueue({ concurrency: 2, timeoutMs: 1000, clock }))
    const runs = [h.run('x1', 'x'), h.run('y1', 'y')]
    // A botnet's first volley: one clean attempt from each of five fresh addresses, then a user.
    for (let i = 1; i <= 5; i++) runs.push(h.run(`v${i}`, `127.0.1.${i}`))
    runs.push(h.run('legit', '127.0.0.2'))
    await settle()
    await h.finish('x1')
    assert.deepEqual(h.started, ['x1', 'y1', 'legit'])
    // Past the aging bound the oldest waiter goes first again: none waits much past a minute.
    clock.advance(60_000)
    await h.finish('y1')
    assert.deepEqual(h.started, ['x1', 'y1', 'legit', 'v1'])
    for (let i = 2; i < 8; i++) await h.finish(h.started[i] as string)
    assert.deepEqual(h.started.slice(4), ['v2', 'v3', 'v4', 'v5'])
    await Promise.all(runs)
  })

  it('keeps a clean slot for addresses that logged in before, once one has come back; fresh ones share the rest', async () => {
    const h = harness(createHashQueue({ concurrency: 2, timeoutMs: 1000 }))
    // Before any returning address: fresh clean addresses take both slots, as before.
    const before = [h.run('f1', 'f'), h.run('g1', 'g')]
    await settle()
    assert.deepEqual(h.started, ['f1', 'g1'])
    await h.finish('f1')
    await h.finish('g1')
    const first = h.run('t1', 'returning', 'trusted')
    await settle()
    await h.finish('t1')
    // A volley of fresh addresses (a botnet's first attempts) now gets one slot, not both...
    const volley = ['a', 'b', 'c'].map((a) => h.run(`${a}1`, a))
    await settle()
    assert.deepEqual(h.started.slice(3), ['a1'])
    // ...so a returning address starts at once instead of waiting for a slot (it waited before).
    const back = h.run('t2', 'returning', 'trusted')
    await settle()
    assert.deepEqual(h.started.slice(3), ['a1', 't2'])
    for (const name of ['a1', 't2']) await h.finish(name)
    assert.deepEqual(h.started.slice(3), ['a1', 't2', 'c1'])
    await h.finish('c1')
    await h.finish('b1')
    await Promise.all([...before, first, ...volley, back])
  })
})
