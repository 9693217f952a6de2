import { createRoute, z } from '@hono/zod-openapi'
import { commonResponses, type DocumentedGenerations, json } from '../../openapi/schemas.js'

const TAG = 'calendar feeds'
/** Any enabled generation's token under its own scheme: the schemes the document has. */
export const feedSecurity = (g: DocumentedGenerations): Array<Record<string, string[]>> => [
  ...(g.first ? [{ JWT: [] }] : []),
  ...(g.second ? [{ Bearer: [] }] : []),
  ...(g.third ? [{ OAuth2: [] }] : []),
]

const filterText = z.string().min(1).max(200).nullable()

export const feedInputSchema = z
  .object({
    group: filterText.default(null),
    code: filterText.default(null),
    keyword: filterText.default(null),
  })
  .strict()
  .openapi('FeedInput')

const feedFields = {
  id: z.string(),
  group: z.string().nullable(),
  code: z.string().nullable(),
  keyword: z.string().nullable(),
  created: z.string().openapi({ example: '2024-01-10T12:00:00.000Z' }),
}
export const feedSchema = z.object(feedFields).strict().openapi('Feed')
export const newFeedSchema = z
  .object({ ...feedFields, url: z.string().url() })
  .strict()
  .openapi('NewFeed', { description: 'The only answer that shows the secret URL.' })

const refused = {
  401: json(
    z.record(z.string(), z.unknown()),
    "No token, or one refused: in the token's generation's words.",
  ),
  422: json(z.record(z.string(), z.unknown()), 'A malformed Bearer token (second generation).'),
}
const badBody = json(z.object({ error: z.string() }).strict(), 'A body off the schema.')

export const createFeedRoute = createRoute({
  method: 'post',
  path: '/feeds',
  tags: [TAG],
  summary: 'Make a calendar feed of the schedule, filtered as /schedules',
  request: { body: { required: true, content: { 'application/json': { schema: feedInputSchema } } } },
  responses: {
    201: json(newFeedSchema, 'The feed, with its secret URL: shown once, stored only as a hash.'),
    400: badBody,
    409: json(
      z.object({ error: z.string(), limit: z.number().int() }).strict(),
      'The user has as many feeds as allowed.',
    ),
    413: badBody,
    ...refused,
    ...commonResponses,
  },
})

export const listFeedsRoute = createRoute({
  method: 'get',
  path: '/feeds',
  tags: [TAG],
  summary: "The user's feeds, without their secrets",
  responses: {
    200: json(z.object({ feeds: z.array(feedSchema) }).strict(), 'Oldest first.'),
    ...refused,
    ...commonResponses,
  },
})

export const removeFeedRoute = createRoute({
  method: 'delete',
  path: '/feeds/{id}',
  tags: [TAG],
  summary: 'Revoke a feed: its URL answers 404 at once',
  request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    204: { description: 'Revoked.' },
    404: json(z.object({ error: z.string() }).strict(), 'The user has no such feed.'),
    ...refused,
    ...commonResponses,
  },
})

export const calendarRoute = createRoute({
  method: 'get',
  path: '/calendar/{file}',
  tags: [TAG],
  summary: 'A feed as an RFC 5545 calendar, for calendar apps (no Authorization: the URL is the secret)',
  request: {
    params: z.object({
      file: z.string().openapi({ param: { name: 'file', in: 'path' }, example: '<secret>.ics' }),
    }),
  },
  responses: {
    200: {
      description: 'Streams from 7 days back to 30 days ahead. ETag and If-None-Match → 304.',
      content: { 'text/calendar': { schema: z.string() } },
    },
    304: { description: 'If-None-Match named the current ETag.' },
    404: json(
      z.object({ error: z.string() }).strict(),
      'An unknown, revoked or orphaned secret: one answer for all.',
    ),
    ...commonResponses,
  },
})
