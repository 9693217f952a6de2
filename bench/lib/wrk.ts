/**
 * One bounded run of wrk (Debian's `wrk`, a native load generator): one thread, the spec's
 * connections, the request shape written into a Lua script. autocannon, written in JavaScript, tops
 * out near 40k req/s for a 17-byte body on one core, below what Bun and even Node serve; wrk does not
 * hide the server's limit that way.
 *
 * The script's `response()` counts every status, so a wrong answer under load is seen, not only a
 * 4xx/5xx (wrk's own `errors.status`): a 200 where a 304 is expected, a 500 where a 401 is. `done()`
 * prints the counts, the latency percentiles and the errors as one JSON line that `runWrk` parses.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { LoadResult, LoadSpec } from './load-spec.js'

/** The wrk on PATH, or null: the bench then falls back to autocannon and says so. */
export const wrkBinary = (): string | null => {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, 'wrk')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

/**
 * A Lua string literal of any text: printable ASCII as is, every other byte as a three-digit decimal
 * escape (Lua's `\ddd` reads up to three digits, so `"` before a digit, as in an ETag `"3a…"`,
 * written `\34` would run into it: `\343` is out of range and wrk ran without the script).
 */
export const luaString = (text: string): string => {
  let out = '"'
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c
    out += printable ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`
  }
  return `${out}"`
}

const MARKER = 'WRK_JSON '

/** The Lua script of a spec: the request (static unless `paths` cycles), status counts, JSON report. */
export const wrkScript = (spec: LoadSpec): string => {
  const lines = [`wrk.method = ${luaString(spec.method ?? 'GET')}`]
  for (const [name, value] of Object.entries(spec.headers ?? {}))
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`)
  if (spec.body !== undefined) {
    lines.push(`wrk.body = ${luaString(spec.body)}`)
    if (!spec.headers?.['Content-Type'])
      lines.push(`wrk.headers["Content-Type"] = "application/octet-stream"`)
  }
  if (spec.paths) {
    lines.push(`local paths = { ${spec.paths.map(luaString).join(', ')} }`)
    // Defined only when needed: without request() wrk sends one prebuilt request, no Lua per request.
    lines.push('local n = 0', 'function request()', '  n = n + 1')
    lines.push('  return wrk.format(nil, paths[(n - 1) % #paths + 1])', 'end')
  }
  lines.push(
    'local threads = {}',
    'function setup(thread) table.insert(threads, thread) end',
    'statuses = {}',
    'function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end',
    'function done(summary, latency, requests)',
    '  local counts = {}',
    '  for _, t in ipairs(threads) do',
    '    for code, count in pairs(t:get("statuses")) do counts[code] = (counts[code] or 0) + count end',
    '  end',
    '  local parts = {}',
    '  for code, count in pairs(counts) do table.insert(parts, string.format(\'"%d":%d\', code, count)) end',
    '  local e = summary.errors',
    `  io.write(string.format('${MARKER}{"durationUs":%d,"requests":%d,"bytes":%d,"p50":%d,"p99":%d,"max":%d,' ..`,
    `    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"statuses":{%s}}\\n',`,
    '    summary.duration, summary.requests, summary.bytes, latency:percentile(50), latency:percentile(99), latency.max,',
    '    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))',
    'end',
  )
  return `${lines.join('\n')}\n`
}

interface WrkReport {
  durationUs: number
  requests: number
  bytes: number
  p50: number
  p99: number
  max: number
  connect: number
  read: number
  write: number
  status: number
  timeout: number
  statuses: Record<string, number>
}

/** The JSON line `done()` printed, as a LoadResult (latencies from microseconds to ms). */
export const parseWrkOutput = (stdout: string): LoadResult => {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER))
  if (!line) throw new Error(`wrk printed no report:\n${stdout.slice(-2000)}`)
  const r = JSON.parse(line.slice(MARKER.length)) as WrkReport
  const ms = (us: number) => Math.round(us / 10) / 100
  const duration = r.durationUs / 1e6
  return {
    tool: 'wrk',
    rps: duration > 0 ? r.requests / duration : 0,
    requests: r.requests,
    p50: ms(r.p50),
    p99: ms(r.p99),
    max: ms(r.max),
    statuses: r.statuses,
    errors: r.connect + r.read + r.write,
    timeouts: r.timeout,
    duration,
    classes: {},
    ...(r.requests > 0 && { bytesPerAnswer: r.bytes / r.requests }),
  }
}

/**
 * Runs wrk (its CPU affinity is this process's: the bench keeps the load generator on CPU 0).
 * wrk's `-d` takes whole seconds; a fractional duration ends by SIGINT, after which wrk still
 * reports (it stops its threads and runs `done()`).
 */
export const runWrk = (binary: string, spec: LoadSpec): Promise<LoadResult> => {
  const dir = mkdtempSync(join(tmpdir(), 'holodule-wrk-'))
  const script = join(dir, 'load.lua')
  writeFileSync(script, wrkScript(spec))
  const args = [
    '-t1',
    `-c${spec.connections}`,
    `-d${Math.max(1, Math.ceil(spec.duration))}s`,
    `--timeout`,
    `${Math.max(1, Math.ceil(spec.timeout ?? 10))}s`,
    '-s',
    script,
    spec.url,
  ]
  return new Promise<LoadResult>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d
    })
    const stopAt = Number.isInteger(spec.duration)
      ? null
      : setTimeout(() => child.kill('SIGINT'), spec.duration * 1000)
    // Bounded: wrk ends by itself after -d; past that and the slack, it is killed and the run fails.
    const bound = setTimeout(() => child.kill('SIGKILL'), (Math.ceil(spec.duration) + 30) * 1000)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      if (stopAt) clearTimeout(stopAt)
      clearTimeout(bound)
      rmSync(dir, { recursive: true, force: true })
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code ?? signal}: ${err.trim() || out.slice(-2000)}`))
        return
      }
      try {
        resolve(parseWrkOutput(out))
      } catch (e) {
        reject(e)
      }
    })
  })
}
