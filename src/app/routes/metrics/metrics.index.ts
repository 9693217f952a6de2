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
 * The credentials of `Authorization: Bearer <credentials>`, or undefined for any other scheme. The
 * scheme word is case-insensitive (RFC 9110 section 11.1, RFC 6750 section 2.1: Prometheus sends
 * `Bearer`, other scrapers `bearer`); one or more spaces may follow it.
 */
const bearerCredentials = (header: string | undefined): string | undefined => {
  const m = /^bearer +(\S.*)$/i.exec(header ?? '')
  return m?.[1]
}

/**
 * `GET /metrics` in Prometheus' text format. Its guard is its own, not jwtRequired: the scraper's
 * `Bearer <METRICS_TOKEN>` is no user token, and compared in constant time so a wrong guess learns
 * nothing about the right one.
 */
export const metricsRoutes = ({ exposition, token }: MetricsEndpoint) => {
  const expected = token === undefined ? undefined : bytes(token)
  return new Hono<AppEnv>().get('/metrics', async (c) => {
    const given = bearerCredentials(c.req.header('Authorization'))
    if (expected && (given === undefined || !timingSafeEqual(bytes(given), expected))) {
      return sendJson(c, { error: 'Unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer realm="metrics"' })
    }
    return c.body(await exposition.render(), 200, { 'Content-Type': exposition.contentType })
  })
}
