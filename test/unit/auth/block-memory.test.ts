import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createBlockMemory } from '#src/auth/block-memory.js'

/** A clock that moves only when told. */
const manualClock = (start = 1_000_000) => {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('block memory', () => {
  it('knows nothing of a key it was not told', () => {
    assert.equal(createBlockMemory({ clock: manualClock() }).remaining('a'), 0)
  })

  it('answers a remembered block with its real remainder until the recheck time, then forgets it', () => {
    const clock = manualClock()
    const memory = createBlockMemory({ clock })
    memory.remember('a', 3_600_000)
    assert.equal(memory.remaining('a'), 3_600_000)
    clock.advance(9_999)
    // The block's own remainder (for Retry-After), not the 1 ms left before the recheck.
    assert.equal(memory.remaining('a'), 3_590_001)
    clock.advance(1)
    // Ten seconds on, the store must be asked again (a block lifted there is seen).
    assert.equal(memory.remaining('a'), 0)
    clock.advance(-5_000)
    assert.equal(memory.remaining('a'), 0, 'forgotten, not just hidden')
  })

  it('a block shorter than the recheck time ends with the block', () => {
    const clock = manualClock()
    const memory = createBlockMemory({ clock })
    memory.remember('u', 2_500)
    clock.advance(2_499)
    assert.equal(memory.remaining('u'), 1)
    clock.advance(1)
    assert.equal(memory.remaining('u'), 0)
  })

  it('keeps keys apart, and takes a later block of a key in place of the earlier one', () => {
    const clock = manualClock()
    const memory = createBlockMemory({ clock })
    memory.remember('a', 60_000)
    memory.remember('b', 120_000)
    assert.equal(memory.remaining('a'), 60_000)
    assert.equal(memory.remaining('b'), 120_000)
    memory.remember('a', 5_000)
    assert.equal(memory.remaining('a'), 5_000)
  })

  it('remembers no block of zero or less: it takes no room from a real one', () => {
    const memory = createBlockMemory({ clock: manualClock(), maxEntries: 1 })
    memory.remember('blocked', 60_000)
    memory.remember('a', 0)
    memory.remember('b', -10)
    assert.equal(memory.remaining('a'), 0)
    assert.equal(memory.remaining('b'), 0)
    assert.equal(memory.remaining('blocked'), 60_000)
  })

  it('honours a recheck time of its own', () => {
    const clock = manualClock()
    const memory = createBlockMemory({ clock, recheckMs: 100 })
    memory.remember('a', 60_000)
    clock.advance(99)
    assert.equal(memory.remaining('a'), 59_901)
    clock.advance(1)
    assert.equal(memory.remaining('a'), 0)
  })

  it('stays bounded: when full, the oldest block goes first', () => {
    const memory = createBlockMemory({ clock: manualClock(), maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd']) memory.remember(key, 60_000)
    assert.equal(memory.remaining('a'), 0)
    for (const key of ['b', 'c', 'd']) assert.equal(memory.remaining(key), 60_000, key)
  })
})
