import { createApp, DEFAULT_THROTTLE_POLICY } from '../app/index.js'
import { createFailurePace } from '../auth/failure-pace.js'
import { createPasswordVerifier } from '../auth/password.js'
import { createConsoleLogger } from '../lib/console-logger.js'
import { edgePeer, perIsolate } from '../runtime/workers/isolate.js'
import { isolateThrottle } from '../runtime/workers/request-throttle.js'
import { MongoStore } from '../store/mongo/mongo-store.js'

/**
 * The Worker in direct mode: the official driver over TCP sockets (nodejs_compat), no gateway.
 * A separate entry so the Data API build (worker.ts) never carries the driver.
 */
export default perIsolate(
  (config) => {
    if (config.backend.kind !== 'mongodb') {
      return 'this Worker connects with the driver: set MONGODB_URI, not DATA_API_URL'
    }
    const policy = config.app.login ?? DEFAULT_THROTTLE_POLICY
    return {
      config,
      policy,
      // One throttle per isolate, over each request's own counters.
      login: isolateThrottle(policy),
      uri: config.backend.uri,
      logger: createConsoleLogger(config.logLevel),
      // Shared so the dummy hash for unknown users is computed once per isolate.
      passwords: createPasswordVerifier(config.app.passwordIterations, config.app.legacyPlaintext),
      // Shared so failed logins are held to the times this isolate's checks took, not a new app's none.
      pace: createFailurePace(),
    }
  },
  async ({ config, policy, login, uri, logger, passwords, pace }, request, env, ctx) => {
    // A socket belongs to the request that opened it in workerd: a pooled connection reused by the
    // next request stalls it, so each request gets its own client, closed once the response is out.
    const store = MongoStore.connect(uri, config.database, { maxPoolSize: 1, minPoolSize: 0 })
    const app = createApp({
      config: config.app,
      store,
      logger,
      passwords,
      backgroundWork: false,
      peerAddress: edgePeer,
      // Failed logins count in the database, across isolates and with the servers on it.
      loginThrottle: login.throttle,
      failurePace: pace,
      feeds: store.feeds(),
    })
    try {
      return await login.run(
        () => store.loginLimiters()(policy),
        () => app.fetch(request, env, ctx),
      )
    } finally {
      ctx.waitUntil(store.close())
    }
  },
)
