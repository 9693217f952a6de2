import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { freePort, waitForPort } from '../../test/support/ferretdb.js'
import { childrenOf } from '../../test/support/procfs.js'

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

export interface ServerSpec {
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
 * Starts a server on a free loopback port, waits until it answers HTTP, and samples the resident
 * memory of its whole process tree (cluster workers included) every 100 ms until it stops.
 */
export const startServer = async (spec: ServerSpec): Promise<RunningServer> => {
  const port = await freePort()
  const [command, args] =
    spec.cpus && hasTaskset()
      ? ['taskset', ['-c', spec.cpus, spec.command, ...spec.args]]
      : [spec.command, spec.args]
  const child: ChildProcess = spawn(command as string, args as string[], {
    env: { ...process.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const pid = child.pid as number
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

  try {
    await waitForPort(port, 20_000, spec.name)
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await fetch(url + (spec.readyPath ?? '/'))
        break
      } catch (e) {
        if (Date.now() > deadline) throw e
        await new Promise((r) => setTimeout(r, 50))
      }
    }
  } catch (e) {
    clearInterval(timer)
    child.kill('SIGKILL')
    throw new Error(`${spec.name} did not start: ${(e as Error).message}\n${out}`)
  }

  return {
    name: spec.name,
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    peakRssMb: () => {
      sample()
      return peakKb / 1024
    },
    output: () => out,
    stop: async () => {
      sample()
      clearInterval(timer)
      if (child.exitCode !== null || child.signalCode !== null) return
      const tree = processTree(pid)
      child.kill('SIGTERM')
      const killer = setTimeout(() => {
        for (const p of tree) {
          try {
            process.kill(p, 'SIGKILL')
          } catch {}
        }
      }, 5000)
      await exited
      clearTimeout(killer)
      // Cluster workers exit with their primary; make sure none is left behind.
      for (const p of tree.slice(1)) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {}
      }
    },
  }
}
