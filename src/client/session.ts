// The login of each generation and the session that renews its token.
import { loginError, unexpected } from './answers.js'
import { InvalidCredentialsError } from './errors.js'
import type { Call, CallOptions, Transport } from './transport.js'
import type { Generation } from './types.js'

const LOGIN_PATH = { 1: 'auth', 2: 'login', 3: 'token' } as const

/**
 * The login request of each generation: JSON `{username, password}` to /auth or /login, OAuth2's
 * password form to /token.
 */
const loginRequest = (generation: Generation, username: string, password: string): RequestInit =>
  generation === 3
    ? {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      }
    : {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      }

export type Session = ReturnType<typeof createSession>

/** The token and the credentials that renew it; one renewal at a time, whoever asks. */
export const createSession = (
  base: string,
  generation: Generation,
  transport: Transport,
  initial: string | undefined,
) => {
  let token = initial
  let credentials: { username: string; password: string } | undefined
  let renewing: Promise<void> | undefined
  // Bumped by login and logout, so a renewal of an older session never overwrites a newer token.
  let epoch = 0

  const requestToken = async (call: Call, username: string, password: string): Promise<string> => {
    const path = `/${LOGIN_PATH[generation]}`
    const a = await call.send(`POST ${path}`, `${base}${path}`, loginRequest(generation, username, password))
    if (a.status !== 200) throw loginError(a)
    const t = (a.body as { access_token?: unknown } | undefined)?.access_token
    if (typeof t !== 'string' || t === '') throw unexpected('login', a, 'no access_token')
    return t
  }

  const logout = () => {
    epoch++
    token = undefined
    credentials = undefined
    renewing = undefined
  }

  return {
    token: () => token,
    canRenew: () => credentials !== undefined,
    logout,
    async login(username: string, password: string, options?: CallOptions) {
      logout()
      const mine = epoch
      const t = await transport.run(options, (call) => requestToken(call, username, password))
      if (mine !== epoch) return
      token = t
      credentials = { username, password }
    },
    renew(stale: string | undefined): Promise<void> {
      // Another call renewed it while this one's request was out: use that token.
      if (token !== stale) return Promise.resolve()
      if (renewing) return renewing
      const creds = credentials
      if (!creds) return Promise.resolve()
      const mine = epoch
      // Shared by every call that found the token expired: bounded by the client's options, not
      // one call's (each caller stops waiting on its own signal and time; see Call.wait).
      const p: Promise<void> = transport
        .run(undefined, (call) => requestToken(call, creds.username, creds.password))
        .then(
          (t) => {
            if (mine === epoch) token = t
          },
          (e: unknown) => {
            // The password changed or the user is gone: stop sending credentials that count as failures.
            if (mine === epoch && e instanceof InvalidCredentialsError) logout()
            throw e
          },
        )
        .finally(() => {
          if (renewing === p) renewing = undefined
        })
      renewing = p
      return p
    },
  }
}
