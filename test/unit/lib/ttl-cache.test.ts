import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Clock } from '#src/lib/clock.js'
import { createTtlCache } from '#src/lib/ttl-cache.js'

const manualClock = (start = 1_000_000): Clock & { advance(ms: number): void } => {
  let now = start
  return {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
  }
}

const deferred = <T>() => {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('TtlCache', () => {
  it('single-flight: concurrent misses for one key make one store call and share its value', async () => {
    const cache = createTtlCache<string, string>({ ttlMs: 5000, clock: manualClock() })
    const gate = deferred<string>()
    let calls = 0
    const load = () => {
      calls++
      return gate.promise
    }
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get('20201209', load)))
    gate.resolve('day')
    assert.deepEqual(await all, Array(20).fill('day'))
    assert.equal(calls, 1)
    // Another key is its own flight.
    assert.equal(await cache.get('20201210', async () => 'other'), 'other')
  })

  it('serves from memory until the TTL passes on the injected clock, then loads again', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, number>({ ttlMs: 5000, clock })
    let calls = 0
    const load = async () => ++calls
    assert.equal(await cache.get('k', load), 1)
    clock.advance(3749)
    assert.equal(await cache.get('k', load), 1)
    assert.equal(calls, 1)
    clock.advance(1251)
    assert.equal(await cache.get('k', load), 2)
    assert.equal(calls, 2)
  })

  it('from 3/4 of the TTL on, a hit is served at once and renews the value in the background, once', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 5000, clock })
    await cache.get('k', async () => 'v1')
    clock.advance(3749)
    assert.equal(await cache.get('k', async () => 'early'), 'v1')
    clock.advance(1)
    const gate = deferred<string>()
    let calls = 0
    const slow = () => {
      calls++
      return gate.promise
    }
    assert.equal(await cache.get('k', slow), 'v1')
    assert.equal(await cache.get('k', slow), 'v1')
    assert.equal(calls, 1)
    gate.resolve('v2')
    await gate.promise
    assert.equal(await cache.get('k', slow), 'v2')
    assert.equal(calls, 1)
  })

  it('without a stale window, never serves past the TTL: an expired key waits for the store', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 2000, clock })
    await cache.get('k', async () => 'old')
    clock.advance(2000)
    assert.equal(await cache.get('k', async () => 'new'), 'new')
  })

  it('with a stale window, serves the old value past the TTL while one refresh runs, then the new', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 5000, staleMs: 5000, clock })
    await cache.get('k', async () => 'old')
    clock.advance(6000)
    const gate = deferred<string>()
    let calls = 0
    const slow = () => {
      calls++
      return gate.promise
    }
    assert.equal(await cache.get('k', slow), 'old')
    assert.equal(await cache.get('k', slow), 'old')
    gate.resolve('new')
    await gate.promise
    assert.equal(await cache.get('k', slow), 'new')
    assert.equal(calls, 1)
    // Past TTL + stale window, a request waits for the store.
    clock.advance(10_000)
    assert.equal(await cache.get('k', async () => 'newest'), 'newest')
  })

  it('a background refresh that fails keeps nothing bad: past the window the next request sees the error', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 1000, staleMs: 1000, clock })
    await cache.get('k', async () => 'v')
    clock.advance(1500)
    assert.equal(
      await cache.get('k', async () => {
        throw new Error('down')
      }),
      'v',
    )
    await new Promise((r) => setImmediate(r))
    clock.advance(1000)
    await assert.rejects(
      cache.get('k', async () => {
        throw new Error('down')
      }),
      /down/,
    )
  })

  it('never keeps a failure: the next request asks again, and waiters of the failed flight all see it', async () => {
    const cache = createTtlCache<string, string>({ ttlMs: 5000, clock: manualClock() })
    const gate = deferred<string>()
    let calls = 0
    const failing = () => {
      calls++
      return gate.promise
    }
    const a = cache.get('k', failing)
    const b = cache.get('k', failing)
    gate.reject(new Error('down'))
    await assert.rejects(a, /down/)
    await assert.rejects(b, /down/)
    assert.equal(await cache.get('k', async () => 'back'), 'back')
    assert.equal(calls, 1)
  })

  it('does not keep values that are not cacheable (an empty day), but still shares the flight', async () => {
    const cache = createTtlCache<string, string | null>({
      ttlMs: 5000,
      clock: manualClock(),
      cacheable: (v) => v !== null,
    })
    let calls = 0
    const load = async () => {
      calls++
      return null
    }
    await Promise.all([cache.get('k', load), cache.get('k', load)])
    assert.equal(calls, 1)
    await cache.get('k', load)
    assert.equal(calls, 2)
    assert.equal(cache.size, 0)
  })

  it('TTL 0 disables it: every get calls the store', async () => {
    const cache = createTtlCache<string, number>({ ttlMs: 0, clock: manualClock() })
    let calls = 0
    await Promise.all([cache.get('k', async () => ++calls), cache.get('k', async () => ++calls)])
    await cache.get('k', async () => ++calls)
    assert.equal(calls, 3)
  })

  it('holds at most maxEntries, dropping the oldest', async () => {
    const cache = createTtlCache<number, number>({ ttlMs: 60_000, clock: manualClock(), maxEntries: 3 })
    for (const k of [1, 2, 3, 4]) await cache.get(k, async () => k)
    assert.equal(cache.size, 3)
    let reloaded = false
    await cache.get(1, async () => {
      reloaded = true
      return 1
    })
    assert.ok(reloaded, 'the oldest entry was dropped')
  })

  it('without background work (workerd) never starts a refresh no request awaits, nor serves stale', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 4000, staleMs: 4000, clock, background: false })
    let calls = 0
    const load = async () => `v${++calls}`
    assert.equal(await cache.get('k', load), 'v1')
    clock.advance(3900)
    assert.equal(await cache.get('k', load), 'v1')
    assert.equal(calls, 1, 'no refresh-ahead')
    clock.advance(200)
    assert.equal(await cache.get('k', load), 'v2', 'past the TTL: loaded inline, not served stale')
    assert.equal(calls, 2)
  })
})

