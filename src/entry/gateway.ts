import { pathToFileURL } from 'node:url'
import { serve } from '@hono/node-server'
import { MongoClient } from 'mongodb'
import type { Env } from '../config/env.js'
import { parseGatewayConfig } from '../config/gateway-config.js'
import { createGatewayApp } from '../gateway/create-gateway-app.js'
import { createJsonLogger } from '../lib/logger.js'
import { MONGO_CLIENT_OPTIONS } from '../store/mongo-store.js'

/**
 * `holodule data-api`: the Data API gateway as a Node (or Bun) server. Resolves once listening;
 * SIGTERM/SIGINT stop accepting, finish in-flight requests and close the driver.
 */
export const runGateway = async (env: Env): Promise<{ port: number; close(): Promise<void> }> => {
  const parsed = await parseGatewayConfig(env)
  if (!parsed.ok) {
    for (const e of parsed.errors) console.error(`config error: ${e}`)
    console.error('holodule data-api: not started; see .env.example')
    process.exit(1)
  }
  const { config } = parsed
  const logger = createJsonLogger(config.logLevel)
  const client = new MongoClient(config.mongodbUri, { ...MONGO_CLIENT_OPTIONS, appName: 'holodule-data-api' })
  const app = createGatewayApp({ config, client, logger })

  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
        resolve({ server: s, port: info.port }),
      )
    },
  )
  logger.info('data api listening', {
    host: config.host,
    port,
    dataSource: config.dataSource,
    keys: config.keys.map((k) => k.name),
  })

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => client.close())
    return closing
  }
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal })
    setTimeout(() => process.exit(1), 10_000).unref()
    void close().then(() => process.exit(0))
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return { port, close }
}

// Also runnable on its own (`tsx src/entry/gateway.ts`), as `holodule data-api` runs it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runGateway(process.env)
}
