import { pathToFileURL } from 'node:url'
import { getConnInfo } from '@hono/node-server/conninfo'
import { MongoClient } from 'mongodb'
import type { Env } from '../config/env.js'
import { parseGatewayConfig } from '../config/gateway-config.js'
import { DEFAULT_LIMITS } from '../config/limits.js'
import { createGatewayApp } from '../gateway/create-gateway-app.js'
import { createJsonLogger } from '../lib/logger.js'
import { exitOnConfigErrors } from '../runtime/node/bootstrap.js'
import { serveNode } from '../runtime/node/server.js'
import { MONGO_CLIENT_OPTIONS } from '../store/mongo/mongo-store.js'

/**
 * `holodule data-api`: the Data API gateway as a Node (or Bun) server, with the API's request
 * bounds and shutdown. Resolves once listening.
 */
export const runGateway = async (env: Env): Promise<void> => {
  const parsed = await parseGatewayConfig(env)
  if (!parsed.ok) return exitOnConfigErrors(parsed.errors, 'holodule data-api')
  const { config } = parsed
  const logger = createJsonLogger(config.logLevel)
  const client = new MongoClient(config.mongodbUri, { ...MONGO_CLIENT_OPTIONS, appName: 'holodule-data-api' })
  // Wrong keys are counted per peer address (gateway/key-failures.ts), as the server's entry sees it.
  const app = createGatewayApp({ config, client, logger, peerAddress: (c) => getConnInfo(c).remote.address })
  const { port } = await serveNode({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    limits: DEFAULT_LIMITS,
    logger,
    release: () => client.close(),
  })
  logger.info('data api listening', {
    host: config.host,
    port,
    dataSource: config.dataSource,
    keys: config.keys.map((k) => k.name),
  })
}

// Also runnable on its own (`tsx src/entry/gateway.ts`), as `holodule data-api` runs it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runGateway(process.env)
}
