/**
 * One HTTP request over a node:http Agent, so its source address is the agent's (`localAddress`):
 * the server tells clients apart by it, and fetch cannot choose one. What the login floods of the
 * bench and of the tests send, each answer as a status (0: none came), its body and its time.
 */
import { type Agent, request } from 'node:http'

export interface Answer {
  /** The HTTP status, or 0 when no answer came (connection error or timeout). */
  status: number
  body: string
  ms: number
  timedOut: boolean
  /** Why no answer came, when none did. */
  error?: string
}

export interface Sent {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
}

export const sendFrom = (agent: Agent, baseUrl: string, sent: Sent): Promise<Answer> =>
  new Promise((resolve) => {
    const url = new URL(baseUrl)
    const started = performance.now()
    let timedOut = false
    const done = (status: number, body: string, error?: string) =>
      resolve({ status, body, ms: performance.now() - started, timedOut, ...(error ? { error } : {}) })
    const { body, headers = {} } = sent
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: sent.method,
        path: sent.path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': Buffer.byteLength(body) },
        timeout: sent.timeoutMs,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          text += d
        })
        res.on('end', () => done(res.statusCode ?? 0, text))
        res.on('error', (e) => done(0, text, e.message))
      },
    )
    req.on('timeout', () => {
      timedOut = true
      req.destroy(new Error(`no answer within ${sent.timeoutMs} ms`))
    })
    req.on('error', (e) => done(0, '', e.message))
    req.end(body)
  })

/** POST /auth with JSON credentials from `agent`'s address. */
export const loginFrom = (agent: Agent, baseUrl: string, credentials: object, timeoutMs: number) =>
  sendFrom(agent, baseUrl, {
    method: 'POST',
    path: '/auth',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
    timeoutMs,
  })
