import { getConnInfo } from '@hono/node-server/conninfo'
import { bootstrap } from './bootstrap.js'
import { isClusterMember, superviseCluster } from './cluster.js'
import { METRICS_HOST, serveMetrics } from './metrics.js'
import { serveNode } from './node-server.js'

// WORKERS=auto|N: this process only supervises (node:cluster); each member runs the rest.
if (!superviseCluster(process.env)) {
  const { config, app, store, logger, announce, metricsListener } = await bootstrap(
    process.env,
    (c) => getConnInfo(c).remote.address,
  )
  const { port } = await serveNode({
    fetch: app.fetch,
    port: config.port,
    host: config.host,
    limits: config.limits,
    logger,
    release: () => store.close(),
  })
  // In a cluster the supervisor serves METRICS_PORT, with every member's counts.
  if (metricsListener && !isClusterMember()) {
    await serveMetrics(metricsListener.port, metricsListener.endpoint)
    logger.info('metrics listening', { host: METRICS_HOST, port: metricsListener.port })
  }
  announce(port)
}
