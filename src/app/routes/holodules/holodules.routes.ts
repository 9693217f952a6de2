import { createRoute, z } from '@hono/zod-openapi'
import { isCalendarDate } from '../../../store/days.js'
import { cachedAnswerHeaders } from '../../encoded-answers.js'
import {
  byGeneration,
  commonResponses,
  type DocumentedGenerations,
  errorOnly,
  flaskJwtError,
  json,
  msgBody,
  notFoundBody,
} from '../../openapi/schemas.js'

/** The date the route validates (its hook answers the contract's 400); the pattern is for readers. */
export const paramsSchema = z.object({
  date: z
    .string()
    .refine(isCalendarDate)
    .openapi({
      param: { name: 'date', in: 'path' },
      description: 'A calendar date, YYYYMMDD (Japan time).',
      pattern: '^[0-9]{8}$',
      example: '20201209',
    }),
})

const key = z.string().openapi({ example: 'HL0503_20201209_230000' })
const stream = {
  video_id: z.string().openapi({ example: 'yEttl2nfhsQ' }),
  datetime: z.string().openapi({ description: 'YYYYMMDD HHMMSS, Japan time.', example: '20201209 230000' }),
  name: z.string(),
  title: z.string(),
  url: z.string(),
  description: z.string(),
}

/** The first generation's row: no `code`. */
export const holoduleSchema = z
  .object({ key, ...stream })
  .strict()
  .openapi('Holodule')
/** The second generation's row, `code` after `key`. */
export const holoduleRecordSchema = z
  .object({ key, code: z.string().openapi({ example: 'HL0503' }), ...stream })
  .strict()
  .openapi('HoloduleRecord')

export const scheduleSchema = z
  .object({ result: z.number().int().min(1), holodules: z.array(holoduleSchema) })
  .strict()
  .openapi('Schedule')

const FIRST_401 = ['Authorization Required', 'Invalid JWT header', 'Invalid token', 'Invalid JWT'] as [
  string,
  ...string[],
]

const wwwAuthenticate = {
  'WWW-Authenticate': {
    description: 'Only when the request had no Authorization header.',
    required: false,
    schema: { type: 'string' as const, enum: ['JWT realm="Login Required"'] },
  },
}

/** The schemes the enabled generations use, either one enough. */
const securityFor = (g: DocumentedGenerations): Array<Record<string, string[]>> => [
  ...(g.first ? [{ JWT: [] }] : []),
  ...(g.second ? [{ Bearer: [] }] : []),
]

const describeDay = (g: DocumentedGenerations) =>
  [
    'The streams of one day, newest first.',
    g.first &&
      '`Authorization: JWT <token>` (Flask-JWT): `{"result", "holodules"}`, 404 when the day has none.',
    g.second &&
      '`Authorization: Bearer <token>` (Flask-JWT-Extended): a bare array, `code` included, `[]` when empty.',
    'The token is checked before the date.',
  ]
    .filter(Boolean)
    .join('\n\n')

/** `GET /holodules/{date}` as the enabled generations see it; `path` adds the trailing-slash twin. */
export const getDayRoute = <P extends '/holodules/{date}' | '/holodules/{date}/'>(
  g: DocumentedGenerations,
  path: P,
) => {
  const route = createRoute({
    method: 'get',
    path,
    operationId: path.endsWith('/') ? 'getDayTrailingSlash' : 'getDay',
    tags: ['schedule'],
    summary: path.endsWith('/')
      ? 'The same, with a trailing slash (old clients send one)'
      : 'The schedule of a day',
    description: describeDay(g),
    security: securityFor(g),
    request: { params: paramsSchema },
    responses: {
      200: {
        ...json(
          byGeneration(g, scheduleSchema, z.array(holoduleRecordSchema)),
          'The day. ETag and Cache-Control come with every day that has streams.',
        ),
        headers: cachedAnswerHeaders(false),
      },
      304: { description: 'If-None-Match named the current ETag.', headers: cachedAnswerHeaders(true) },
      400: json(
        byGeneration(
          g,
          z
            .object({
              error: z.string().openapi({ enum: ['Bad Request'] }),
              description: z.string().openapi({ enum: ['date must be YYYYMMDD'] }),
            })
            .strict(),
          errorOnly('Bad request'),
        ),
        'The date is not a real YYYYMMDD.',
      ),
      401: {
        ...json(
          byGeneration(g, flaskJwtError(401, FIRST_401), z.union([msgBody, errorOnly('Unauthorized')])),
          g.first
            ? 'No token, or a token refused. Without an Authorization header: WWW-Authenticate.'
            : 'No token, an expired token, or its user no longer exists.',
        ),
        headers: g.first ? wwwAuthenticate : {},
      },
      404: json(notFoundBody, 'The day has no streams (first generation).'),
      422: json(msgBody, "A malformed or wrongly signed Bearer token (PyJWT's words)."),
      ...commonResponses,
    },
  })
  // Declared for the type (one `hc` type whatever AUTH_GENERATIONS), documented only when served.
  const served = (status: string) => (status === '404' ? g.first : status === '422' ? g.second : true)
  return {
    ...route,
    responses: Object.fromEntries(
      Object.entries(route.responses).filter(([status]) => served(status)),
    ) as typeof route.responses,
  }
}
