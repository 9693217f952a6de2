import { Hono } from 'hono'
import type { AppEnv } from '../../env.js'

/**
 * STAND-IN, dropped at merge: the routes' own document (@hono/zod-openapi, GET /openapi.json) replaces
 * it. Hand-written so the docs page can be built and tested before that lands; nothing else imports it.
 */
const flaskJwtError = {
  type: 'object',
  required: ['status_code', 'error', 'description'],
  properties: {
    status_code: { type: 'integer' },
    error: { type: 'string' },
    description: { type: 'string' },
  },
}
const credentials = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
  example: { username: 'user01', password: 'password01' },
}
const token = {
  type: 'object',
  required: ['access_token'],
  properties: { access_token: { type: 'string' } },
}
const holodule = {
  type: 'object',
  properties: Object.fromEntries(
    ['key', 'code', 'video_id', 'datetime', 'name', 'title', 'url', 'description'].map((k) => [
      k,
      { type: 'string' },
    ]),
  ),
}
const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const document = {
  openapi: '3.1.0',
  info: { title: 'holodule-api', version: '0.1.0', description: 'The Hololive streaming schedule of a day.' },
  components: {
    securitySchemes: {
      jwt: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'Flask-JWT clients: `JWT <token>` from POST /auth',
      },
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'Flask-JWT-Extended clients: a token from POST /login',
      },
    },
  },
  paths: {
    '/auth': {
      post: {
        summary: 'Log in (Flask-JWT clients)',
        requestBody: { required: true, content: { 'application/json': { schema: credentials } } },
        responses: {
          200: json(token, 'A token for `Authorization: JWT <token>`'),
          400: json(flaskJwtError, 'Not a JSON object'),
          401: json(flaskJwtError, 'Invalid credentials'),
          429: json(flaskJwtError, 'Too many login attempts'),
        },
      },
    },
    '/login': {
      post: {
        summary: 'Log in (Flask-JWT-Extended clients)',
        requestBody: { required: true, content: { 'application/json': { schema: credentials } } },
        responses: {
          200: json(token, 'A token for `Authorization: Bearer <token>`'),
          400: json({ type: 'object' }, 'Bad request'),
          401: json({ type: 'object' }, 'Unauthorized'),
        },
      },
    },
    '/holodules/{date}': {
      get: {
        summary: 'The streams of one day, newest first',
        security: [{ jwt: [] }, { bearer: [] }],
        parameters: [
          {
            name: 'date',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^\\d{8}$' },
            example: '20201209',
          },
        ],
        responses: {
          200: json(
            {
              oneOf: [
                {
                  type: 'object',
                  properties: { result: { type: 'integer' }, holodules: { type: 'array', items: holodule } },
                },
                { type: 'array', items: holodule },
              ],
            },
            'JWT: {result, holodules}; Bearer: a bare array',
          ),
          400: json({ type: 'object' }, 'date must be YYYYMMDD'),
          401: json({ type: 'object' }, 'No token, or a bad one'),
          404: json({ type: 'object' }, 'JWT: no stream that day'),
        },
      },
    },
  },
}

export const openApiStandIn = new Hono<AppEnv>().get('/openapi.json', (c) => c.json(document))
