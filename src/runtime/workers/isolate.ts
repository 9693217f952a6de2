import type { ExecutionContext } from 'hono'
import type { PeerAddress } from '../../app/index.js'
import { parseWorkerConfig, type WorkerConfig } from '../../config/worker-config.js'

export type Bindings = Record<string, unknown>

/** Cloudflare sets the client's address in CF-Connecting-IP; a client cannot choose it at the edge. */
export const edgePeer: PeerAddress = (request) => request.headers.get('CF-Connecting-IP') ?? undefined

const CONFIG_ERROR = JSON.stringify({ error: 'Internal Server Error' })

/**
 * A Worker's fetch with what it builds once per isolate: `setup` runs on the first request from the
 * validated bindings (or returns a config error to log), then its result serves every request until
 * the bindings change. A bad config answers 500 and names the variables in the log, never values.
 */
export const perIsolate = <T>(
  setup: (config: WorkerConfig) => T | string,
  handle: (state: T, request: Request, env: Bindings, ctx: ExecutionContext) => Promise<Response>,
) => {
  let cached: { bindings: Bindings; state: T | null } | undefined
  const stateFor = (bindings: Bindings): T | null => {
    if (cached?.bindings === bindings) return cached.state
    const parsed = parseWorkerConfig(bindings)
    let state: T | null = null
    if (!parsed.ok) {
      for (const e of parsed.errors) console.error(`config error: ${e}`)
    } else {
      const built = setup(parsed.config)
      if (typeof built === 'string') console.error(`config error: ${built}`)
      else state = built
    }
    cached = { bindings, state }
    return state
  }
  return {
    fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
      const state = stateFor(env)
      if (state === null) {
        return Promise.resolve(
          new Response(CONFIG_ERROR, {
            status: 500,
            headers: { 'Content-Type': 'application/json; charset=UTF-8' },
          }),
        )
      }
      return handle(state, request, env, ctx)
    },
  }
}
