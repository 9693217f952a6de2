import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createClient, type Fetch } from '#src/client/client.js'
import {
  AbortedError,
  type AnyHoloduleApiError,
  HoloduleApiError,
  NetworkError,
  TimeoutError,
} from '#src/client/errors.js'

const BASE = 'http://api.test'
const DAY = [{ key: 'HL0503_20201209_230000', datetime: '20201209 230000', title: 't' }]

/** What Node's fetch throws for a refused connection: `fetch failed`, the socket's error as its cause. */
const refused = () => {
  const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
  return new TypeError('fetch failed', { cause: socket })
}

/** A server that never answers, as fetch sees it: pending until the request's signal aborts it. */
const silent: Fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    const signal = init.signal
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
  })

/** A fetch that neither answers nor heeds the signal (a polyfill, a test double). */
const deaf: Fetch = () => new Promise(() => {})

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** Rejects with the call's error; fails when it resolves. */
const failure = async (p: Promise<unknown>): Promise<AnyHoloduleApiError> => {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof HoloduleApiError, `not a HoloduleApiError: ${String(e)}`)
    return e as AnyHoloduleApiError
  }
  assert.fail('resolved')
}

/** The call's error and how long it took, in ms. */
const timed = async (p: Promise<unknown>) => {
  const started = performance.now()
  const e = await failure(p)
  return { e, ms: performance.now() - started }
}

