/** The most of a refused body read and dropped so that its 413 reaches the client (nginx reads up to its lingering_time). */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
/** The longest a refused body is read for (nginx's lingering_timeout is 5 s). */
export const DRAIN_LIMIT_MS = 5000

/**
 * Reads and drops what is left of a body answered 413 (up to DRAIN_LIMIT_BYTES or DRAIN_LIMIT_MS),
 * before Bun writes the answer. Bun.serve offers no half-close: it closed a connection whose client
 * was still writing, the kernel reset it, and the 413 was lost in about one run of three (EPIPE;
 * curl with `Expect: 100-continue` saw only the 100) — issue 19, item 5. Node lingers instead
 * (server.ts). A body declared larger than the limit is not read: the client gets what Bun does.
 */
export const drainRefusedBody = async (request: Request): Promise<void> => {
  const body = request.body
  if (!body || request.bodyUsed) return
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > DRAIN_LIMIT_BYTES) return
  const reader = body.getReader()
  let read = 0
  const timer = setTimeout(() => reader.cancel().catch(() => {}), DRAIN_LIMIT_MS)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      read += value.byteLength
      if (read > DRAIN_LIMIT_BYTES) {
        await reader.cancel()
        return
      }
    }
  } catch {
    // The client went away or the timer gave up: nothing more to do.
  } finally {
    clearTimeout(timer)
  }
}
