import { OpenAPIHono } from '@hono/zod-openapi'
import type { Clock } from '../../../lib/clock.js'
import { StoreUnavailableError } from '../../../store/errors.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { sendJson, serviceUnavailable } from '../../responses.js'
import { healthzRoute, readyzRoute } from './health.routes.js'

export interface HealthDeps {
  store: Pick<Store, 'ping'>
  clock: Clock
  /**
   * False under workerd, which cancels what a request leaves running once it has answered: a ping
   * still out at the wait is then given up on, and the next /readyz starts its own.
   */
  backgroundWork: boolean
}

/** How long one answer of the database stands for every /readyz. */
export const READY_TTL_MS = 1000
/**
 * How long a /readyz waits on a ping before it answers 503. Under a second, so the first probe
 * after an outage says so within a second (probes commonly time out at 1 s), where a dead database
 * holds a ping for the driver's 2 s; a database slower than this to answer a ping is not ready to
 * serve either.
 */
export const READY_WAIT_MS = 500

interface Ping {
  /** Whether the database answered; rejects on a failure other than unavailability (a 500). */
  answer: Promise<boolean>
  /** Resolves false once the wait is over (never when the ping settles first). */
  waited: Promise<boolean>
}

/**
 * Readiness: the database answered a ping asked less than READY_TTL_MS ago. One ping at a time
 * whatever the number of probes (an unauthenticated route must not turn each request into a ping),
 * and never a stale "ready": once the last answer is older than READY_TTL_MS, a probe waits on a
 * new ping for at most READY_WAIT_MS from its start, and answers 503 when it has not answered.
 */
export const healthRoutes = ({ store, clock, backgroundWork }: HealthDeps) => {
  let known: { ready: boolean; askedAt: number } | undefined
  let pending: Ping | undefined

  const startPing = (): Ping => {
    const askedAt = clock.now()
    let timer: ReturnType<typeof setTimeout> | undefined
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        // Under workerd the ping may never settle once the request that started it has answered.
        if (!backgroundWork && pending === ping) pending = undefined
        resolve(false)
      }, READY_WAIT_MS)
    })
    const answer = store.ping().then(
      () => true,
      (e: unknown) => {
        if (e instanceof StoreUnavailableError) return false
        throw e
      },
    )
    const ping: Ping = { answer, waited }
    const settled = () => {
      clearTimeout(timer)
      if (pending === ping) pending = undefined
    }
    answer.then((ready) => {
      settled()
      // An answer asked before the one already known (a slow ping outrun by a later one) is older.
      if (!known || known.askedAt <= askedAt) known = { ready, askedAt }
    }, settled)
    return ping
  }

  const isReady = async (): Promise<boolean> => {
    if (known && clock.now() - known.askedAt < READY_TTL_MS) return known.ready
    pending ??= startPing()
    // The answer first: a ping settled by now wins over a wait that is over too.
    return Promise.race([pending.answer, pending.waited])
  }

  return new OpenAPIHono<AppEnv>()
    .openapi(healthzRoute, (c) => sendJson(c, { status: 'ok' }, 200))
    .openapi(readyzRoute, async (c) =>
      (await isReady()) ? sendJson(c, { status: 'ready' }, 200) : serviceUnavailable(c),
    )
}
