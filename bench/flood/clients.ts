/**
 * Clients that measure each request they make, from a chosen loopback source address (the server
 * tells clients apart by it): the legitimate users of bench/flood/flood.ts.
 */
import { Agent } from 'node:http'
import { sendFrom } from '#harness/http-from.js'

export interface Timed {
  /** The HTTP status, or 0 when no answer came (connection error or timeout). */
  status: number
  ms: number
  body: string
  error?: string
}

export interface HttpClient {
  send(method: 'GET' | 'POST', path: string, headers?: Record<string, string>, body?: string): Promise<Timed>
  close(): void
}

/** Keep-alive HTTP from `localAddress` (e.g. 127.0.0.2) to `baseUrl`; each request bounded by `timeoutMs`. */
export const httpClient = (baseUrl: string, localAddress: string, timeoutMs: number): HttpClient => {
  const agent = new Agent({ keepAlive: true, localAddress })
  const send: HttpClient['send'] = async (method, path, headers = {}, body) => {
    const {
      status,
      ms,
      body: text,
      error,
    } = await sendFrom(agent, baseUrl, {
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs,
    })
    return { status, ms, body: text, ...(error ? { error } : {}) }
  }
  return { send, close: () => agent.destroy() }
}

/** A 5xx by its description: "503 Login is busy", "500 Internal Server Error"...;, "500 Internal Server Error", ...; null below 500. */
export const serverErrorClass = (status: number, body: string): string | null => {
  if (status < 500) return null
  try {
    const json = JSON.parse(body) as { description?: unknown; error?: unknown }
    return `${status} ${String(json.description ?? json.error ?? '')}`.trim()
  } catch {
    return `${status} ${body.slice(0, 60)}`.trim()
  }
}

/** The one 5xx that is deliberate: the login queue is full. */
export const LOGIN_BUSY = '503 Login is busy'

export interface LatencySummary {
  count: number
  p50: number
  p99: number
  max: number
  /** Responses by status; "unanswered" for errors and timeouts. */
  statuses: Record<string, number>
  unanswered: number
  /** 5xx answers other than the deliberate "Login is busy". */
  unexpected5xx: number
}

/** Latencies and statuses of one client's requests. */
export const recorder = () => {
  const ms: number[] = []
  const statuses: Record<string, number> = {}
  let unanswered = 0
  let unexpected5xx = 0
  return {
    add(t: Timed) {
      if (t.status === 0) unanswered++
      else ms.push(t.ms)
      if (t.status >= 500 && serverErrorClass(t.status, t.body) !== LOGIN_BUSY) unexpected5xx++
      const key = t.status === 0 ? 'unanswered' : String(t.status)
      statuses[key] = (statuses[key] ?? 0) + 1
    },
    summary(): LatencySummary {
      const sorted = [...ms].sort((a, b) => a - b)
      const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
      const round = (n: number) => Math.round(n * 10) / 10
      return {
        count: sorted.length + unanswered,
        p50: round(at(0.5)),
        p99: round(at(0.99)),
        max: round(sorted.at(-1) ?? Number.NaN),
        statuses,
        unanswered,
        unexpected5xx,
      }
    },
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `step` every `intervalMs` (one at a time: a slow step delays the next) while `active()`;
 * resolves once the last step is done.
 */
export const every = async (intervalMs: number, active: () => boolean, step: () => Promise<void>) => {
  let next = performance.now()
  while (active()) {
    await step()
    next += intervalMs
    const wait = next - performance.now()
    if (wait > 0) await sleep(wait)
    else next = performance.now()
  }
}
