import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Env, Schema } from 'hono'
import { JSON_CONTENT_TYPE } from '../responses.js'
import {
  type DocumentedGenerations,
  JSON_MEDIA,
  json,
  methodNotAllowedBody,
  notFoundBody,
} from './schemas.js'

/** Where the document is served; /docs (Swagger UI) reads it from here. */
export const OPENAPI_PATH = '/openapi.json'
/** The package's version, which a test holds equal to package.json's (the app reads no files). */
export const API_VERSION = '0.1.0'

/**
 * Answers that belong to no operation, named so that a reader (and the contract suite's drift
 * check, test/contract/openapi-conformance.ts) finds them: any unknown path, a known path with
 * another method, and the CORS preflight every path answers. `x-status` says the status, which
 * a components.responses entry cannot.
 */
export const GLOBAL_RESPONSES = {
  notFound: 'NotFound',
  methodNotAllowed: 'MethodNotAllowed',
  preflight: 'CorsPreflight',
} as const

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const documentRoute = createRoute({
  method: 'get',
  path: OPENAPI_PATH,
  tags: ['operations'],
  summary: 'This document (OpenAPI 3.1)',
  responses: {
    200: json(
      z.looseObject({ openapi: z.string().openapi({ enum: ['3.1.0'] }) }),
      'The description of the routes this server serves, for its AUTH_GENERATIONS.',
    ),
  },
})

const describeApi = (g: DocumentedGenerations) =>
  [
    'The Hololive streaming schedule of a day, for logged-in clients: the successor of a Flask API, same paths, bodies and status codes.',
    g.first && '**First generation** (Flask-JWT): `POST /auth`, then `Authorization: JWT <token>`.',
    g.second &&
      '**Second generation** (Flask-JWT-Extended): `POST /login`, then `Authorization: Bearer <token>`.',
    'JSON answers are `application/json; charset=UTF-8`. Any unknown path answers 404 (`NotFound`), a known path with another method 405 (`MethodNotAllowed`, with `Allow`), and every path answers a CORS preflight (`CorsPreflight`).',
  ]
    .filter(Boolean)
    .join('\n\n')

/** The security schemes and global answers of the enabled generations, and GET /openapi.json. */
export const configureOpenApi = <E extends Env, S extends Schema, B extends string>(
  app: OpenAPIHono<E, S, B>,
  g: DocumentedGenerations,
) => {
  const registry = app.openAPIRegistry
  if (g.first) {
    registry.registerComponent('securitySchemes', 'JWT', {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        'Flask-JWT: the word JWT goes first, then a space, then the token from POST /auth: `Authorization: JWT <token>`. ' +
        'The word is matched case-insensitively (JWT_AUTH_HEADER_PREFIX changes it).',
    })
  }
  if (g.second) {
    registry.registerComponent('securitySchemes', 'Bearer', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Flask-JWT-Extended: `Authorization: Bearer <token>`, the token from POST /login.',
    })
  }
  if (g.third) {
    // OAuth2's password flow, so the docs page's Authorize button logs in with a name and password.
    registry.registerComponent('securitySchemes', 'OAuth2', {
      type: 'oauth2',
      description: 'The 2024 generation: `POST /token` with a form, then `Authorization: Bearer <token>`.',
      flows: { password: { tokenUrl: '/token', scopes: {} } },
    })
  }
  registry.register(GLOBAL_RESPONSES.notFound, notFoundBody)
  registry.register(GLOBAL_RESPONSES.methodNotAllowed, methodNotAllowedBody)
  registry.registerComponent('responses', GLOBAL_RESPONSES.notFound, {
    description: 'No such path (or a route of a generation turned off).',
    'x-status': 404,
    content: { [JSON_MEDIA]: { schema: ref(GLOBAL_RESPONSES.notFound) } },
  })
  registry.registerComponent('responses', GLOBAL_RESPONSES.methodNotAllowed, {
    description: 'The path exists, the method does not.',
    'x-status': 405,
    headers: {
      Allow: { required: true, description: 'The methods the path has.', schema: { type: 'string' } },
    },
    content: { [JSON_MEDIA]: { schema: ref(GLOBAL_RESPONSES.methodNotAllowed) } },
  })
  registry.registerComponent('responses', GLOBAL_RESPONSES.preflight, {
    description: 'A CORS preflight (OPTIONS), on any path: no body.',
    'x-status': 204,
    headers: {
      'Access-Control-Allow-Headers': {
        required: true,
        schema: { type: 'string', enum: ['Content-Type,Authorization'] },
      },
      'Access-Control-Allow-Methods': {
        required: true,
        schema: { type: 'string', enum: ['GET,PUT,POST,DELETE,OPTIONS'] },
      },
    },
  })
  // Built on the first request, once every route is registered, then served as the same bytes.
  let document: string | undefined
  return app.openapi(documentRoute, (c) => {
    document ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'holodule-api', version: API_VERSION, description: describeApi(g) },
      }),
    )
    // The bytes are the document; its type for `hc` is the looseObject above.
    return c.body(document, 200, { 'Content-Type': JSON_CONTENT_TYPE }) as never
  })
}
