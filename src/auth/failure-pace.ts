/**
 * How long a failed login's password check takes, as a client sees it. The contract: an unknown
 * user and a wrong password are indistinguishable, timing included. One dummy hash cannot give that
 * once the users hold two kinds of hash: the 2024 service's bcrypt records (cost 12: ~230 ms here)
 * cost more than PBKDF2 at policy (~100 ms), so an unknown user (a PBKDF2 dummy) answered faster than
 * a bcrypt user with a wrong password, and a client could tell which names exist. Hashing the dummy
 * with the dearest kind would only move the leak to the PBKDF2 users. So every failure is held, on a
 * timer that costs no CPU, until the time the dearest kind of check takes: all failures then end
 * together, whatever the record held. The hold comes after the hash slot is given back (the caller
 * waits after the throttle's attempt), so it never takes hashing capacity from anyone.
 */

/** The kinds of check a login runs: a bcrypt record's, or PBKDF2's (policy hashes and the dummy). */
export type CheckKind = 'bcrypt' | 'pbkdf2'

export interface FailurePace {
  /** A check of `kind` took `ms` (only checks at normal priority: a low one waits on a starved thread). */
  observe(kind: CheckKind, ms: number): void
  /** How much longer a failed check that took `elapsedMs` is held before it is answered. */
  holdMs(elapsedMs: number): number
  /** Waits that long. */
  hold(elapsedMs: number): Promise<void>
}

export interface FailurePaceOptions {
  /** setTimeout unless a test records the holds instead. */
  sleep?: (ms: number) => Promise<void>
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * The hold's target over the dearest kind's mean: checks of one kind vary (the machine's load), and
 * one that ends past the target is not held, so a target at the mean would leave half of that kind's
 * failures later than the others'; at 1.25 × the mean nearly all end at the target.
 */
const MARGIN = 1.25
/** Weight of the newest observation in the running mean (as the hash queue's). */
const WEIGHT = 0.2

export const createFailurePace = ({ sleep = timerSleep }: FailurePaceOptions = {}): FailurePace => {
  const means = new Map<CheckKind, number>()
  const pace: FailurePace = {
    observe(kind, ms) {
      if (!Number.isFinite(ms) || ms < 0) return
      const mean = means.get(kind)
      means.set(kind, mean === undefined ? ms : mean * (1 - WEIGHT) + ms * WEIGHT)
    },
    holdMs(elapsedMs) {
      let dearest = 0
      for (const mean of means.values()) dearest = Math.max(dearest, mean)
      return Math.max(0, Math.round(dearest * MARGIN - elapsedMs))
    },
    async hold(elapsedMs) {
      const ms = pace.holdMs(elapsedMs)
      if (ms > 0) await sleep(ms)
    },
  }
  return pace
}
