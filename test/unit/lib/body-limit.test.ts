import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Hono } from 'hono'
import { bodyLimit } from '#src/lib/body-limit.js'

/** An app that echoes the body's length under a limit of 16 bytes. */
const app = () =>
  new Hono().post('/', bodyLimit({ maxSize: 16, onError: (c) => c.text('too large', 413) }), async (c) =>
    c.text(String((await c.req.text()).length)),
  )

/** A streamed body of `chunks`, and how many of them were pulled. */
const stream = (chunks: string[]) => {
  let pulled = 0
  // highWaterMark 0: nothing is pulled until somebody reads.
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[pulled++]
        if (next === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(next))
      },
    },
    { highWaterMark: 0 },
  )
  return { body, pulled: () => pulled }
}

const post = (body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}) =>
  app().request('/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit)

describe('bodyLimit', () => {
  it('answers from Content-Length alone: over the limit, onError without touching the body', async () => {
    // On Node, merely asking for `body` makes @hono/node-server build a whole undici Request.
    const req = new Request('http://localhost/', {
      method: 'POST',
      body: 'x'.repeat(20),
      headers: { 'Content-Length': '20' },
    })
    const body = req.body
    let touched = 0
    Object.defineProperty(req, 'body', {
      get() {
        touched++
        return body
      },
    })
    const res = await app().fetch(req)
    assert.equal(res.status, 413)
    assert.equal(await res.text(), 'too large')
    assert.equal(touched, 0)
  })

  it('passes a body within its Content-Length to the handler', async () => {
    const res = await post('x'.repeat(16), { 'Content-Length': '16' })
    assert.equal(res.status, 200)
    assert.equal(await res.text(), '16')
  })

  it('counts a body without a length as it arrives: over the limit is 413, within it passes', async () => {
    const over = await post(stream(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10)]).body)
    assert.equal(over.status, 413)
    const within = await post(stream(['x'.repeat(8), 'x'.repeat(8)]).body)
    assert.equal(within.status, 200)
    assert.equal(await within.text(), '16')
  })

  it('counts a body sent with Transfer-Encoding, whatever Content-Length says', async () => {
    const res = await post(stream(['x'.repeat(10), 'x'.repeat(10)]).body, {
      'Content-Length': '4',
      'Transfer-Encoding': 'chunked',
    })
    assert.equal(res.status, 413)
  })
})
