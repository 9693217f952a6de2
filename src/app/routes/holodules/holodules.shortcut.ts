import { type Answer, encodedAnswer, VARY } from '../../encoded-answers.js'
import { JSON_CONTENT_TYPE } from '../../responses.js'
import { type Shortcut, shortAnswer } from '../../shortcuts.js'
import type { Days } from './holodules.handlers.js'

/**
 * The two paths a day is read at, as the routes have them: any segment is the route's (its guard
 * answers before the date is checked), and only a day the cache holds was a valid date.
 */
const DAY_PATH = /^\/holodules\/([^/]+)(\/?)$/
const ROUTES = ['/holodules/:date', '/holodules/:date/'] as const

const encoder = new TextEncoder()
/** An empty day: the first generation's 404 (responses.ts's notFound), the second's `[]`. */
const NOT_FOUND: Answer = {
  status: 404,
  body: encoder.encode(JSON.stringify({ error: 'Not found' })),
  headers: { 'content-type': JSON_CONTENT_TYPE },
}
const EMPTY = encoder.encode('[]')

/**
 * `GET /holodules/{date}` on the short way (app/shortcuts.ts): a day the cache holds fresh, for a
 * caller the guard let through before, answered as getDay answers it. No query string: the routes
 * answer those.
 */
export const dayShortcut = (
  days: Days,
  /** The generation whose guard lets the header through (middleware/jwt-required.ts's knownCaller). */
  caller: (authorization: string | null) => 1 | 2 | undefined,
  cacheTtl: number,
  /** The answer to a request with no Authorization header, where the first generation is served. */
  noToken: Answer | undefined,
): Shortcut => {
  const cacheControl = `private, max-age=${cacheTtl}`
  return (request, path, search) => {
    const date = search === '' ? DAY_PATH.exec(path) : null
    if (!date) return undefined
    const route = ROUTES[date[2] === '' ? 0 : 1]
    const authorization = request.headers.get('authorization')
    if (authorization === null) return noToken && shortAnswer(noToken, route)
    const day = days.peek(date[1] as string)
    if (day === undefined) return undefined
    const generation = caller(authorization)
    if (generation === undefined) return undefined
    days.hit()
    if (day === null)
      return generation === 1
        ? shortAnswer(NOT_FOUND, route)
        : { status: 200, body: EMPTY, headers: { 'content-type': JSON_CONTENT_TYPE, vary: VARY }, route }
    const ifNoneMatch = request.headers.get('if-none-match') ?? undefined
    return shortAnswer(
      encodedAnswer(ifNoneMatch, generation === 1 ? day.first : day.second, cacheControl),
      route,
    )
  }
}
