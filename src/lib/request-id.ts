/**
 * Request ids for requests that bring none: a random per-process prefix and a counter, shaped like
 * a UUID (36 hex digits and dashes, as log tooling and the Worker tests expect). Unique within the
 * process by the counter and across processes by the 96 random bits of the prefix, for a fraction
 * of `crypto.randomUUID()`'s cost, which draws random bytes for every request.
 */
export const createRequestIds = (): (() => string) => {
  const prefix = crypto.randomUUID().slice(0, 24)
  let n = 0
  return () => {
    n = (n + 1) % 0x1_0000_0000_0000
    return prefix + n.toString(16).padStart(12, '0')
  }
}
