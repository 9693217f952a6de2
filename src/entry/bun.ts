import { getConnInfo } from 'hono/bun'
import { bootstrap } from '../runtime/node/bootstrap.js'
import { isClusterMember, superviseCluster } from '../runtime/node/cluster.js'
import { closesConnection } from '../runtime/node/connection.js'
import { loadEnvFile } from '../runtime/node/env-file.js'
import { METRICS_HOST, serveMetrics } from '../runtime/node/prometheus.js'
import { onShutdown } from '../runtime/node/shutdown.js'
import { nodeSignatures } from '../runtime/node/signatures.js'

// .env (ENV_FILE) read by our code, as on Node; Bun's own loading is off (bunfig.toml). Members inherit it.
const envFile = isClusterMember() ? null : loadEnvFile(process.env, process.cwd())
// WORKERS=auto|N: this process only supervises; the members share the port through reusePort.
if (!superviseCluster(process.env)) {
  const { config, app, store, logger, announce, metricsListener } = await bootstrap(
    process.env,
    (c) => getConnInfo(c).remote.address,
    nodeSignatures,
  )
  // Bun.serve closes a connection idle for 10 s (its default idleTimeout); nginx's upstream
  // keepalive_timeout in front of it should stay below that.
  const server = Bun.serve({
    fetch: async (request, bunServer) => closesConnection(await app.fetch(request, bunServer)),
    port: config.port,
    hostname: config.host,
    reusePort: isClusterMember(),
  })
  if (envFile) logger.info('read environment file', { ...envFile })
  // In a cluster the supervisor serves METRICS_PORT, with every member's counts.
  if (metricsListener && !isClusterMember()) {
    await serveMetrics(metricsListener.port, metricsListener.endpoint)
    logger.info('metrics listening', { host: METRICS_HOST, port: metricsListener.port })
  }
  announce(server.port ?? config.port)
  // stop() without force stops accepting and resolves once in-flight requests are done.
  onShutdown({ logger, drain: () => server.stop(), release: () => store.close() })
}
