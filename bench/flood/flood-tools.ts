/**
 * What bench/flood/flood.ts measures with besides the load: tokens minted with the server's secret,
 * the check of a server before the flood, and the CPU and event-loop meters.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { issueToken, type JwtConfig } from '#src/auth/token.js'
import { SECRET } from '../lib/machine.js'
import {
  databaseCpuSeconds,
  machineCpuSeconds,
  ownTreeCpuSeconds,
  type RunningServer,
  serverCpuSeconds,
} from '../lib/procs.js'
import { BENCH_USER } from '../lib/seed.js'
import type { HttpClient } from './clients.js'

const JSON_TYPE = { 'Content-Type': 'application/json' }

/**
 * Tokens for BENCH_USER signed with the server's secret, each new to the server: `iat` one second
 * further back each time (a token is its text, and two minted in the same second would be equal).
 */
export const tokenMint = () => {
  const jwt: JwtConfig = {
    secret: SECRET,
    algorithm: 'HS256',
    expirationDelta: 86_400,
    notBeforeDelta: 0,
    leeway: 0,
    authHeaderPrefix: 'JWT',
    accessTokenExpires: 900,
  }
  const base = Date.now()
  let issued = 0
  return () => issueToken(jwt, BENCH_USER.username, base - 1000 * issued++)
}

/** The right answers before any load: a login from the readers' address, a read with a minted token. */
export const checkServer = async (client: HttpClient, dayPath: string, token: string): Promise<void> => {
  const login = await client.send('POST', '/auth', JSON_TYPE, JSON.stringify(BENCH_USER))
  if (login.status !== 200 || !login.body.includes('access_token'))
    throw new Error(`login from the readers' address answered ${login.status} ${login.body}`)
  const read = await client.send('GET', dayPath, { Authorization: `JWT ${token}` })
  if (read.status !== 200 || !read.body.startsWith('{'))
    throw new Error(`GET ${dayPath} with a minted token answered ${read.status} ${read.body.slice(0, 200)}`)
}

/** Whether the server still answers HTTP after the flood. */
export const stillAnswers = async (client: HttpClient): Promise<boolean> =>
  (await client.send('GET', '/holodules/x')).status !== 0

/** Starts counting CPU time and this process's event-loop delay; the function returned gives them since. */
export const cpuMeter = (server: RunningServer) => {
  const started = performance.now()
  // How late this process's own timers and sockets were served: what the clients' numbers include.
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  const server0 = serverCpuSeconds(server)
  const db0 = databaseCpuSeconds()
  const others0 = machineCpuSeconds() - ownTreeCpuSeconds()
  return () => {
    const seconds = (performance.now() - started) / 1000
    lag.disable()
    return {
      clientLagP99: Math.round(lag.percentile(99) / 1e5) / 10,
      serverCpu: (serverCpuSeconds(server) - server0) / seconds,
      dbCpu: (databaseCpuSeconds() - db0) / seconds,
      // Other jobs on this machine (other sessions' tests) take CPU from the server and the clients.
      othersCpu: (machineCpuSeconds() - ownTreeCpuSeconds() - others0) / seconds,
    }
  }
}
