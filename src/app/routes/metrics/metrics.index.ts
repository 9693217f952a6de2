import { Hono } from 'hono'
import { timingSafeEqual } from '../../../lib/timing-safe-equal.js'
import type { AppEnv } from '../../env.js'
import type { MetricsExposition } from '../../metrics.js'
import { sendJson } from '../../responses.js'

export interface MetricsEndpoint {
  exposition: MetricsExposition
  /** Absent: no guard (only on the loopback listener of METRICS_PORT). */
  token?: string
}

const bytes = (s: string) => new TextEncoder().encode(s)

/**
 * `GET /metrics` in Prometheus' text format. Its guard is its own, not jwtRequired: the scraper's
 * `Bearer <METRICS_TOKEN>` is no user token, and compared in constant time so a wrong guess learns
 * nothing about the right one.
 */
export const metricsRoutes = ({ exposition, token }: MetricsEndpoint) => {
  const expected = token === undefined ? undefined : bytes(`Bearer ${token}`)
  return new Hono<AppEnv>().get('/metrics', async (c) => {
    if (expected && !timingSafeEqual(bytes(c.req.header('Authorization') ?? ''), expected)) {
      return sendJson(c, { error: 'Unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer realm="metrics"' })
    }
    return c.body(await exposition.render(), 200, { 'Content-Type': exposition.contentType })
  })
}
