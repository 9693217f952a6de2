import { Worker } from 'node:worker_threads'
import { type HashPriority, type Pbkdf2, webCryptoPbkdf2 } from '../../auth/password.js'
import type { Logger } from '../../lib/logger.js'

/**
 * A hashing thread, as CommonJS source evaluated by the runtime: no file to find from dist/, tsx
 * or Bun. On Linux a thread id given to setpriority(2) or sched_setscheduler(2) changes that
 * thread alone (a documented deviation from POSIX), and lowering one's own priority needs no
 * privilege. SCHED_IDLE is set with util-linux's chrt: neither Node nor Bun can call
 * sched_setscheduler.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const { pbkdf2Sync } = require('node:crypto')
let tid = 0
try {
  tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())
} catch {}
let lowered = false
if (tid && workerData.idle) {
  try {
    require('node:child_process').execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 })
    lowered = true
  } catch {}
}
if (tid && !lowered) {
  try {
    require('node:os').setPriority(tid, workerData.nice)
    lowered = !workerData.idle
  } catch {}
}
parentPort.postMessage({ lowered })
parentPort.on('message', ({ password, salt, iterations, bytes }) => {
  try {
    parentPort.postMessage({ hash: pbkdf2Sync(password, salt, iterations, bytes, 'sha256') })
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message) })
  }
})
`

type Job = [password: string, salt: Uint8Array, iterations: number, bytes: number]
type Reply = { lowered: boolean } | { hash: Uint8Array } | { error: string }
type Pending = { job: Job; settle: (r: Promise<Uint8Array>) => void }

interface ThreadOptions {
  name: HashPriority
  /** nice(1) of the thread; with `idle`, SCHED_IDLE (and this nice only where that fails). */
  nice: number
  idle: boolean
}

/** One thread of one priority running one PBKDF2 at a time; the next ones wait their turn. */
const hashingThread = (options: ThreadOptions, logger: Logger) => {
  let worker: Worker | undefined
  let current: Pending | undefined
  const waiting: Pending[] = []

  const next = () => {
    if (!worker || current) return
    current = waiting.shift()
    if (!current) {
      // An idle thread must not keep a stopping process alive; one with a check in flight does.
      worker.unref()
      return
    }
    worker.ref()
    const [password, salt, iterations, bytes] = current.job
    worker.postMessage({ password, salt, iterations, bytes })
  }

  const start = () => {
    if (worker) return
    const w = new Worker(THREAD, {
      eval: true,
      workerData: { nice: options.nice, idle: options.idle },
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, stackSizeMb: 1 },
    })
    worker = w
    w.on('message', (m: Reply) => {
      if ('lowered' in m) {
        if (!m.lowered)
          logger.warn('could not lower the priority of a hashing thread', {
            thread: options.name,
            wanted: options.idle ? 'SCHED_IDLE (is chrt installed?)' : `nice ${options.nice}`,
          })
        return
      }
      const done = current
      current = undefined
      done?.settle('hash' in m ? Promise.resolve(new Uint8Array(m.hash)) : Promise.reject(new Error(m.error)))
      next()
    })
    // A thread that dies hands its check back to WebCrypto (a login never fails for want of it);
    // the next check starts another.
    const lost = (why: string) => {
      if (worker !== w) return
      worker = undefined
      logger.error('hashing thread lost; its check runs on WebCrypto', { thread: options.name, error: why })
      const done = current
      current = undefined
      done?.settle(webCryptoPbkdf2(...done.job, 'normal'))
      if (waiting.length > 0) start()
    }
    w.on('error', (e) => lost(e.message))
    w.on('exit', (code) => lost(`exit ${code}`))
    next()
  }

  return {
    start,
    /** Checks running and waiting. */
    load: () => waiting.length + (current ? 1 : 0),
    run: (job: Job) =>
      new Promise<Uint8Array>((resolve, reject) => {
        waiting.push({ job, settle: (r) => r.then(resolve, reject) })
        start()
        next()
      }),
  }
}

/**
 * PBKDF2 for the Node and Bun entries, on threads below the event loop's priority, so that
 * answering requests does not wait behind a password hash (WebCrypto's ran in the runtime's
 * shared pool at the event loop's priority). `normal` checks run on `concurrency` threads
 * (LOGIN_HASH_CONCURRENCY) at nice 5: the event loop takes the core from them as soon as it wakes,
 * and while it is busy they still get about a quarter of it. `low` ones (an address with failed
 * logins counted or another check running: a flood, or a client that mistyped) wait their turn on
 * one SCHED_IDLE thread (nice 19 where that fails), which runs only on CPU time nothing else
 * wants, so a flood's hashes no longer take a legitimate login's share (issue 7: 869 ms p99 on
 * Node under the flood, against ~200 ms alone). The threads start with the server (~9 MB each on
 * Node 20): one started by the first login of a flood took ~100 ms of that login's core. Same
 * bytes as WebCrypto's.
 */
export const prioritizedPbkdf2 = (logger: Logger, concurrency: number): Pbkdf2 => {
  const normal = Array.from({ length: Math.max(1, concurrency) }, () =>
    hashingThread({ name: 'normal', nice: 5, idle: false }, logger),
  )
  const low = hashingThread({ name: 'low', nice: 19, idle: true }, logger)
  low.start()
  for (const t of normal) t.start()
  return (password, salt, iterations, bytes, priority) => {
    const job: Job = [password, salt, iterations, bytes]
    if (priority === 'low') return low.run(job)
    // The least loaded; never WebCrypto's pool, whose threads would outrank these.
    const thread = normal.reduce((a, b) => (b.load() < a.load() ? b : a))
    return thread.run(job)
  }
}
