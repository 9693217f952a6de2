import { readdirSync, readFileSync } from 'node:fs'

/** Children of `pid` (all its threads), read from /proc; empty when it is gone. */
export const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    )
  } catch {
    return []
  }
}

export interface ThreadStat {
  /** Scheduling policy: 0 SCHED_OTHER, 5 SCHED_IDLE. */
  policy: number
  nice: number
  /** CPU time used, in clock ticks (user + system). */
  ticks: number
}

export const SCHED_OTHER = 0
export const SCHED_IDLE = 5

/** Each thread of `pid` (`self` for this process): fields 14, 15, 19 and 41 of its stat (proc(5)). */
export const threadsOf = (pid: number | 'self'): ThreadStat[] =>
  readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    // After the command name in parentheses, which may hold spaces, comes field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { policy: Number(f[38]), nice: Number(f[16]), ticks: Number(f[11]) + Number(f[12]) }
  })
