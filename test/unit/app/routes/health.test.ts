import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SERVICE_UNAVAILABLE_RETRY_AFTER_S } from '#src/app/responses.js'
import { healthRoutes, READY_WAIT_MS } from '#src/app/routes/health/health.index.js'
import type { Clock } from '#src/lib/clock.js'
import { StoreUnavailableError } from '#src/store/errors.js'
import { failingStore } from '../../../support/app.js'

const setup = (backgroundWork: boolean) => {
  let now = 1_000_000
  const clock: Clock = { now: () => now }
  let pings = 0
  let up = true
  let hold: Promise<void> | undefined
  const store = {
    async ping() {
      pings++
      await hold
      if (!up) throw new StoreUnavailableError('down')
    },
  }
  const app = healthRoutes({ store, clock, backgroundWork })
  return {
    ready: async () => (await app.request('/readyz')).status,
    readyz: () => app.request('/readyz'),
    pings: () => pings,
    advance: (ms: number) => {
      now += ms
    },
    down: () => {
      up = false
    },
    freeze: () => {
      let release = () => {}
      hold = new Promise((r) => {
        release = r
      })
      return release
    },
    thaw: () => {
      hold = undefined
    },
  }
}

describe('/readyz', () => {
  for (const backgroundWork of [true, false]) {
    it(`pings the database at most once a second, and the first probe after an outage says so (backgroundWork ${backgroundWork})`, async () => {
      const h = setup(backgroundWork)
      for (let i = 0; i < 10; i++) assert.equal(await h.ready(), 200)
      assert.equal(h.pings(), 1)
      h.down()
      h.advance(1001)
      // Never the last ping's "ready" once it is a second old: this probe waits on a new ping.
      const first = await h.readyz()
      assert.equal(first.status, 503)
      assert.equal(first.headers.get('retry-after'), String(SERVICE_UNAVAILABLE_RETRY_AFTER_S))
      assert.equal(await h.ready(), 503)
      assert.equal(h.pings(), 2)
    })

    it(`answers 503 within its wait while a ping to a frozen database hangs (backgroundWork ${backgroundWork})`, async () => {
      const h = setup(backgroundWork)
      assert.equal(await h.ready(), 200)
      const release = h.freeze()
      h.advance(1001)
      const started = Date.now()
      assert.equal(await h.ready(), 503)
      const waited = Date.now() - started
      assert.ok(waited >= READY_WAIT_MS - 20 && waited < READY_WAIT_MS + 400, `waited ${waited} ms`)
      assert.equal(h.pings(), 2)
      if (backgroundWork) {
        // One ping at a time: later probes answer from the wait that is over, at once.
        const again = Date.now()
        assert.equal(await h.ready(), 503)
        assert.ok(Date.now() - again < 100)
        assert.equal(h.pings(), 2)
      }
      // The database answers again: ready as soon as a ping says so.
      release()
      await new Promise((r) => setTimeout(r, 10))
      h.thaw()
      assert.equal(await h.ready(), 200)
    })
  }

  it('answers 503 with Retry-After and a store that fails every call', async () => {
    const app = healthRoutes({
      store: failingStore(() => new StoreUnavailableError('connect ECONNREFUSED')),
      clock: { now: () => 0 },
      backgroundWork: true,
    })
    const res = await app.request('/readyz')
    assert.equal(res.status, 503)
    assert.deepEqual(await res.json(), { error: 'Service Unavailable' })
    assert.match(res.headers.get('retry-after') ?? '', /^[1-5]$/)
  })
})
