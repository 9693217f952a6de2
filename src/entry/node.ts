import type { HttpBindings } from '@hono/node-server'
import { socketPeerAddress } from '../runtime/node/address-cap.js'
import { bootstrap } from '../runtime/node/bootstrap.js'
import { isClusterMember, superviseCluster } from '../runtime/node/cluster.js'
import { loadEnvFile } from '../runtime/node/env-file.js'
import { METRICS_HOST, serveMetrics } from '../runtime/node/prometheus.js'
import { serveNode } from '../runtime/node/server.js'
import { nodeSignatures } from '../runtime/node/signatures.js'

// .env (ENV_FILE) first, as Bun does: the config below sees one environment. Members inherit it.
const envFile = isClusterMember() ? null : loadEnvFile(process.env, process.cwd())
// WORKERS=auto|N: this process only supervises (node:cluster); each member runs the rest.
if (!superviseCluster(process.env)) {
  const { config, app, store, logger, announce, metricsListener } = await bootstrap(
    process.env,
    // As the socket connected: read once the client is gone, remoteAddress is undefined.
    (_request, env) => socketPeerAddress((env as HttpBindings).incoming.socket),
    nodeSignatures,
  )
  const { port } = await serveNode({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    limits: config.limits,
    logger,
    clients: { trustProxy: config.app.trustProxy ?? null },
    release: () => store.close(),
  })
  if (envFile) logger.info('read environment file', { ...envFile })
  // In a cluster the supervisor serves METRICS_PORT, with every member's counts.
  if (metricsListener && !isClusterMember()) {
    await serveMetrics(metricsListener.port, metricsListener.endpoint)
    logger.info('metrics listening', { host: METRICS_HOST, port: metricsListener.port })
  }
  announce(port)
}
