import type { ExecutionContext } from 'hono'
import { type App, createApp } from '../app/create-app.js'
import { parseWorkerConfig } from '../config/worker-config.js'
import { createConsoleLogger } from '../lib/console-logger.js'
import { DataApiStore } from '../store/data-api-store.js'

type Bindings = Record<string, unknown>

const CONFIG_ERROR = JSON.stringify({ error: 'Internal Server Error' })

/** One app per isolate: built on the first request from its bindings, then reused. */
let cached: { bindings: Bindings; app: App | null } | undefined

const appFor = (bindings: Bindings): App | null => {
  if (cached?.bindings === bindings) return cached.app
  const parsed = parseWorkerConfig(bindings)
  let app: App | null = null
  if (!parsed.ok) {
    // Names the variables only; values (secrets among them) never reach the log.
    for (const e of parsed.errors) console.error(`config error: ${e}`)
  } else if (parsed.config.backend.kind !== 'data-api') {
    console.error('config error: this Worker reaches MongoDB through the Data API: set DATA_API_URL')
  } else {
    const { config } = parsed
    const { dataApi } = parsed.config.backend
    const logger = createConsoleLogger(config.logLevel)
    const store = new DataApiStore({ ...dataApi, database: config.database, logger })
    // workerd cancels what a request leaves running, so caches refresh inline here.
    app = createApp({ config: config.app, store, logger, backgroundWork: false })
  }
  cached = { bindings, app }
  return app
}

export default {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext): Response | Promise<Response> {
    const app = appFor(env)
    if (!app) {
      return new Response(CONFIG_ERROR, {
        status: 500,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      })
    }
    return app.fetch(request, env, ctx)
  },
}
