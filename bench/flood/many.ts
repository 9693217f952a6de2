/**
 * The many-addresses rows of the login flood (issue 19): the load (many-load.ts) from 32 addresses,
 * and, once it is over, guesses at one user name from six more addresses at once, counted as hashed
 * (401), held by the account limit (429) or refused busy (503).
 */
import { fileURLToPath } from 'node:url'
import type { BenchOptions } from '../lib/options.js'
import { BENCH_USER } from '../lib/seed.js'
import { httpClient } from './clients.js'
import { floodAddresses, type ManyLoadSpec } from './many-load.js'

/** The driver startFloodLoad runs for these rows. */
export const MANY_LOAD = fileURLToPath(new URL('./many-load.ts', import.meta.url))

/** Rotating user names: the legitimate one among them, so its account limit is passed during the flood. */
const MANY_USERS = [BENCH_USER.username, 'admin', 'root', 'user01', 'guest', 'test', 'oracle', 'support']

export const manySpec = (serverUrl: string, opts: BenchOptions, timeoutS: number): ManyLoadSpec => ({
  url: `${serverUrl}/auth`,
  addresses: floodAddresses(32),
  connectionsPerAddress: 2,
  duration: opts.duration,
  maxRequests: opts.floodRequests,
  usernames: MANY_USERS,
  timeout: timeoutS,
})

/** Six addresses guessing at one user name, each one guess after another. */
const GUESSERS = Array.from({ length: 6 }, (_, i) => `127.0.1.${41 + i}`)
export const GUESSED_USER = 'guessed-user'
/** The account limit at the default LOGIN_MAX_CONSECUTIVE_FAILS (10): 2 x 10 failures an hour. */
export const ACCOUNT_LIMIT = 20

export interface GuessCounts {
  sent: number
  /** Password checks run (401). */
  hashed: number
  /** Held without a hash (429): the account limit, or an address's own. */
  limited: number
  busy: number
  other: number
}

/** `perAddress` guesses from each of six addresses at once, at GUESSED_USER. */
export const guessAtOneUser = async (serverUrl: string, perAddress: number): Promise<GuessCounts> => {
  const counts: GuessCounts = { sent: 0, hashed: 0, limited: 0, busy: 0, other: 0 }
  await Promise.all(
    GUESSERS.map(async (address, a) => {
      const client = httpClient(serverUrl, address, 15_000)
      try {
        for (let i = 0; i < perAddress; i++) {
          const body = JSON.stringify({ username: GUESSED_USER, password: `guess-${a}-${i}` })
          const t = await client.send('POST', '/auth', { 'Content-Type': 'application/json' }, body)
          counts.sent++
          if (t.status === 401) counts.hashed++
          else if (t.status === 429) counts.limited++
          else if (t.status === 503) counts.busy++
          else counts.other++
        }
      } finally {
        client.close()
      }
    }),
  )
  return counts
}

/** The guessers' bound: the account limit, plus one check of each address that may have been in flight as it passed. */
export const GUESS_BOUND = ACCOUNT_LIMIT + GUESSERS.length
