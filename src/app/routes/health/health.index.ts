import { OpenAPIHono } from '@hono/zod-openapi'
import type { Clock } from '../../../lib/clock.js'
import { createTtlCache } from '../../../lib/ttl-cache.js'
import { StoreUnavailableError } from '../../../store/errors.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { sendJson, serviceUnavailable } from '../../responses.js'
import { healthzRoute, readyzRoute } from './health.routes.js'

export interface HealthDeps {
  store: Pick<Store, 'ping'>
  clock: Clock
  /** False under workerd: the state is then refreshed inline, still at most once a second. */
  backgroundWork: boolean
}

/** How long one answer of the database stands for every /readyz. */
const READY_TTL_MS = 1000
/** How long a known state is served while a refresh (a ping that may hang) runs behind it. */
const READY_STALE_MS = 60_000

export const healthRoutes = ({ store, clock, backgroundWork }: HealthDeps) => {
  // An unauthenticated route must not turn each request into a ping: the database's state is
  // asked at most once a second, and a frozen database holds up the first request only.
  const state = createTtlCache<'db', boolean>({
    ttlMs: READY_TTL_MS,
    staleMs: READY_STALE_MS,
    clock,
    background: backgroundWork,
  })
  const ping = () =>
    store.ping().then(
      () => true,
      (e: unknown) => {
        if (e instanceof StoreUnavailableError) return false
        throw e
      },
    )
  return new OpenAPIHono<AppEnv>()
    .openapi(healthzRoute, (c) => sendJson(c, { status: 'ok' }, 200))
    .openapi(readyzRoute, async (c) =>
      (await state.get('db', ping)) ? sendJson(c, { status: 'ready' }, 200) : serviceUnavailable(c),
    )
}
