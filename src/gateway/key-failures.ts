/**
 * Wrong API keys counted per client address (issue 19, item 3: they were neither limited nor
 * logged). Past `limit` wrong keys within `windowMs`, an address's wrong keys are answered 429 with
 * Retry-After until its window ends. A right key is always served: the documented deployment puts a
 * reverse proxy or a tunnel in front of the gateway, so many clients share one peer address, and a
 * limit that refused the right key too would let anyone who reaches the gateway cut the Worker off
 * with a few wrong keys. Guessing is not what this stops (a key is 32 or more of 66 characters,
 * about 193 bits): it makes a scanner visible in the log and answers it with a status that says stop.
 */
export interface KeyFailureLimits {
  /** Wrong keys an address may present per window before they are answered 429. */
  limit: number
  windowMs: number
  /** Addresses remembered at once: past it the oldest window is forgotten (bounded memory). */
  maxAddresses: number
}

export const KEY_FAILURE_LIMITS: KeyFailureLimits = { limit: 10, windowMs: 60_000, maxAddresses: 10_000 }

interface Window {
  failures: number
  endsAt: number
}

/** What one more wrong key from an address is: its count, and seconds to wait when over the limit. */
export interface KeyFailure {
  failures: number
  /** Set when this wrong key is over the limit: whole seconds until the window ends. */
  retryAfter?: number
  /** True for the first wrong key over the limit in this window: the one worth a warning. */
  firstLimited: boolean
}

export const createKeyFailureCounter = (limits: KeyFailureLimits = KEY_FAILURE_LIMITS) => {
  const windows = new Map<string, Window>()

  const forgetOld = (now: number) => {
    for (const [address, w] of windows) if (w.endsAt <= now) windows.delete(address)
    // Still full of live windows: the oldest (first inserted) goes.
    while (windows.size >= limits.maxAddresses) {
      const oldest = windows.keys().next().value
      if (oldest === undefined) break
      windows.delete(oldest)
    }
  }

  return {
    /** Counts a wrong key from `address` at `now` (ms). */
    fail(address: string, now: number): KeyFailure {
      let w = windows.get(address)
      if (!w || w.endsAt <= now) {
        if (w) windows.delete(address)
        else if (windows.size >= limits.maxAddresses) forgetOld(now)
        w = { failures: 0, endsAt: now + limits.windowMs }
        windows.set(address, w)
      }
      w.failures++
      if (w.failures <= limits.limit) return { failures: w.failures, firstLimited: false }
      return {
        failures: w.failures,
        retryAfter: Math.max(1, Math.ceil((w.endsAt - now) / 1000)),
        firstLimited: w.failures === limits.limit + 1,
      }
    },
  }
}

export type KeyFailureCounter = ReturnType<typeof createKeyFailureCounter>
