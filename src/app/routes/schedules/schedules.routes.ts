import { createRoute, z } from '@hono/zod-openapi'
import { isCalendarDate } from '../../../store/days.js'
import { cachedAnswerHeaders } from '../../encoded-answers.js'
import {
  bearerRefusals,
  entityMissing,
  unprocessable as unprocessableBody,
} from '../../openapi/bearer-responses.js'
import { commonResponses, json } from '../../openapi/schemas.js'

const TAG = 'third generation (FastAPI, 2024)'
const SECURITY = [{ OAuth2: [] }]

/** `YYYY-MM-DD` naming a day that exists; anything else is the 2024 service's 422. */
const isoDay = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && isCalendarDate(v.replaceAll('-', '')))
  .openapi({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', example: '2024-01-10' })

export const schedulesQuerySchema = z.object({
  sdate: isoDay.optional().openapi({ description: 'First Japan day, inclusive.' }),
  edate: isoDay.optional().openapi({ description: 'Last Japan day, inclusive.' }),
  keyword: z.string().optional().openapi({ description: 'Text in title, name or description, any case.' }),
  group: z
    .string()
    .optional()
    .openapi({ description: "The codes of this group's streamers.", example: 'hololive' }),
  code: z.string().optional().openapi({ description: 'One streamer code; with group, their union.' }),
})

const nullableText = z.string().nullable()
export const scheduleItemSchema = z
  .object({
    id: z.string().openapi({ example: '659e4f1c2b7d4a0012345678' }),
    code: z.string(),
    video_id: z.string(),
    streaming_at: z
      .string()
      .openapi({ description: 'Japan wall clock, no offset.', example: '2024-01-10T21:00:00' }),
    name: z.string(),
    title: z.string(),
    url: z.string(),
    description: z.string(),
    published_at: nullableText.openapi({ description: 'UTC, no offset.' }),
    channel_id: nullableText,
    channel_title: nullableText,
    tags: z.array(z.string()),
    key: z.string(),
  })
  .strict()
  .openapi('ScheduleItem')

export const streamerSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    group: z.string(),
    affiliations: z.array(z.string()),
    image_name: z.string(),
    channel_id: z.string(),
    is_retired: z.boolean(),
  })
  .strict()
  .openapi('Streamer')

const idParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })

const refused = bearerRefusals
const notFound = entityMissing()
const unprocessable = unprocessableBody('A parameter off the schema.')

/** A 200 kept for HOLODULES_CACHE_TTL: its ETag, Cache-Control and Vary; and the 304 for If-None-Match. */
const cached = <T extends z.ZodType>(schema: T, description: string) => ({
  200: {
    ...json(schema, `${description} With ETag, Cache-Control and Vary.`),
    headers: cachedAnswerHeaders(true),
  },
  304: { description: 'If-None-Match named the current ETag.', headers: cachedAnswerHeaders(true) },
})

export const listSchedulesRoute = createRoute({
  method: 'get',
  path: '/schedules',
  operationId: 'listSchedules',
  tags: [TAG],
  summary: 'Streams of a range of Japan days',
  description: 'Newest `streaming_at` first, at most 1000.',
  security: SECURITY,
  request: { query: schedulesQuerySchema },
  responses: {
    ...cached(z.object({ schedules: z.array(scheduleItemSchema) }).strict(), 'The streams.'),
    ...refused,
    422: unprocessable,
    ...commonResponses,
  },
})

export const getScheduleRoute = createRoute({
  method: 'get',
  path: '/schedules/{id}',
  operationId: 'getSchedule',
  tags: [TAG],
  summary: 'One stream',
  security: SECURITY,
  request: { params: idParams },
  responses: {
    ...cached(scheduleItemSchema, 'The stream.'),
    ...refused,
    404: notFound,
    422: unprocessable,
    ...commonResponses,
  },
})

export const listStreamersRoute = createRoute({
  method: 'get',
  path: '/streamers',
  operationId: 'listStreamers',
  tags: [TAG],
  summary: 'Members, sorted by code',
  security: SECURITY,
  request: { query: z.object({ group: z.string().optional().openapi({ example: 'hololive' }) }) },
  responses: {
    ...cached(z.object({ streamers: z.array(streamerSchema) }).strict(), 'The members.'),
    ...refused,
    422: unprocessable,
    ...commonResponses,
  },
})

export const getStreamerRoute = createRoute({
  method: 'get',
  path: '/streamers/{id}',
  operationId: 'getStreamer',
  tags: [TAG],
  summary: 'One member',
  security: SECURITY,
  request: { params: idParams },
  responses: {
    ...cached(streamerSchema, 'The member.'),
    ...refused,
    404: notFound,
    422: unprocessable,
    ...commonResponses,
  },
})
