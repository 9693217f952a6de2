import { createRoute, z } from '@hono/zod-openapi'
import { isCalendarDate } from '../../../store/days.js'
import { bearerRefusals, entityMissing, notAllowed, unprocessable } from '../../openapi/bearer-responses.js'
import { commonResponses, json } from '../../openapi/schemas.js'
import { scheduleItemSchema, streamerSchema } from './schedules.routes.js'

const TAG = 'third generation (FastAPI, 2024)'
const SECURITY = [{ OAuth2: [] }]

/** `YYYY-MM-DDTHH:MM:SS`, a real day and time, no offset: as the 2024 service printed them. */
const wallClock = z
  .string()
  .refine((v) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/.exec(v)
    return m !== null && isCalendarDate(`${m[1]}${m[2]}${m[3]}`)
  })
  .openapi({
    pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$',
    example: '2024-01-10T21:00:00',
  })

const text = z.string().max(10_000)
const short = z.string().min(1).max(200)

/** A stream's fields as a writer sends them; fields the schema does not name are dropped, never stored. */
const scheduleFields = z.object({
  code: short,
  video_id: short,
  streaming_at: wallClock,
  name: short,
  title: text,
  url: text,
  description: text,
  published_at: wallClock.nullable(),
  channel_id: short.nullable(),
  channel_title: text.nullable(),
  tags: z.array(short).max(100),
  key: short,
})

/** A new stream: what the 2020 collector never wrote may be left out. */
export const scheduleInputSchema = scheduleFields
  .extend({
    description: scheduleFields.shape.description.default(''),
    published_at: scheduleFields.shape.published_at.default(null),
    channel_id: scheduleFields.shape.channel_id.default(null),
    channel_title: scheduleFields.shape.channel_title.default(null),
    tags: scheduleFields.shape.tags.default([]),
    key: scheduleFields.shape.key.optional(),
  })
  .openapi('ScheduleInput')

/** A change: only the fields sent change (the 2024 service overwrote the dates left out with "now"). */
export const scheduleChangeSchema = scheduleFields.partial().openapi('ScheduleChange')

const streamerFields = z.object({
  code: short,
  name: short,
  group: short,
  affiliations: z.array(short).max(50),
  image_name: text,
  channel_id: text,
  is_retired: z.boolean(),
})

export const streamerInputSchema = streamerFields
  .extend({
    affiliations: streamerFields.shape.affiliations.default([]),
    image_name: streamerFields.shape.image_name.default(''),
    channel_id: streamerFields.shape.channel_id.default(''),
    is_retired: streamerFields.shape.is_retired.default(false),
  })
  .openapi('StreamerInput')

export const streamerChangeSchema = streamerFields.partial().openapi('StreamerChange')

const idParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) })
const guarded = {
  ...bearerRefusals,
  ...notAllowed,
  413: unprocessable('The body is too large.'),
  422: unprocessable('A body off the schema.'),
  ...commonResponses,
}
const missing = entityMissing('No such id.')
const body = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
})

const writes = <I extends z.ZodType, C extends z.ZodType, R extends z.ZodType, P extends string>(
  path: P,
  what: string,
  input: I,
  change: C,
  record: R,
) => ({
  create: createRoute({
    method: 'post',
    path,
    tags: [TAG],
    summary: `Add ${what} (admin)`,
    security: SECURITY,
    request: { body: body(input) },
    responses: { 201: json(record, 'As stored.'), ...guarded },
  }),
  update: createRoute({
    method: 'put',
    path: `${path}/{id}` as `${P}/{id}`,
    tags: [TAG],
    summary: `Change ${what} (admin): only the fields sent`,
    security: SECURITY,
    request: { params: idParams, body: body(change) },
    responses: { 200: json(record, 'As stored now.'), 404: missing, ...guarded },
  }),
  remove: createRoute({
    method: 'delete',
    path: `${path}/{id}` as `${P}/{id}`,
    tags: [TAG],
    summary: `Remove ${what} (admin)`,
    security: SECURITY,
    request: { params: idParams },
    responses: { 204: { description: 'Removed.' }, 404: missing, ...guarded },
  }),
})

export const scheduleWriteRoutes = writes(
  '/schedules',
  'a stream',
  scheduleInputSchema,
  scheduleChangeSchema,
  scheduleItemSchema,
)
export const streamerWriteRoutes = writes(
  '/streamers',
  'a member',
  streamerInputSchema,
  streamerChangeSchema,
  streamerSchema,
)
