/**
 * The hot day's answer as the app sends it, taken from the app itself at the start of a run: its
 * bytes (the same-body ceiling, `payload`) and its headers (the `mirror`, which answers the same
 * bytes with exactly these headers), so neither drifts when the app's answer changes.
 */
import { writeFileSync } from 'node:fs'
import { log } from '../lib/log.js'
import type { RunningServer } from '../lib/procs.js'

/**
 * Headers the HTTP server writes itself on every answer, whoever builds it (and the length, which
 * follows the body): not the app's to choose, so not copied. Everything else is the app's.
 */
export const SERVER_WRITTEN = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
])

/** The hot day's answer: its bytes and the headers the app chose for it (names in lower case). */
export interface HotAnswer {
  body: Uint8Array
  headers: Record<string, string>
}

/** The headers of `res` the app chose: every one but those the HTTP server writes. */
export const appHeaders = (res: Response): Record<string, string> => {
  const out: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    if (!SERVER_WRITTEN.has(name)) out[name] = value
  })
  return out
}

/**
 * Asks `server` (the app) for `path` with `headers` (the bench user's token) and writes the body to
 * `payloadFile` and `{ headers }` to `mirrorFile`, for the hello peers to serve.
 */
export const captureHotAnswer = async (
  server: RunningServer,
  request: { path: string; headers: Record<string, string>; timeoutS: number },
  files: { payloadFile: string; mirrorFile: string },
): Promise<HotAnswer> => {
  const res = await fetch(server.url + request.path, {
    headers: request.headers,
    signal: AbortSignal.timeout(request.timeoutS * 1000),
  })
  const body = new Uint8Array(await res.arrayBuffer())
  if (res.status !== 200) throw new Error(`${server.name}: ${request.path} answered ${res.status}`)
  const headers = appHeaders(res)
  writeFileSync(files.payloadFile, body)
  writeFileSync(files.mirrorFile, JSON.stringify({ headers }))
  const names = Object.keys(headers)
  log(
    `the hot day's answer from ${server.name}: ${body.byteLength} bytes, ${names.length} headers (${names.join(', ')})`,
  )
  return { body, headers }
}
