import { createRoute, type RouteConfig, z } from '@hono/zod-openapi'
import {
  commonResponses,
  errorOnly,
  flaskJwtError,
  JSON_MEDIA,
  json,
  retryAfterHeader,
  serviceUnavailableBody,
} from '../../openapi/schemas.js'

/** Exactly two keys, both non-empty strings; the handlers check it after the body limit and the parse. */
export const credentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
})

/**
 * The body is documented as the JSON Schema of `credentialsSchema` rather than the zod schema
 * itself: given a zod schema, @hono/zod-openapi would validate the body before the handler, with
 * its own 400 and 415 answers, where the contract wants Flask-JWT's words (a form body is 400
 * with a description, a wrong key 401).
 */
const { $schema: _jsonSchemaVersion, ...credentialsJsonSchema } = z.toJSONSchema(credentialsSchema)

type RequestBody = NonNullable<NonNullable<RouteConfig['request']>['body']>
type SchemaObject = Exclude<
  NonNullable<RequestBody['content']['application/json']>,
  { $ref: string }
>['schema']

const credentials: RequestBody = {
  required: true,
  content: {
    [JSON_MEDIA]: {
      schema: credentialsJsonSchema as SchemaObject,
      example: { username: 'user01', password: 'password01' },
    },
  },
}

const accessToken = z
  .object({ access_token: z.string().openapi({ description: 'A JWT, HS256 by default.' }) })
  .strict()

const throttled = (schema: z.ZodType) => ({
  ...json(schema, 'Too many failed logins for this user name from this address, or from this address.'),
  headers: retryAfterHeader,
})

export const authRoute = createRoute({
  method: 'post',
  path: '/auth',
  tags: ['first generation (Flask-JWT)'],
  summary: 'Log in (Flask-JWT)',
  description:
    'Send the token back as `Authorization: JWT <token>`. Every refusal has the same body, whether the user exists or not.',
  request: { body: credentials },
  responses: {
    200: json(accessToken, 'A token with the claims exp, iat, nbf and identity.'),
    400: json(
      flaskJwtError(400, ['Bad Request']),
      'The body is not JSON, not a JSON object, or not sent as application/json.',
    ),
    401: json(
      flaskJwtError(401, ['Bad Request'], 'Invalid credentials'),
      'Unknown user, wrong password, a key missing or empty, or any other key.',
    ),
    413: json(
      flaskJwtError(413, ['Bad Request']),
      'The body is larger than the limit; the connection closes.',
    ),
    429: throttled(flaskJwtError(429, ['Too Many Requests'], 'Too many login attempts')),
    500: commonResponses[500],
    503: {
      ...json(
        z.union([flaskJwtError(503, ['Service Unavailable'], 'Login is busy'), serviceUnavailableBody]),
        'The password-check queue is full (with Retry-After), or the database cannot be reached.',
      ),
      headers: { 'Retry-After': { ...retryAfterHeader['Retry-After'], required: false } },
    },
  },
})

const badRequest = errorOnly('Bad request')

export const loginRoute = createRoute({
  method: 'post',
  path: '/login',
  tags: ['second generation (Flask-JWT-Extended)'],
  summary: 'Log in (Flask-JWT-Extended)',
  description: 'Send the token back as `Authorization: Bearer <token>`.',
  request: { body: credentials },
  responses: {
    200: json(accessToken, 'A token with the claims fresh, iat, jti, type, sub, nbf and exp.'),
    400: json(badRequest, 'Not JSON, not an object, a key missing, empty or not a string, or any other key.'),
    401: json(errorOnly('Unauthorized'), 'Unknown user or wrong password.'),
    413: json(badRequest, 'The body is larger than the limit; the connection closes.'),
    429: throttled(errorOnly('Too Many Requests')),
    500: commonResponses[500],
    503: {
      ...json(
        serviceUnavailableBody,
        'The password-check queue is full (with Retry-After), or the database is down.',
      ),
      headers: { 'Retry-After': { ...retryAfterHeader['Retry-After'], required: false } },
    },
  },
})

const formBody: RequestBody = {
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: {
        type: 'object',
        required: ['username', 'password'],
        properties: {
          grant_type: { type: 'string', enum: ['password'] },
          username: { type: 'string' },
          password: { type: 'string' },
          scope: { type: 'string' },
          client_id: { type: 'string' },
          client_secret: { type: 'string' },
        },
      } as SchemaObject,
    },
  },
}

const message = (...words: [string, ...string[]]) =>
  z.object({ message: z.string().openapi({ enum: words }) }).strict()

export const tokenRoute = createRoute({
  method: 'post',
  path: '/token',
  tags: ['third generation (FastAPI, 2024)'],
  summary: "Log in (OAuth2's password flow)",
  description: 'Send the token back as `Authorization: Bearer <token>`.',
  request: { body: formBody },
  responses: {
    200: json(
      z.object({ access_token: z.string(), token_type: z.string().openapi({ enum: ['bearer'] }) }).strict(),
      'A token with the claims sub, exp and iat.',
    ),
    401: {
      ...json(message('Incorrect username or password'), 'Unknown user or wrong password.'),
      headers: {
        'WWW-Authenticate': { required: true, schema: { type: 'string' as const, enum: ['Bearer'] } },
      },
    },
    413: json(z.object({}).strict(), 'The body is too large.'),
    422: json(z.object({}).strict(), 'A field missing, or a body that is not a form.'),
    429: throttled(message('Too many login attempts')),
    503: {
      ...json(
        z.union([message('Login is busy'), serviceUnavailableBody]),
        'Login is busy, or the database is down.',
      ),
      headers: {},
    },
    500: commonResponses[500],
  },
})
