// The third generation's reads (/schedules, /streamers) with `Authorization: Bearer`.
import { type Answer, bearerError } from './answers.js'
import { NotFoundError } from './errors.js'
import { hasExpired, isRefusedBearer } from './schedule-answers.js'
import type { Session } from './session.js'
import type { CallOptions, Transport } from './transport.js'
import type { Generation } from './types.js'

/** The filters given (undefined and `''` left out) as a query string, in `names`' order. */
export const queryOf = <K extends string>(
  filter: Partial<Record<K, string>>,
  names: readonly K[],
): string => {
  const params = new URLSearchParams()
  for (const name of names) {
    const value = filter[name]
    if (value !== undefined && value !== '') params.set(name, value)
  }
  const query = params.toString()
  return query === '' ? '' : `?${query}`
}

/** An id as one path segment (`''`, `.` and `..` cannot be one: refused, as no entity has them). */
export const idSegment = (what: string, id: string): string => {
  if (id === '' || id === '.' || id === '..')
    throw new NotFoundError(`${what}: not sent (not a path segment)`, 0, undefined, id)
  return encodeURIComponent(id)
}

/**
 * The third generation's reads with `Authorization: Bearer`. Its 401 says the same for every
 * refused token, so with credentials the client logs in again once on any of them (an expired
 * token, a rotated secret), then asks once more; a password that no longer works ends the session
 * as in getDay.
 */
export const bearerReads = (
  base: string,
  generation: Generation,
  transport: Transport,
  session: Session,
) => ({
  /** The 200 of `path`, or its failure as a typed error. */
  async get(what: string, path: string, options: CallOptions | undefined, dates?: string): Promise<Answer> {
    if (generation === 1)
      throw new TypeError(
        `${what}: the third generation's reads need generation 2 or 3 (a first-generation token has no sub)`,
      )
    return transport.run(options, async (call) => {
      const ask = (token: string | undefined) => {
        const headers: Record<string, string> = { Accept: 'application/json' }
        if (token !== undefined) headers.Authorization = `Bearer ${token}`
        return call.send(what, `${base}${path}`, { method: 'GET', headers })
      }
      let sentWith = session.token()
      let a = await ask(sentWith)
      if (isRefusedBearer(a) && session.canRenew()) {
        await call.wait('login', session.renew(sentWith))
        sentWith = session.token()
        a = await ask(sentWith)
      }
      if (a.status === 200) return a
      throw bearerError(what, a, isRefusedBearer(a) && hasExpired(sentWith), dates)
    })
  },
})
