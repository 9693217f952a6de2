import { createApp } from '../app/create-app.js'
import { createConsoleLogger } from '../lib/console-logger.js'
import { DataApiStore } from '../store/data-api-store.js'
import { edgePeer, perIsolate } from './isolate.js'

/** The Worker that reaches MongoDB through the Data API gateway: one app per isolate. */
export default perIsolate(
  (config) => {
    if (config.backend.kind !== 'data-api') {
      return 'this Worker reaches MongoDB through the Data API: set DATA_API_URL'
    }
    const logger = createConsoleLogger(config.logLevel)
    const store = new DataApiStore({ ...config.backend.dataApi, database: config.database })
    // workerd cancels what a request leaves running, so caches refresh inline here.
    return createApp({ config: config.app, store, logger, backgroundWork: false, peerAddress: edgePeer })
  },
  async (app, request, env, ctx) => app.fetch(request, env, ctx),
)
