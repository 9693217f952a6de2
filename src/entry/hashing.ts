import { Worker } from 'node:worker_threads'
import { type Pbkdf2, webCryptoPbkdf2 } from '../auth/password.js'
import type { Logger } from '../lib/logger.js'

/**
 * The low-priority thread, as CommonJS source evaluated by the runtime: no file to find from
 * dist/, tsx or Bun. On Linux a thread id given to setpriority(2) or sched_setscheduler(2) changes
 * that thread alone (a documented deviation from POSIX), and lowering one's own priority needs no
 * privilege. SCHED_IDLE (util-linux's chrt: neither Node nor Bun can call sched_setscheduler) runs
 * it only on CPU time nothing else wants, and any other thread that wakes preempts it at once;
 * nice 19 alone still gave it a share and time slices, which showed in a login's tail latency.
 */
const THREAD = `
const { parentPort } = require('node:worker_threads')
const { pbkdf2Sync } = require('node:crypto')
let tid = 0
let niced = false
let idle = false
try {
  tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())
  require('node:os').setPriority(tid, 19)
  niced = true
  require('node:child_process').execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 })
  idle = true
} catch {}
parentPort.postMessage({ niced, idle })
parentPort.on('message', ({ id, password, salt, iterations, bytes }) => {
  try {
    parentPort.postMessage({ id, hash: pbkdf2Sync(password, salt, iterations, bytes, 'sha256') })
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message) })
  }
})
`

type Job = [password: string, salt: Uint8Array, iterations: number, bytes: number]
type Reply =
  | { niced: boolean; idle: boolean }
  | { id: number; hash: Uint8Array }
  | { id: number; error: string }

/**
 * PBKDF2 for the Node and Bun entries. A `normal` check runs on WebCrypto as everywhere else. A
 * `low` one (an address with failed logins counted: a flood, or a client that mistyped) runs on
 * one thread of the lowest priority (SCHED_IDLE, else nice 19), started at the first such check:
 * it gets only what the event loop and other clients' hashes leave, so a flood's hashes no longer
 * halve a legitimate login's share of the core (issue 7: 869 ms p99 on Node under the flood,
 * against ~200 ms alone). Same bytes as WebCrypto's.
 */
export const prioritizedPbkdf2 = (logger: Logger): Pbkdf2 => {
  let thread: Worker | undefined
  let nextId = 0
  const pending = new Map<number, { job: Job; settle: (r: Promise<Uint8Array>) => void }>()

  const start = () => {
    const worker = new Worker(THREAD, { eval: true })
    // Idle, it must not keep a stopping process alive; a check in flight has its request's socket.
    worker.unref()
    worker.on('message', (m: Reply) => {
      if ('niced' in m) {
        if (!m.idle)
          logger.warn('could not put the low-priority hashing thread in SCHED_IDLE (is chrt installed?)', {
            runsAt: m.niced ? 'nice 19' : 'normal priority',
          })
        return
      }
      const p = pending.get(m.id)
      pending.delete(m.id)
      p?.settle('hash' in m ? Promise.resolve(new Uint8Array(m.hash)) : Promise.reject(new Error(m.error)))
    })
    // A thread that dies hands its checks back to WebCrypto: a login never fails for want of it.
    const lost = (why: string) => {
      if (thread !== worker) return
      thread = undefined
      logger.error('hashing thread lost; its checks run on WebCrypto', { error: why })
      for (const { job, settle } of pending.values()) settle(webCryptoPbkdf2(...job, 'normal'))
      pending.clear()
    }
    worker.on('error', (e) => lost(e.message))
    worker.on('exit', (code) => lost(`exit ${code}`))
    return worker
  }

  return (password, salt, iterations, bytes, priority) => {
    if (priority === 'normal') return webCryptoPbkdf2(password, salt, iterations, bytes, priority)
    thread ??= start()
    const id = nextId++
    const job: Job = [password, salt, iterations, bytes]
    return new Promise<Uint8Array>((resolve, reject) => {
      pending.set(id, { job, settle: (r) => r.then(resolve, reject) })
      thread?.postMessage({ id, password, salt, iterations, bytes })
    })
  }
}
