import { defineOpenAPIRoute, OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from '../../../lib/body-limit.js'
import type { AppEnv } from '../../env.js'
import type { DocumentedGenerations } from '../../openapi/schemas.js'
import { flaskJwtError, sendJson } from '../../responses.js'
import { type AuthDeps, login, loginV2, loginV3 } from './auth.handlers.js'
import { authRoute, loginRoute, tokenRoute } from './auth.routes.js'

export const authRoutes = (deps: AuthDeps & { bodyLimit: number; generations: DocumentedGenerations }) => {
  // The connection a 413 arrived on is closed by the Node and Bun entries (runtime/node/connection.ts).
  const tooLarge = `Request body must not exceed ${deps.bodyLimit} bytes`
  // A generation turned off (AUTH_GENERATIONS) has no login route: neither on the wire, where it
  // answers 404 as if it never existed, nor in the document. Its type stays, so `hc` is one type.
  return new OpenAPIHono<AppEnv>().openapiRoutes([
    defineOpenAPIRoute({
      route: {
        ...authRoute,
        middleware: bodyLimit({
          maxSize: deps.bodyLimit,
          onError: (c) => flaskJwtError(c, 413, 'Bad Request', tooLarge),
        }),
      },
      handler: login(deps),
      addRoute: deps.generations.first,
    }),
    defineOpenAPIRoute({
      route: {
        ...loginRoute,
        middleware: bodyLimit({
          maxSize: deps.bodyLimit,
          onError: (c) => sendJson(c, { error: 'Bad request' }, 413),
        }),
      },
      handler: loginV2(deps),
      addRoute: deps.generations.second,
    }),
    defineOpenAPIRoute({
      route: {
        ...tokenRoute,
        middleware: bodyLimit({ maxSize: deps.bodyLimit, onError: (c) => sendJson(c, {}, 413) }),
      },
      handler: loginV3(deps),
      addRoute: deps.generations.third,
    }),
  ])
}
