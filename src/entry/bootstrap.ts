import { createApp } from '../app/create-app.js'
import { parseConfig, type ServerConfig } from '../config/config.js'
import type { Env } from '../config/env.js'
import { systemClock } from '../lib/clock.js'
import { createJsonLogger, type Logger } from '../lib/logger.js'
import { MongoStore } from '../store/mongo-store.js'
import type { Store } from '../store/store.js'
import { demoBanner, demoStore } from './demo.js'

export interface Server {
  config: ServerConfig
  logger: Logger
  store: Store
  app: ReturnType<typeof createApp>
  /** Call once listening: logs the address and, in embedded mode, the demo login. */
  announce(port: number): void
}

/** Config errors name every bad variable, then the process exits 1. */
export const exitOnConfigErrors = (errors: string[], what = 'holodule-api'): never => {
  for (const e of errors) console.error(`config error: ${e}`)
  console.error(`${what}: not started; see .env.example`)
  process.exit(1)
}

/**
 * What the Node and Bun entrypoints share: config from the environment, the store, the app.
 * Nothing here imports a runtime.
 */
export const bootstrap = async (env: Env): Promise<Server> => {
  const parsed = parseConfig(env)
  if (!parsed.ok) return exitOnConfigErrors(parsed.errors)
  const { config, warnings } = parsed
  const logger = createJsonLogger(config.logLevel)
  for (const w of warnings) logger.warn(w)

  let store: Store
  let demoPassword: string | undefined
  if (config.mongodbUri) {
    store = MongoStore.connect(config.mongodbUri, config.mongodbDb, {}, config.mongodbRequestTimeoutMs)
    try {
      await store.ensureIndexes()
    } catch (e) {
      // The service still starts and answers 503 until the database is reachable.
      logger.error('could not create indexes at start-up', { error: (e as Error).message })
    }
  } else {
    const demo = await demoStore(config.app.passwordIterations, systemClock.now())
    store = demo.store
    demoPassword = demo.password
  }
  const app = createApp({ config: config.app, store, logger })
  const announce = (port: number) => {
    logger.info('listening', { host: config.host, port, store: config.mongodbUri ? 'mongodb' : 'embedded' })
    if (demoPassword !== undefined)
      console.log(demoBanner(config.host, port, demoPassword, systemClock.now()))
  }
  return { config, logger, store, app, announce }
}
