// Every request the client sends: fetch with the call's signal, its answer read, and a failure to
// get one (the network, the timeout, an abort) as a typed error.
import { type Answer, readAnswer } from './answers.js'
import { AbortedError, HoloduleApiError, NetworkError, TimeoutError } from './errors.js'
import type { Fetch } from './types.js'

/** Per call: the last argument of each of the client's methods. */
export interface CallOptions {
  /**
   * Cancels the call: it rejects with an AbortedError (`kind: 'aborted'`), its request cancelled.
   * The client's own `signal`, when given, cancels it too.
   */
  signal?: AbortSignal
  /** Overrides the client's `timeoutMs` for this call (`Infinity`: no bound). */
  timeoutMs?: number
}

/** One call of the client's: its signal, its requests, and the wait on work it shares. */
export interface Call {
  /** Aborted when the caller's signal is, or the call's time is up. */
  readonly signal: AbortSignal
  /** Sends one request and reads its answer; no answer is a NetworkError, TimeoutError or AbortedError. */
  send(what: string, url: string, init: RequestInit): Promise<Answer>
  /** Waits on work shared with other calls (a renewal), leaving it running when this call ends first. */
  wait<T>(what: string, work: Promise<T>): Promise<T>
  /** Forgets the call's timer and its listeners on the caller's signals. */
  end(): void
}

export type Transport = ReturnType<typeof createTransport>

/** The longest delay setTimeout takes; beyond it the bound is none. */
const MAX_TIMER_MS = 2_147_483_647

/** `undefined` for no bound (undefined or Infinity); a RangeError for anything but a positive number. */
export const checkTimeout = (timeoutMs: number | undefined): number | undefined => {
  if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return undefined
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0))
    throw new RangeError(
      `timeoutMs must be a positive number of milliseconds (or Infinity), not ${timeoutMs}`,
    )
  return timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs
}

/** The promise, or the signal's reason as soon as it is aborted: a fetch that ignores signals still ends. */
const until = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      // Handled, so a later rejection of the work is not reported as unhandled.
      work.catch(() => {})
      reject(signal.reason)
      return
    }
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })

/**
 * The client's requests. `defaults` are its options: `signal` cancels every call, `timeoutMs`
 * bounds each call (from its start to its result) unless the call sets its own.
 */
export const createTransport = (
  doFetch: Fetch,
  defaults: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
) => {
  const clientTimeout = checkTimeout(defaults.timeoutMs)

  const call = (options: CallOptions = {}): Call => {
    const timeoutMs = options.timeoutMs === undefined ? clientTimeout : checkTimeout(options.timeoutMs)
    const controller = new AbortController()
    const callers = [defaults.signal, options.signal].filter((s): s is AbortSignal => s !== undefined)
    const follow = (caller: AbortSignal) => () => controller.abort(caller.reason)
    const listeners = callers.map((caller) => ({ caller, listener: follow(caller) }))
    let timedOut = false
    let timer: ReturnType<typeof setTimeout> | undefined
    for (const { caller, listener } of listeners) {
      if (caller.aborted) controller.abort(caller.reason)
      else caller.addEventListener('abort', listener, { once: true })
    }
    if (timeoutMs !== undefined && !controller.signal.aborted)
      timer = setTimeout(() => {
        timedOut = true
        controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'))
      }, timeoutMs)

    /** What went wrong for a request that got no answer. */
    const failure = (what: string, e: unknown): HoloduleApiError => {
      if (e instanceof HoloduleApiError) return e
      if (timedOut) return new TimeoutError(`${what}: no answer within ${timeoutMs} ms`, timeoutMs as number)
      if (controller.signal.aborted)
        return new AbortedError(`${what}: aborted`, controller.signal.reason as unknown)
      const cause = (e as { cause?: unknown } | undefined)?.cause
      const why = cause instanceof Error ? ` (${cause.message})` : ''
      return new NetworkError(`${what}: no answer: ${e instanceof Error ? e.message : String(e)}${why}`, e)
    }

    const { signal } = controller
    return {
      signal,
      async send(what, url, init) {
        try {
          if (signal.aborted) throw signal.reason
          const res = await until(doFetch(url, { ...init, signal }), signal)
          return await until(readAnswer(res), signal)
        } catch (e) {
          throw failure(what, e)
        }
      },
      async wait(what, work) {
        try {
          return await until(work, signal)
        } catch (e) {
          throw failure(what, e)
        }
      },
      end() {
        clearTimeout(timer)
        for (const { caller, listener } of listeners) caller.removeEventListener('abort', listener)
      },
    }
  }

  return {
    call,
    /** Runs `work` as one call: its requests share the call's signal and time. */
    async run<T>(options: CallOptions | undefined, work: (call: Call) => Promise<T>): Promise<T> {
      const c = call(options)
      try {
        return await work(c)
      } finally {
        c.end()
      }
    },
  }
}
