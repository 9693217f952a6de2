import { createApp } from '../app/create-app.js'
import { hashPassword } from '../auth/password.js'
import { parseConfig, type ServerConfig } from '../config/config.js'
import type { Env } from '../config/env.js'
import { systemClock } from '../lib/clock.js'
import { createJsonLogger, type Logger } from '../lib/logger.js'
import { MemoryStore } from '../store/memory-store.js'
import { MongoStore } from '../store/mongo-store.js'
import { japanDay, sampleHolodules } from '../store/sample-data.js'
import type { Store } from '../store/store.js'

export interface Server {
  config: ServerConfig
  logger: Logger
  store: Store
  app: ReturnType<typeof createApp>
  /** Call once listening: logs the address and, in embedded mode, the demo login. */
  announce(port: number): void
}

const DEMO_USER = 'demo'

/**
 * What the Node and Bun entrypoints share: config from the environment (exit 1 naming every bad
 * variable), the store, the app. Nothing here imports a runtime.
 */
export const bootstrap = async (env: Env): Promise<Server> => {
  const parsed = parseConfig(env)
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`config error: ${e}`)
    console.error('holodule-api: not started; see .env.example')
    process.exit(1)
  }
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
    const password = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(36)).join('')
    store = new MemoryStore({
      users: [
        {
          id: '1',
          username: DEMO_USER,
          password: await hashPassword(password, config.app.passwordIterations),
        },
      ],
      holodules: sampleHolodules(systemClock.now()),
    })
    demoPassword = password
  }
  const app = createApp({ config: config.app, store, logger })
  const announce = (port: number) => {
    logger.info('listening', { host: config.host, port, store: config.mongodbUri ? 'mongodb' : 'embedded' })
    if (demoPassword === undefined) return
    const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
    console.log(
      [
        'holodule-api: no MONGODB_URI, serving the embedded sample schedule.',
        `  demo user: ${DEMO_USER}  password: ${demoPassword}`,
        '  try:',
        `  TOKEN=$(curl -s -X POST ${base}/auth -H 'Content-Type: application/json' \\`,
        `    -d '{"username": "${DEMO_USER}", "password": "${demoPassword}"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
        `  curl -s ${base}/holodules/${japanDay(systemClock.now())} -H "Authorization: JWT $TOKEN"`,
      ].join('\n'),
    )
  }
  return { config, logger, store, app, announce }
}
