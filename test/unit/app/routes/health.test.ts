import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { healthRoutes } from '#src/app/routes/health/health.index.js'
import type { Clock } from '#src/lib/clock.js'
import { StoreUnavailableError } from '#src/store/errors.js'

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
  }
}

describe('/readyz', () => {
  for (const backgroundWork of [true, false]) {
    it(`pings the database at most once a second (backgroundWork ${backgroundWork})`, async () => {
      const h = setup(backgroundWork)
      for (let i = 0; i < 10; i++) assert.equal(await h.ready(), 200)
      assert.equal(h.pings(), 1)
      h.down()
      h.advance(1001)
      // At most one more ping; the outage shows at once inline, or on the next request in the background.
      await h.ready()
      assert.equal(await h.ready(), 503)
      assert.equal(h.pings(), 2)
    })
  }

  it('serves the known state while a ping to a frozen database hangs', async () => {
    const h = setup(true)
    assert.equal(await h.ready(), 200)
    const release = h.freeze()
    h.advance(1001)
    const started = Date.now()
    assert.equal(await h.ready(), 200)
    assert.equal(await h.ready(), 200)
    assert.ok(Date.now() - started < 500)
    assert.equal(h.pings(), 2)
    release()
  })
})