describe('TtlCache bounds and forgetting', () => {
  const sized = (maxBytes: number, maxEntries = 100) =>
    createTtlCache<string, string>({
      ttlMs: 60_000,
      clock: manualClock(),
      maxEntries,
      maxBytes,
      sizeOf: (v) => v.length,
    })

  it('holds at most maxBytes as sizeOf counts them, dropping the oldest until a new value fits', async () => {
    const cache = sized(10)
    for (const [k, v] of [
      ['a', 'xxxx'],
      ['b', 'yyyy'],
      ['c', 'zz'],
    ])
      await cache.get(k as string, async () => v as string)
    assert.deepEqual([cache.size, cache.bytes], [3, 10])
    await cache.get('d', async () => 'wwwwww')
    // a and b (the oldest) made room for d's 6 bytes; c stays.
    assert.deepEqual([cache.size, cache.bytes], [2, 8])
    let loads = 0
    await cache.get('c', async () => `${++loads}`)
    await cache.get('a', async () => `${++loads}`)
    assert.equal(loads, 1, 'c was kept, a was dropped')
  })

  it('keeps no value larger than the whole bound, and still shares its flight', async () => {
    const cache = sized(4)
    const gate = deferred<string>()
    let calls = 0
    const load = () => {
      calls++
      return gate.promise
    }
    const both = Promise.all([cache.get('k', load), cache.get('k', load)])
    gate.resolve('too long')
    assert.deepEqual(await both, ['too long', 'too long'])
    assert.deepEqual([calls, cache.size, cache.bytes], [1, 0, 0])
  })

  it('counts a replaced value once, and frees the bytes of what delete, expiry and clear drop', async () => {
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 1000, clock, sizeOf: (v) => v.length })
    await cache.get('a', async () => 'aaa')
    await cache.get('b', async () => 'bb')
    assert.equal(cache.bytes, 5)
    cache.delete('a')
    assert.equal(cache.bytes, 2)
    clock.advance(1000)
    await cache.get('b', async () => 'bbbb')
    assert.deepEqual([cache.size, cache.bytes], [1, 4])
    cache.clear()
    assert.deepEqual([cache.size, cache.bytes], [0, 0])
  })

  it('entries and bytes bound together: whichever is reached first drops the oldest', async () => {
    const cache = sized(1000, 2)
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => k)
    assert.deepEqual([cache.size, cache.bytes], [2, 2])
  })

  it('delete and clear forget a load in flight: its value (maybe older than a write) is not kept', async () => {
    const cache = sized(100)
    for (const forget of [() => cache.delete('k'), () => cache.clear()]) {
      const gate = deferred<string>()
      const before = cache.get('k', () => gate.promise)
      forget()
      // A request after the write does not join the old flight: it loads anew.
      assert.equal(await cache.get('k', async () => 'after'), 'after')
      gate.resolve('before')
      assert.equal(await before, 'before')
      assert.equal(await cache.get('k', async () => 'unused'), 'after')
      cache.clear()
    }
  })
  it('deleteWhere forgets the kept values it matches (their bytes too) and every load in flight', async () => {
    const cache = sized(100)
    for (const [k, v] of [
      ['a', 'x1'],
      ['b', 'y22'],
      ['c', 'x333'],
    ])
      await cache.get(k as string, async () => v as string)
    const gate = deferred<string>()
    const inFlight = cache.get('d', () => gate.promise)
    cache.deleteWhere((value, key) => value.startsWith('x') || key === 'nothing')
    assert.deepEqual([cache.size, cache.bytes], [1, 3])
    gate.resolve('x4')
    assert.equal(await inFlight, 'x4')
    let loads = 0
    for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, async () => `${++loads}`)
    assert.equal(loads, 3, 'a, c and the flight of d were forgotten; b was kept')
  })
})

describe('TtlCache onLookup', () => {
  it('says hit for a kept value, miss for a load (its own or one in flight), miss with ttl 0', async () => {
    const seen: string[] = []
    const clock = manualClock()
    const cache = createTtlCache<string, string>({ ttlMs: 1000, clock, onLookup: (r) => seen.push(r) })
    const gate = deferred<string>()
    const first = cache.get('k', () => gate.promise)
    const joined = cache.get('k', () => gate.promise)
    gate.resolve('v')
    await Promise.all([first, joined])
    await cache.get('k', async () => 'unused')
    clock.advance(1000)
    await cache.get('k', async () => 'again')
    assert.deepEqual(seen, ['miss', 'miss', 'hit', 'miss'])
    const off: string[] = []
    const passThrough = createTtlCache<string, string>({ ttlMs: 0, clock, onLookup: (r) => off.push(r) })
    await passThrough.get('k', async () => 'v')
    assert.deepEqual(off, ['miss'])
  })
})
