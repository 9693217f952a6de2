import type { ExecutionContext } from 'hono'
import { requestLine } from '../lib/access-log.js'
import type { Logger } from '../lib/logger.js'
import type { Answer } from './encoded-answers.js'
import type { Metrics } from './metrics.js'
import type { WireHeaderRules } from './middleware/wire-headers.js'
import { addHeaders } from './responses.js'

/** A kept answer a shortcut found, and the route that would have answered it (the metrics' label). */
export interface ShortAnswer extends Answer {
  /** The route's pattern, as the metrics name it: `/holodules/:date`. */
  route: string
}

/**
 * `answer` for `route`, as a new object literal: V8 copies an object spread (`{ ...answer, route }`)
 * through a slow generic path, which was the largest single cost of a hot GET on Node 20 (a
 * --cpu-prof's line ticks).
 */
export const shortAnswer = ({ status, body, headers }: Answer, route: string): ShortAnswer => ({
  status,
  body,
  headers,
  route,
})

/**
 * A GET's answer when everything it needs is kept and fresh: a token verified before, its user, the
 * encoded answer. `undefined` for anything else, which the routes then answer (every refusal, miss,
 * stale value and error is theirs, so a shortcut only ever repeats what they answered).
 * `path` is the URL's path, never percent-encoded; `search` its query with the `?`, or ''.
 */
export type Shortcut = (request: Request, path: string, search: string) => ShortAnswer | undefined

export interface ShortcutsDeps {
  /** By the path's first segment, slashes included (`/holodules/`), or the whole path when it has one. */
  shortcuts: ReadonlyMap<string, Shortcut>
  wire: WireHeaderRules
  logger: Logger
  /** The client's address, for the access line. */
  address: (request: Request, env: unknown) => string
  metrics?: Metrics
}

/** Hono's `app.fetch`. */
export type Fetch = (
  request: Request,
  env?: unknown,
  executionCtx?: ExecutionContext,
) => Response | Promise<Response>

/** The shortcut for a path, if one is registered under its first segment. */
const shortcutFor = (shortcuts: ReadonlyMap<string, Shortcut>, path: string) => {
  const second = path.indexOf('/', 1)
  return shortcuts.get(second === -1 ? path : path.slice(0, second + 1))
}

/**
 * The hot reads' short way: `dispatch` (Hono's) with the answers the shortcuts find kept given
 * before it, with what the middleware would have added (the request id, the wire headers, the
 * access line, the request's metrics). On a hot GET, Hono's routing, its middleware chain, the
 * validators and their promises cost about as much server CPU as the app's own work (issue 20's
 * profile); here the answer is made synchronously. Anything a shortcut does not find goes to
 * `dispatch`, which answers as it always did, and fills what the next request finds.
 */
export const withShortcuts = (
  dispatch: Fetch,
  { shortcuts, wire, logger, address, metrics }: ShortcutsDeps,
): Fetch => {
  const logged = logger.enabled('info')
  return (request, env, executionCtx) => {
    if (request.method !== 'GET') return dispatch(request, env, executionCtx)
    const url = request.url
    // After `scheme://host`: the host holds no '/'.
    const start = url.indexOf('/', url.indexOf('://') + 3)
    const query = url.indexOf('?', start)
    const path = query === -1 ? url.slice(start) : url.slice(start, query)
    // A percent-encoded path is Hono's to decode.
    const shortcut = start === -1 || path.includes('%') ? undefined : shortcutFor(shortcuts, path)
    const began = metrics ? performance.now() : 0
    const answer = shortcut?.(request, path, query === -1 ? '' : url.slice(query))
    if (!answer) return dispatch(request, env, executionCtx)
    const headers = request.headers
    const id = wire.idOf(headers.get('x-request-id') ?? undefined)
    const made = wire.headersFor(() => headers.get('origin') ?? undefined, false)(id)
    const res = new Response(answer.body, {
      status: answer.status,
      headers: addHeaders(made, answer.headers),
    })
    if (logged)
      logger.info('request', {
        ...requestLine(id, 'GET', path, answer.status, 0),
        address: address(request, env),
      })
    metrics?.request(answer.route, 'GET', answer.status, (performance.now() - began) / 1000)
    return res
  }
}
