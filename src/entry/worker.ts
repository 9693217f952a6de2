import { AsyncLocalStorage } from 'node:async_hooks'
import { createApp } from '../app/index.js'
import { createConsoleLogger } from '../lib/console-logger.js'
import { edgePeer, perIsolate } from '../runtime/workers/isolate.js'
import { DataApiStore } from '../store/data-api/data-api-store.js'
import { DataApiFeedStore } from '../store/data-api/feeds.js'
import { dataApiLoginLimiters } from '../store/data-api/login-limiters.js'

/** The X-Request-Id that Hono's requestId middleware adopts; it makes its own for anything else. */
const REQUEST_ID = /^[\w\-=]{1,255}$/

/**
 * The Worker that reaches MongoDB through the Data API gateway: one app per isolate. Each request
 * runs with its id in an AsyncLocalStorage (the `nodejs_als` flag, not all of nodejs_compat), so
 * the store sends it to the gateway and the two logs can be joined.
 */
const requests = new AsyncLocalStorage<string>()

export default perIsolate(
  (config) => {
    if (config.backend.kind !== 'data-api') {
      return 'this Worker reaches MongoDB through the Data API: set DATA_API_URL'
    }
    const logger = createConsoleLogger(config.logLevel)
    const store = new DataApiStore({
      ...config.backend.dataApi,
      database: config.database,
      requestId: () => requests.getStore(),
    })
    // workerd cancels what a request leaves running, so caches refresh inline here.
    return createApp({
      config: config.app,
      store,
      logger,
      backgroundWork: false,
      peerAddress: edgePeer,
      // The id chosen below for a request that brought none, so the app's and the gateway's match.
      newRequestId: () => requests.getStore() ?? crypto.randomUUID(),
      // Failed logins count in the database's login_attempts, with the servers on it.
      loginLimiters: dataApiLoginLimiters(store.client),
      feeds: new DataApiFeedStore(store.client),
    })
  },
  async (app, request, env, ctx) => {
    // Never a copy of the request: a body handed to a new Request and then left unread (a 413)
    // made workerd fail the next request on the connection.
    const given = request.headers.get('X-Request-Id') ?? ''
    const id = REQUEST_ID.test(given) ? given : crypto.randomUUID()
    return requests.run(id, () => app.fetch(request, env, ctx))
  },
)
