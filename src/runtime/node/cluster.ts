import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { parseConfig } from '../../config/config.js'
import type { Env } from '../../config/env.js'
import { exitOnConfigErrors } from './bootstrap.js'
import { clusterExposition, METRICS_HOST, serveMetrics } from './prometheus.js'
import { surviveClosedStdio } from './stdio.js'

/** WORKERS: unset or 1, this process serves; `auto`, one process per core; N, N processes. */
export const parseWorkers = (value: string | undefined): number | null => {
  const v = value?.trim() ?? ''
  if (v === '') return 1
  if (v === 'auto') return availableParallelism()
  return /^\d{1,3}$/.test(v) && Number(v) >= 1 ? Number(v) : null
}

/** True inside a process that a supervisor forked: serve with reusePort so members share the port. */
export const isClusterMember = (): boolean => cluster.isWorker

/**
 * With WORKERS above 1 this process becomes a supervisor (node:cluster, which Bun also runs): it
 * checks the config once, forks the members, starts another when one dies, and passes SIGTERM and
 * SIGINT on so each member finishes its in-flight requests. Returns true there: the supervisor
 * does not serve. Returns false where the caller should serve.
 */
export const superviseCluster = (env: Env): boolean => {
  if (cluster.isWorker) return false
  const workers = parseWorkers(env.WORKERS)
  if (workers === null) {
    // Every bad variable at once, WORKERS among them.
    const parsed = parseConfig(env)
    exitOnConfigErrors([
      'WORKERS: must be "auto" or a whole number from 1',
      ...(parsed.ok ? [] : parsed.errors),
    ])
  }
  if (workers === null || workers <= 1) return false
  // The supervisor reports its members' deaths: a closed stderr must not end it (and orphan them).
  surviveClosedStdio()
  // Named once here rather than once per member in a restart loop.
  const parsed = parseConfig(env)
  if (!parsed.ok) return exitOnConfigErrors(parsed.errors)
  if (!parsed.config.mongodbUri) {
    // Each process would get its own random secret and demo password: tokens would fail at random.
    console.error(
      'holodule-api: WORKERS needs a database (MONGODB_URI); serving the embedded store in one process',
    )
    return false
  }
  const metrics = parsed.config.metrics
  if (metrics && metrics.port === undefined) {
    return exitOnConfigErrors([
      'METRICS_PORT: required with METRICS=on and WORKERS above 1 (a scrape of PORT would reach one member and see its counts only; the supervisor serves METRICS_PORT with all of them)',
    ])
  }

  let stopping = false
  let alive = 0
  const fork = () => {
    alive++
    cluster.fork()
  }
  if (metrics?.port !== undefined) {
    // Listening before the fork: the aggregator's IPC listener must exist before a member answers.
    const port = metrics.port
    serveMetrics(port, { exposition: clusterExposition(), token: metrics.token }).then(
      () =>
        console.error(
          JSON.stringify({
            time: new Date().toISOString(),
            level: 'info',
            msg: 'metrics listening',
            host: METRICS_HOST,
            port,
          }),
        ),
      (e: Error) =>
        exitOnConfigErrors([`METRICS_PORT: cannot listen on ${METRICS_HOST}:${port} (${e.message})`]),
    )
  }
  for (let i = 0; i < workers; i++) fork()
  cluster.on('exit', (_worker, code, signal) => {
    alive--
    if (stopping) {
      if (alive === 0) process.exit(0)
      return
    }
    console.error(
      JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'worker exited', code, signal }),
    )
    // A pause, so a worker that dies at start cannot spin the machine.
    setTimeout(fork, 1000)
  })
  const stop = () => {
    if (stopping) return
    stopping = true
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    if (alive === 0) process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  return true
}
