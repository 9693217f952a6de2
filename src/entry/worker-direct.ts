import type { ExecutionContext } from 'hono'
import { createApp } from '../app/create-app.js'
import { createPasswordVerifier, type PasswordVerifier } from '../auth/password.js'
import { parseWorkerConfig, type WorkerConfig } from '../config/worker-config.js'
import { createConsoleLogger } from '../lib/console-logger.js'
import type { Logger } from '../lib/logger.js'
import { MongoStore } from '../store/mongo-store.js'

type Bindings = Record<string, unknown>

const CONFIG_ERROR = JSON.stringify({ error: 'Internal Server Error' })

interface Isolate {
  config: WorkerConfig
  uri: string
  logger: Logger
  /** Shared so the dummy hash for unknown users is computed once per isolate. */
  passwords: PasswordVerifier
}

/**
 * The Worker in direct mode: the official driver over TCP sockets (nodejs_compat), no gateway.
 * A separate entry so the Data API build (worker.ts) never carries the driver.
 */
let cached: { bindings: Bindings; isolate: Isolate | null } | undefined

const isolateFor = (bindings: Bindings): Isolate | null => {
  if (cached?.bindings === bindings) return cached.isolate
  const parsed = parseWorkerConfig(bindings)
  let isolate: Isolate | null = null
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`config error: ${e}`)
  } else if (parsed.config.backend.kind !== 'mongodb') {
    console.error('config error: this Worker connects with the driver: set MONGODB_URI, not DATA_API_URL')
  } else {
    const { config } = parsed
    isolate = {
      config,
      uri: parsed.config.backend.uri,
      logger: createConsoleLogger(config.logLevel),
      passwords: createPasswordVerifier(config.app.passwordIterations),
    }
  }
  cached = { bindings, isolate }
  return isolate
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const isolate = isolateFor(env)
    if (!isolate) {
      return new Response(CONFIG_ERROR, {
        status: 500,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      })
    }
    const { config, uri, logger, passwords } = isolate
    // A socket belongs to the request that opened it in workerd: a pooled connection reused by the
    // next request stalls it, so each request gets its own client, closed once the response is out.
    const store = MongoStore.connect(uri, config.database, { maxPoolSize: 1, minPoolSize: 0 })
    const app = createApp({ config: config.app, store, logger, passwords, backgroundWork: false })
    try {
      return await app.fetch(request, env, ctx)
    } finally {
      ctx.waitUntil(store.close())
    }
  },
}
