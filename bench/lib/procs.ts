import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { freePort } from '#harness/ferretdb.js'
import { childrenOf } from '#harness/procfs.js'
import { startServer } from '#harness/server-process.js'
import { errorText } from './log.js'

export const processTree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(processTree)]

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), 0 when the process is gone. */
const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** CPU seconds (user + system) a process has used so far. */
export const cpuSeconds = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

export const hasTaskset = (): boolean => existsSync('/usr/bin/taskset') || existsSync('/bin/taskset')

/** Pins every thread of a running process (this one included) to the given CPUs. */
export const pin = (pid: number, cpus: string): void => {
  if (hasTaskset()) execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' })
}

/** Samples the resident memory of a whole process tree (cluster workers included) every 100 ms. */
const rssSampler = (pid: number) => {
  let peakKb = 0
  const sample = () => {
    const tree = processTree(pid)
    const rss = tree.reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0)
    // VmHWM catches a peak between two samples; for one process it is exact.
    const hwm = tree.reduce((sum, p) => sum + statusKb(p, 'VmHWM'), 0)
    peakKb = Math.max(peakKb, rss, tree.length === 1 ? hwm : 0)
  }
  const timer = setInterval(sample, 100)
  timer.unref()
  return {
    peakMb: () => {
      sample()
      return peakKb / 1024
    },
    stop: () => {
      sample()
      clearInterval(timer)
    },
  }
}

export interface BenchServerSpec {
  name: string
  command: string
  args: string[]
  env: Record<string, string>
  /** CPU list for taskset, e.g. "1"; the load generator keeps the others. */
  cpus?: string
  /** Path answering 2xx/4xx once the server is up. */
  readyPath?: string
}

export interface RunningServer {
  name: string
  pid: number
  port: number
  url: string
  /** Peak resident memory of the process tree so far, in MB. */
  peakRssMb(): number
  stop(): Promise<void>
  output(): string
}

/**
 * Starts a server (harness/server-process.ts) on a free loopback port, pinned to `cpus`
 * when taskset is there, waits until it answers HTTP, and samples its memory until it stops.
 */
export const startBenchServer = async (spec: BenchServerSpec): Promise<RunningServer> => {
  const port = await freePort()
  const [command, args] =
    spec.cpus && hasTaskset()
      ? ['taskset', ['-c', spec.cpus, spec.command, ...spec.args]]
      : [spec.command, spec.args]
  let memory: ReturnType<typeof rssSampler> | undefined
  const proc = await startServer({
    what: spec.name,
    command,
    args,
    // ENV_FILE=off: the servers never read a .env of the checkout; a run is what its options say.
    // SHUTDOWN_GRACE_MS=0: a bench server is stopped when its rows are done, not after a 5 s grace.
    env: {
      ...process.env,
      ENV_FILE: 'off',
      SHUTDOWN_GRACE_MS: '0',
      ...spec.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    port,
    timeoutMs: 20_000,
    readyPath: spec.readyPath ?? '/',
    onSpawn: (child) => {
      if (child.pid) memory = rssSampler(child.pid)
    },
  }).catch((e: Error) => {
    memory?.stop()
    throw new Error(`${spec.name} did not start: ${errorText(e)}`)
  })
  return {
    name: spec.name,
    pid: proc.child.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    peakRssMb: () => memory?.peakMb() ?? 0,
    output: proc.output,
    stop: async () => {
      memory?.stop()
      await proc.stop()
    },
  }
}

/** CPU seconds a server's whole process tree has used so far. */
export const serverCpuSeconds = (server: RunningServer): number =>
  processTree(server.pid).reduce((sum, p) => sum + cpuSeconds(p), 0)

/** FerretDB is a child of this process (the harness starts it). */
export const databaseCpuSeconds = (): number =>
  processTree(process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'ferretdb'
      } catch {
        return false
      }
    })
    .reduce((sum, p) => sum + cpuSeconds(p), 0)

/** CPU seconds the whole machine has spent busy (every process, this one included) since boot. */
export const machineCpuSeconds = (): number => {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? []
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
    return (user + nice + system + irq + softirq + steal) / 100
  } catch {
    return 0
  }
}

/** CPU seconds of this process and everything it started (servers, FerretDB, load generators). */
export const ownTreeCpuSeconds = (): number =>
  processTree(process.pid).reduce((sum, p) => sum + cpuSeconds(p), 0)
