import { z } from '@hono/zod-openapi'
import { json } from './schemas.js'

// The third generation's answers, as the 2024 service worded them, shared by its routes'
// documents (/schedules, /streamers, their writes, /users).

const message = (...words: [string, ...string[]]) => z.string().openapi({ enum: words })

/** `{"message": <words>, "identifier": …}`: the entity answers of the 2024 service. */
export const entityBody = (words: string) =>
  z.object({ message: message(words), identifier: z.string() }).strict()

/** What the Bearer guard answers before any route: 401 with WWW-Authenticate, 400 for a disabled user. */
export const bearerRefusals = {
  401: {
    ...json(
      z.union([
        z.object({ detail: message('Not authenticated') }).strict(),
        z.object({ message: message('Could not validate credentials') }).strict(),
      ]),
      'No Bearer token, or one refused. Always with WWW-Authenticate: Bearer.',
    ),
    headers: {
      'WWW-Authenticate': { required: true, schema: { type: 'string' as const, enum: ['Bearer'] } },
    },
  },
  400: json(entityBody('Inactive user'), 'The user is disabled.'),
}

/** An admin-only route's refusal of anyone else. */
export const notAllowed = {
  403: json(z.object({ message: message('Not allowed') }).strict(), 'The user is not an admin.'),
}

export const entityMissing = (description = 'No such id (also for an id that is not an ObjectId).') =>
  json(entityBody('The entity does not exist'), description)

/** The 2024 service's 422, without its detail. */
export const unprocessable = (description: string) => json(z.object({}).strict(), description)
