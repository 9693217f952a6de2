import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createLoginThrottle, type ThrottlePolicy } from '#src/auth/login-throttle.js'
import { memoryLoginLimiters } from '#src/store/login-limiters.js'

const policy: ThrottlePolicy = {
  maxConsecutiveFails: 3,
  maxFailsPerAddress: 5,
  maxInflightPerAddress: 2,
  queueTimeoutMs: 1000,
  hashConcurrency: 2,
  throttledDelayMs: 0,
}
const throttle = (p: ThrottlePolicy = policy) => createLoginThrottle(memoryLoginLimiters(p), p)
const wrong = async () => ({ ok: false })
const right = async () => ({ ok: true })
const BENCH_NAME = 'legit'

describe('login throttle', () => {
  it('blocks a (user, address) after its consecutive failures, without running the check', async () => {
    const t = throttle()
    for (let i = 0; i < 3; i++) assert.equal((await t.attempt('u', 'a', wrong)).kind, 'done')
    let checks = 0
    const r = await t.attempt('u', 'a', async () => {
      checks++
      return { ok: true }
    })
    assert.equal(r.kind, 'throttled')
    assert.equal(checks, 0)
    if (r.kind === 'throttled') assert.ok(r.retryAfter >= 1 && r.retryAfter <= 60, String(r.retryAfter))
    // The same user from another address, and another user from this one, still get their checks.
    assert.equal((await t.attempt('u', 'b', right)).kind, 'done')
    assert.equal((await t.attempt('v', 'a', right)).kind, 'done')
  })

  it('a success resets the consecutive count', async () => {
    const t = throttle()
    for (let i = 0; i < 2; i++) await t.attempt('u', 'a', wrong)
    await t.attempt('u', 'a', right)
    for (let i = 0; i < 2; i++) await t.attempt('u', 'a', wrong)
    assert.equal((await t.attempt('u', 'a', right)).kind, 'done')
  })

  it('blocks an address after its failures of the day, whatever the user names', async () => {
    const t = throttle()
    for (let i = 0; i < 5; i++) await t.attempt(`user${i}`, 'a', wrong)
    const r = await t.attempt('fresh', 'a', right)
    assert.equal(r.kind, 'throttled')
    if (r.kind === 'throttled') assert.ok(r.retryAfter > 3600)
    assert.equal((await t.attempt('fresh', 'b', right)).kind, 'done')
  })

  it('lets an address have at most maxInflightPerAddress checks running', async () => {
    const t = throttle({ ...policy, hashConcurrency: 4 })
    let release = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    const slow = async () => {
      await held
      return { ok: false }
    }
    const first = [t.attempt('u1', 'a', slow), t.attempt('u2', 'a', slow)]
    await new Promise((r) => setTimeout(r, 10))
    assert.equal((await t.attempt('u3', 'a', right)).kind, 'throttled')
    assert.equal((await t.attempt('u3', 'b', right)).kind, 'done')
    release()
    await Promise.all(first)
    assert.equal((await t.attempt('u3', 'a', right)).kind, 'done')
  })

  it("answers a suspect address busy at once when the suspects' queue would wait past its bound", async () => {
    const t = throttle({ ...policy, hashConcurrency: 1, queueTimeoutMs: 50, maxInflightPerAddress: 10 })
    // Both addresses have a failure counted: they share the suspects' part.
    for (const a of ['a1', 'a2']) await t.attempt('x', a, wrong)
    let release = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    const slow = async () => {
      await held
      return { ok: true }
    }
    const running = t.attempt('u1', 'a1', slow)
    await new Promise((r) => setTimeout(r, 10))
    // The mean check is taken as 100 ms before any has finished: one waiting would pass 50 ms.
    const r = await t.attempt('u2', 'a2', right)
    assert.equal(r.kind, 'busy')
    if (r.kind === 'busy') assert.equal(r.retryAfter, 1)
    release()
    await running
  })
  it("keeps a clean slot free for other addresses: a second check at once of one address is a suspect's", async () => {
    const t = throttle({ ...policy, hashConcurrency: 2, maxInflightPerAddress: 2 })
    const gates: Array<() => void> = []
    const priorities: string[] = []
    const slowOfA = async (priority: string) => {
      priorities.push(priority)
      await new Promise<void>((r) => gates.push(r))
      return { ok: false }
    }
    const flood = [t.attempt('u1', 'a', slowOfA), t.attempt('u2', 'a', slowOfA)]
    await new Promise((r) => setTimeout(r, 10))
    // Two in flight for `a`: one in a clean slot, the other in the suspects' one, at low priority.
    assert.equal(gates.length, 2)
    assert.deepEqual(priorities, ['normal', 'low'])
    // Another client starts at once, though `a` keeps two attempts in flight.
    let started = false
    const other = await t.attempt('v', 'b', async () => {
      started = true
      return { ok: true }
    })
    assert.equal(other.kind, 'done')
    assert.ok(started)
    for (const open of gates) open()
    await Promise.all(flood)
  })
  it('answers a known block from memory: no store query per attempt once blocked', async () => {
    const base = memoryLoginLimiters(policy)
    let gets = 0
    const counting = <L extends { get: (key: string) => Promise<unknown> }>(l: L): L => ({
      ...l,
      get: (key: string) => {
        gets++
        return l.get(key)
      },
    })
    const t = createLoginThrottle(
      { ...base, consecutive: counting(base.consecutive), perAddress: counting(base.perAddress) },
      policy,
    )
    for (let i = 0; i < 5; i++) await t.attempt(`user${i}`, 'a', wrong)
    const first = await t.attempt('fresh', 'a', right)
    assert.equal(first.kind, 'throttled')
    const seen = gets
    for (let i = 0; i < 20; i++) {
      const r = await t.attempt(`other${i}`, 'a', right)
      assert.equal(r.kind, 'throttled')
      // The real remaining block, not the memo's recheck time.
      if (r.kind === 'throttled') assert.ok(r.retryAfter > 3600, String(r.retryAfter))
    }
    assert.equal(gets, seen)
    // Another address still asks the store, and logs in.
    assert.equal((await t.attempt('fresh', 'b', right)).kind, 'done')
    assert.ok(gets > seen)
  })

  it('asks the store again once a remembered block is due for its recheck, and still answers its block', async () => {
    const base = memoryLoginLimiters(policy)
    let gets = 0
    const counting = <L extends { get: (key: string) => Promise<unknown> }>(l: L): L => ({
      ...l,
      get: (key: string) => {
        gets++
        return l.get(key)
      },
    })
    let now = 1_000_000
    const t = createLoginThrottle(
      { ...base, consecutive: counting(base.consecutive), perAddress: counting(base.perAddress) },
      policy,
      { now: () => now },
    )
    for (let i = 0; i < 5; i++) await t.attempt(`user${i}`, 'a', wrong)
    assert.equal((await t.attempt('fresh', 'a', right)).kind, 'throttled')
    const seen = gets
    now += 9_999
    assert.equal((await t.attempt('fresh', 'a', right)).kind, 'throttled')
    assert.equal(gets, seen, 'still answered from memory')
    now += 1
    const r = await t.attempt('fresh', 'a', right)
    assert.equal(r.kind, 'throttled')
    if (r.kind === 'throttled') assert.ok(r.retryAfter > 3600, String(r.retryAfter))
    assert.equal(gets, seen + 2, 'both counters read again')
    // Remembered again from that answer.
    assert.equal((await t.attempt('fresh', 'a', right)).kind, 'throttled')
    assert.equal(gets, seen + 2)
  })

  it('tells the check `low` once the address has failures counted or a check running, `normal` otherwise', async () => {
    const t = throttle()
    const seen: string[] = []
    const saw = (ok: boolean) => async (priority: string) => {
      seen.push(priority)
      return { ok }
    }
    await t.attempt('u', 'a', saw(false))
    await t.attempt('v', 'a', saw(true))
    await t.attempt('u', 'b', saw(true))
    // A success resets the consecutive count of (v, a), not the address's failures of the day.
    await t.attempt('v', 'a', saw(true))
    assert.deepEqual(seen, ['normal', 'low', 'normal', 'low'])
    // A fresh address with one check running: the next one at once is low.
    const priorities: string[] = []
    let open = () => {}
    const gate = new Promise<void>((r) => {
      open = r
    })
    const held = (priority: string) => {
      priorities.push(priority)
      return gate.then(() => ({ ok: true }))
    }
    const both = [t.attempt('w', 'c', held), t.attempt('x', 'c', held)]
    await new Promise((r) => setTimeout(r, 10))
    open()
    await Promise.all(both)
    assert.deepEqual(priorities.sort(), ['low', 'normal'])
  })

  it('holds a throttled answer half to all of throttledDelayMs, never past its Retry-After, without holding a check slot', async () => {
    const t = throttle({ ...policy, maxInflightPerAddress: 1, throttledDelayMs: 600 })
    for (let i = 0; i < 3; i++) await t.attempt('u', 'a', wrong)
    const started = Date.now()
    const held = t.attempt('u', 'a', right)
    // While `u`'s 429 is held, the address's one in-flight slot is free for another name.
    await new Promise((r) => setTimeout(r, 50))
    assert.equal((await t.attempt('v', 'a', right)).kind, 'done')
    const r = await held
    assert.equal(r.kind, 'throttled')
    const took = Date.now() - started
    assert.ok(took >= 290 && took < 1000, `answered after ${took} ms`)
    // A hold longer than the Retry-After is cut to it: the in-flight 429 says 1 s.
    const long = throttle({ ...policy, maxInflightPerAddress: 1, throttledDelayMs: 5000 })
    let open = () => {}
    const running = long.attempt(
      'u',
      'a',
      () => new Promise<{ ok: boolean }>((r) => (open = () => r({ ok: true }))),
    )
    const before = Date.now()
    const inflight = await long.attempt('v', 'a', right)
    assert.deepEqual(inflight, { kind: 'throttled', retryAfter: 1 })
    const waited = Date.now() - before
    assert.ok(waited >= 490 && waited < 1500, `held ${waited} ms`)
    open()
    await running
  })

  it("starts a clean address's check at once while 32 suspect addresses fill their part; they get busy (issue 19, item 1)", async () => {
    const now = 1_000_000
    const p = { ...policy, maxFailsPerAddress: 100, queueTimeoutMs: 200 }
    const t = createLoginThrottle(memoryLoginLimiters(p), p, { now: () => now })
    const flooders = Array.from({ length: 32 }, (_, i) => `127.0.1.${i + 1}`)
    // One failure each: every flooding address now has a failure counted.
    for (const [i, a] of flooders.entries())
      assert.equal((await t.attempt(`name${i}`, a, wrong)).kind, 'done')
    const gates: Array<() => void> = []
    const held = () => new Promise<{ ok: boolean }>((r) => gates.push(() => r({ ok: false })))
    const flood = flooders.flatMap((a, i) => [t.attempt(`rot${i}`, a, held), t.attempt(`rot${i}b`, a, held)])
    await new Promise((r) => setTimeout(r, 20))
    // The suspects' one slot runs one check; the rest wait (two) or are refused.
    assert.equal(gates.length, 1)
    let started = false
    const clean = await t.attempt(BENCH_NAME, '127.0.0.2', async () => {
      started = true
      return { ok: true }
    })
    assert.ok(started)
    assert.equal(clean.kind, 'done')
    while (gates.length > 0) {
      gates.shift()?.()
      await new Promise((r) => setTimeout(r, 5))
    }
    const kinds = (await Promise.all(flood)).map((r) => r.kind)
    assert.equal(kinds.filter((k) => k === 'done').length, 3)
    assert.equal(kinds.filter((k) => k === 'busy').length, 61)
  })

  it('limits guessing at one user name across addresses without locking its owner out (issue 19, item 1)', async () => {
    // Account limit 6 (twice maxConsecutiveFails 3).
    const t = throttle()
    assert.equal((await t.attempt('victim', 'home', right)).kind, 'done')
    await t.attempt('victim', 'home', wrong)
    let hashed = 0
    const guess = async () => {
      hashed++
      return { ok: false }
    }
    // Guessers with failures counted (one each at another name first): with home's one failure,
    // 5 more at victim are hashed.
    const guessers = Array.from({ length: 5 }, (_, i) => `10.0.0.${i + 1}`)
    for (const a of guessers) await t.attempt('someone', a, wrong)
    for (const a of guessers) assert.equal((await t.attempt('victim', a, guess)).kind, 'done')
    assert.equal(hashed, 5)
    // Past the limit (1 from home + 6): suspect addresses get 429 without a hash, for up to the hour.
    for (const a of guessers) {
      const r = await t.attempt('victim', a, guess)
      assert.equal(r.kind, 'throttled')
      if (r.kind === 'throttled') assert.ok(r.retryAfter > 60 && r.retryAfter <= 3600, String(r.retryAfter))
    }
    assert.equal(hashed, 5)
    // Other user names from those addresses are not held by victim's limit.
    assert.equal((await t.attempt('other', '10.0.0.1', right)).kind, 'done')
    // The owner: from home (it logged in there before, and has a failure counted there) ...
    assert.equal((await t.attempt('victim', 'home', right)).kind, 'done')
    // ... and from any clean address.
    assert.equal((await t.attempt('victim', 'cafe', right)).kind, 'done')
  })

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4 (issue 19, item 1)', async () => {
    const t = throttle()
    // Five failures from five addresses of one /64: the /64 has its day's five.
    for (let i = 1; i <= 5; i++) await t.attempt(`u${i}`, `2001:db8:0:1::${i}`, wrong)
    assert.equal((await t.attempt('v', '2001:db8:0:1:ffff::9', right)).kind, 'throttled')
    assert.equal((await t.attempt('v', '2001:db8:0:2::1', right)).kind, 'done')
    for (let i = 1; i <= 5; i++) await t.attempt(`w${i}`, '198.51.100.7', wrong)
    assert.equal((await t.attempt('v', '::ffff:198.51.100.7', right)).kind, 'throttled')
  })
})
