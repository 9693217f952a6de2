import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from '../../../lib/body-limit.js'
import type { AppEnv } from '../../env.js'
import type { DocumentedGenerations } from '../../openapi/schemas.js'
import { sendJson } from '../../responses.js'
import {
  type Calendars,
  createFeed,
  type FeedDeps,
  type LiveFeeds,
  listFeeds,
  removeFeed,
} from './feeds.handlers.js'
import {
  calendarRoute,
  createFeedRoute,
  feedSecurity,
  listFeedsRoute,
  removeFeedRoute,
} from './feeds.routes.js'

/**
 * Calendar feeds (new: none of the old services had one). Made, listed and revoked with any
 * generation's token under its own scheme (the guard of `/holodules`, which answers each in its
 * words); read by calendar apps through a secret URL, without a header.
 */
export const feedRoutes = ({
  guard,
  generations,
  live,
  calendars,
  ...deps
}: FeedDeps & {
  guard: MiddlewareHandler<AppEnv>
  generations: DocumentedGenerations
  live: LiveFeeds
  calendars: Calendars
}) => {
  const security = feedSecurity(generations)
  const limit = bodyLimit({
    maxSize: 4096,
    onError: (c) => sendJson(c, { error: 'Request body is too large' }, 413),
  })
  const hook = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success)
      return sendJson(c, { error: 'Bad request: group, code and keyword are optional strings' }, 400)
  }
  return new OpenAPIHono<AppEnv>()
    .openapi(
      { ...createFeedRoute, security, middleware: [guard, limit] },
      (c) => createFeed(deps)(c, c.req.valid('json')),
      hook,
    )
    .openapi({ ...listFeedsRoute, security, middleware: guard }, (c) => listFeeds(deps)(c))
    .openapi({ ...removeFeedRoute, security, middleware: guard }, (c) =>
      removeFeed(deps, live)(c, c.req.valid('param').id),
    )
    .openapi(calendarRoute, (c) => calendars.serve(c, c.req.valid('param').file))
}
