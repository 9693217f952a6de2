import { createRoute, z } from '@hono/zod-openapi'
import { json, retryAfterHeader, serviceUnavailableBody } from '../../openapi/schemas.js'

export const healthzRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness: the process answers',
  description: 'Never touches the database.',
  responses: {
    200: json(z.object({ status: z.string().openapi({ enum: ['ok'] }) }).strict(), 'The process is up.'),
  },
})

export const readyzRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Readiness: the database answers',
  description: "The database's state is asked at most once a second, however many probes arrive.",
  responses: {
    200: json(
      z.object({ status: z.string().openapi({ enum: ['ready'] }) }).strict(),
      'The database answered.',
    ),
    503: {
      ...json(serviceUnavailableBody, 'The database did not answer a ping within its wait.'),
      headers: retryAfterHeader,
    },
  },
})
