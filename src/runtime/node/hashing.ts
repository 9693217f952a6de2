import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { type Hasher, type HashPriority, inlineBcrypt, webCryptoPbkdf2 } from '../../auth/password.js'
import type { Logger } from '../../lib/logger.js'

/**
 * A hashing thread, as CommonJS source evaluated by the runtime: no file to find from dist/, tsx
 * or Bun. On Linux a thread id given to setpriority(2) or sched_setscheduler(2) changes that
 * thread alone (a documented deviation from POSIX), and lowering one's own priority needs no
 * privilege. SCHED_IDLE is set with util-linux's chrt: neither Node nor Bun can call
 * sched_setscheduler. bcryptjs is loaded by its CommonJS build's path (workerData.bcryptjs), on the
 * first bcrypt check the thread runs: a server whose records are all PBKDF2 never loads it.
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
let bcryptjs
parentPort.on('message', (job) => {
  try {
    if (job.kind === 'bcrypt') {
      bcryptjs ??= require(workerData.bcryptjs)
      parentPort.postMessage({ hash: bcryptjs.hashSync(job.password, job.setting) })
    } else {
      const { password, salt, iterations, bytes } = job
      parentPort.postMessage({ hash: pbkdf2Sync(password, salt, iterations, bytes, 'sha256') })
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message) })
  }
})
`

/** bcryptjs's CommonJS build (its `require` export), for the threads' `require`. */
const BCRYPTJS = createRequire(import.meta.url).resolve('bcryptjs')

type Job =
  | { kind: 'pbkdf2'; password: string; salt: Uint8Array; iterations: number; bytes: number }
  | { kind: 'bcrypt'; password: string; setting: string }
type Result = Uint8Array | string
type Reply = { lowered: boolean } | { hash: Uint8Array | string } | { error: string }
type Pending = { job: Job; settle: (r: Promise<Result>) => void }

/** A check whose thread was lost runs here instead: WebCrypto's PBKDF2, bcryptjs inline. */
const fallback = (job: Job): Promise<Result> =>
  job.kind === 'bcrypt'
    ? inlineBcrypt(job.password, job.setting, 'normal')
    : webCryptoPbkdf2(job.password, job.salt, job.iterations, job.bytes, 'normal')

interface ThreadOptions {
  name: HashPriority
  /** nice(1) of the thread; with `idle`, SCHED_IDLE (and this nice only where that fails). */
  nice: number
  idle: boolean
}

/** One thread of one priority running one hash at a time; the next ones wait their turn. */
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
    worker.postMessage(current.job)
  }

  const start = () => {
    if (worker) return
    const w = new Worker(THREAD, {
      eval: true,
      workerData: { nice: options.nice, idle: options.idle, bcryptjs: BCRYPTJS },
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
      done?.settle(
        'hash' in m
          ? Promise.resolve(typeof m.hash === 'string' ? m.hash : new Uint8Array(m.hash))
          : Promise.reject(new Error(m.error)),
      )
      next()
    })
    // A thread that dies hands its check back to WebCrypto or inline bcryptjs (a login never
    // fails for want of it); the next check starts another.
    const lost = (why: string) => {
      if (worker !== w) return
      worker = undefined
      logger.error('hashing thread lost; its check runs on the event loop', {
        thread: options.name,
        error: why,
      })
      const done = current
      current = undefined
      done?.settle(fallback(done.job))
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
      new Promise<Result>((resolve, reject) => {
        waiting.push({ job, settle: (r) => r.then(resolve, reject) })
        start()
        next()
      }),
  }
}

/**
 * PBKDF2 and bcrypt for the Node and Bun entries, on threads below the event loop's priority, so that
 * answering requests does not wait behind a password hash (WebCrypto's ran in the runtime's
 * shared pool at the event loop's priority). `normal` checks run on `concurrency` threads
 * (LOGIN_HASH_CONCURRENCY) at nice 5: the event loop takes the core from them as soon as it wakes,
 * and while it is busy they still get about a quarter of it. `low` ones (an address with failed
 * logins counted or another check running: a flood, or a client that mistyped) wait their turn on
 * one SCHED_IDLE thread (nice 19 where that fails), which runs only on CPU time nothing else
 * wants, so a flood's hashes no longer take a legitimate login's share (issue 7: 869 ms p99 on
 * Node under the flood, against ~200 ms alone). The threads start with the server (~9 MB each on
 * Node 20): one started by the first login of a flood took ~100 ms of that login's core. Same
 * bytes as WebCrypto's and inline bcryptjs's; a bcrypt check takes its thread as a PBKDF2 one does.
 */
export const prioritizedHasher = (logger: Logger, concurrency: number): Hasher => {
  const normal = Array.from({ length: Math.max(1, concurrency) }, () =>
    hashingThread({ name: 'normal', nice: 5, idle: false }, logger),
  )
  const low = hashingThread({ name: 'low', nice: 19, idle: true }, logger)
  low.start()
  for (const t of normal) t.start()
  const run = (job: Job, priority: HashPriority) => {
    if (priority === 'low') return low.run(job)
    // The least loaded; never WebCrypto's pool, whose threads would outrank these.
    const thread = normal.reduce((a, b) => (b.load() < a.load() ? b : a))
    return thread.run(job)
  }
  return {
    pbkdf2: (password, salt, iterations, bytes, priority) =>
      run({ kind: 'pbkdf2', password, salt, iterations, bytes }, priority) as Promise<Uint8Array>,
    bcrypt: (password, setting, priority) =>
      run({ kind: 'bcrypt', password, setting }, priority) as Promise<string>,
  }
}