describe('the client when no answer comes', () => {
  it('turns a fetch that rejects into a NetworkError with its cause, on every method', async () => {
    const thrown: unknown[] = []
    const fetch: Fetch = async () => {
      const e = refused()
      thrown.push(e)
      throw e
    }
    const client = createClient({ baseUrl: BASE, fetch, generation: 2, token: 'a.b.c' })
    const calls = [
      () => client.getDay('20201209'),
      () => client.login('user01', 'password01'),
      () => client.listSchedules({ sdate: '2024-01-10' }),
      () => client.getSchedule('656b00000000000000000fff'),
      () => client.listStreamers(),
      () => client.getStreamer('656b00000000000000000fff'),
    ]
    for (const call of calls) {
      const e = await failure(call())
      assert.ok(e instanceof NetworkError)
      assert.equal(e.kind, 'network')
      assert.equal(e.name, 'NetworkError')
      assert.equal(e.status, 0)
      assert.equal(e.body, undefined)
      assert.equal(e.cause, thrown.at(-1), 'the cause is what fetch threw')
      // The message names the request and the socket's error, never only `fetch failed`.
      assert.match(e.message, /^(GET|POST) \/\S+: no answer: fetch failed \(connect ECONNREFUSED/)
    }
  })

  it('turns an answer that breaks off while its body is read into a NetworkError', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    const fetch: Fetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('[{"key":'))
            controller.error(new TypeError('terminated', { cause: reset }))
          },
        }),
        { status: 200 },
      )
    const e = await failure(createClient({ baseUrl: BASE, fetch }).getDay('20201209'))
    assert.ok(e instanceof NetworkError)
    assert.match(e.message, /terminated \(other side closed\)/)
  })

  it('gives up on a server that never answers after timeoutMs, cancelling the request', async () => {
    const signals: AbortSignal[] = []
    const fetch: Fetch = (input, init) => {
      if (init.signal) signals.push(init.signal)
      return silent(input, init)
    }
    const client = createClient({ baseUrl: BASE, fetch, timeoutMs: 100 })
    const { e, ms } = await timed(client.getDay('20201209'))
    assert.ok(e instanceof TimeoutError)
    assert.equal(e.kind, 'timeout')
    assert.equal(e.timeoutMs, 100)
    assert.equal(e.status, 0)
    assert.match(e.message, /^GET \/holodules\/20201209: no answer within 100 ms$/)
    assert.ok(ms >= 90 && ms < 400, `took ${ms} ms`)
    assert.equal(signals[0]?.aborted, true, "the request's signal was aborted")
  })

  it('bounds the call even when fetch ignores its signal, and a call may set its own bound', async () => {
    const client = createClient({ baseUrl: BASE, fetch: deaf, timeoutMs: 60_000 })
    const { e, ms } = await timed(client.getDay('20201209', { timeoutMs: 80 }))
    assert.ok(e instanceof TimeoutError)
    assert.equal(e.timeoutMs, 80)
    assert.ok(ms < 400, `took ${ms} ms`)
    const login = await timed(createClient({ baseUrl: BASE, fetch: deaf, timeoutMs: 80 }).login('u', 'p'))
    assert.ok(login.e instanceof TimeoutError)
    assert.match(login.e.message, /^POST \/auth: no answer within 80 ms$/)
  })

  it('bounds the whole call: a re-login and its retry share the time', async () => {
    let asked = 0
    const fetch: Fetch = async (input, init) => {
      asked++
      const path = new URL(input).pathname
      // The day answers "expired" at once; the login that would renew the token never answers.
      if (path.startsWith('/holodules/')) return json(401, { description: 'Signature has expired' })
      if (path === '/auth' && asked === 1) return json(200, { access_token: 'first' })
      return silent(input, init)
    }
    const client = createClient({ baseUrl: BASE, fetch })
    await client.login('u', 'p')
    const { e, ms } = await timed(client.getDay('20201209', { timeoutMs: 100 }))
    assert.ok(e instanceof TimeoutError, String(e))
    assert.match(e.message, /^login: no answer within 100 ms$/)
    assert.ok(ms < 400, `took ${ms} ms`)
  })

  it('rejects at once with an AbortedError for an aborted signal, sending nothing', async () => {
    let sent = 0
    const fetch: Fetch = async () => {
      sent++
      return json(200, DAY)
    }
    const controller = new AbortController()
    const reason = new Error('the page went away')
    controller.abort(reason)
    const client = createClient({ baseUrl: BASE, fetch })
    const e = await failure(client.getDay('20201209', { signal: controller.signal }))
    assert.ok(e instanceof AbortedError)
    assert.equal(e.kind, 'aborted')
    // fetch's own name for it, so `e.name === 'AbortError'` checks keep working.
    assert.equal(e.name, 'AbortError')
    assert.equal(e.cause, reason)
    assert.equal(sent, 0)
    // Another call, without the signal, is not affected.
    assert.equal((await client.getDay('20201209')).length, 1)
  })

  it('cancels a call in flight when its signal aborts, and every call with the client signal', async () => {
    const controller = new AbortController()
    const client = createClient({ baseUrl: BASE, fetch: silent })
    const pending = timed(client.getDay('20201209', { signal: controller.signal }))
    setTimeout(() => controller.abort(), 30)
    const { e, ms } = await pending
    assert.ok(e instanceof AbortedError)
    assert.equal((e.cause as DOMException).name, 'AbortError')
    assert.ok(ms < 400, `took ${ms} ms`)

    const whole = new AbortController()
    const owned = createClient({ baseUrl: BASE, fetch: deaf, signal: whole.signal, generation: 3 })
    const calls = [owned.getDay('20201209'), owned.listStreamers(), owned.login('u', 'p')].map(failure)
    setTimeout(() => whole.abort(), 30)
    for (const aborted of await Promise.all(calls)) assert.ok(aborted instanceof AbortedError)
    // Later calls of an aborted client reject too.
    assert.ok((await failure(owned.getStreamer('x'))) instanceof AbortedError)
  })

  it("leaves a renewal shared with other calls running when one caller's signal aborts", async () => {
    let release = () => {}
    const renewed = new Promise<void>((r) => {
      release = r
    })
    let logins = 0
    const fetch: Fetch = async (input, init) => {
      if (new URL(input).pathname === '/auth') {
        logins++
        // The first login answers at once; the renewal waits for the test.
        if (logins > 1) await renewed
        return json(200, { access_token: logins === 1 ? 'old' : 'new' })
      }
      const sent = (init.headers as Record<string, string>).Authorization
      return sent === 'JWT new' ? json(200, DAY) : json(401, { description: 'Signature has expired' })
    }
    const client = createClient({ baseUrl: BASE, fetch })
    await client.login('u', 'p')
    const controller = new AbortController()
    const a = failure(client.getDay('20201209', { signal: controller.signal }))
    const b = client.getDay('20201210')
    await new Promise((r) => setTimeout(r, 20))
    controller.abort()
    assert.ok((await a) instanceof AbortedError)
    release()
    assert.equal((await b).length, 1)
    assert.equal(client.token, 'new')
    assert.equal(logins, 2, 'one renewal, shared')
  })

  it('refuses a timeoutMs that is not a positive number', () => {
    for (const timeoutMs of [0, -1, Number.NaN]) {
      assert.throws(() => createClient({ baseUrl: BASE, timeoutMs }), RangeError)
    }
    assert.doesNotThrow(() => createClient({ baseUrl: BASE, timeoutMs: Number.POSITIVE_INFINITY }))
  })
})
