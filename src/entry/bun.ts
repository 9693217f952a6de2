import type { Server } from 'bun'
import { bootstrap } from '../runtime/node/bootstrap.js'
import { drainRefusedBody } from '../runtime/node/bun-body.js'
import { isClusterMember, superviseCluster } from '../runtime/node/cluster.js'
import { answerFor, type Grace, UNKNOWN_PEER } from '../runtime/node/connection.js'
import { loadEnvFile } from '../runtime/node/env-file.js'
import { METRICS_HOST, serveMetrics } from '../runtime/node/prometheus.js'
import { onShutdown } from '../runtime/node/shutdown.js'
import { nodeSignatures } from '../runtime/node/signatures.js'

/**
 * What the app's peerAddress reads (`env.peer`). A read (GET, HEAD) changes nothing and names no
 * client but in its access line, so its peer is looked up only if asked: Bun's requestIP() was a
 * quarter of a cached read's JavaScript time (a --cpu-prof of the hot GET), and the read is
 * answered whatever it says. Anything else (a login above all) reads it at dispatch, while Bun still
 * knows it; `undefined` when it does not.
 */
const peerOf = (request: Request, server: Server<unknown>): { peer?: string } | undefined => {
  if (request.method === 'GET' || request.method === 'HEAD') {
    let peer: string | undefined
    return {
      get peer() {
        peer ??= server.requestIP(request)?.address
        return peer
      },
    }
  }
  const peer = server.requestIP(request)?.address
  return peer === undefined ? undefined : { peer }
}

// .env (ENV_FILE) read by our code, as on Node; Bun's own loading is off (bunfig.toml). Members inherit it.
const envFile = isClusterMember() ? null : loadEnvFile(process.env, process.cwd())
// WORKERS=auto|N: this process only supervises; the members share the port through reusePort.
if (!superviseCluster(process.env)) {
  const { config, app, store, logger, announce, metricsListener } = await bootstrap(
    process.env,
    // The address fetch saw when Bun dispatched the request (below): Bun's requestIP() is null
    // once the socket is gone, and a login still hashing then counted under `unknown`.
    (_request, env) => (env as { peer?: string } | undefined)?.peer,
    nodeSignatures,
  )
  const grace: Grace = { draining: false }
  // Bun.serve closes a connection idle for 10 s (its default idleTimeout); nginx's upstream
  // keepalive_timeout in front of it should stay below that.
  const server = Bun.serve({
    fetch: (request, bunServer) => {
      const env = peerOf(request, bunServer)
      // No peer: Bun has already closed the connection (a request pipelined behind one still
      // answering, oven-sh/bun#38128): nobody can read an answer, and no login may run unattributed.
      if (env === undefined) return UNKNOWN_PEER()
      const sent = (response: Response) =>
        response.status === 413
          ? drainRefusedBody(request).then(() => answerFor(request, response, grace))
          : answerFor(request, response, grace)
      // No promise where the app answered without one (its short way, app/shortcuts.ts).
      const response = app.fetch(request, env)
      return response instanceof Promise ? response.then(sent) : sent(response)
    },
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
  // After the grace, stop() without force stops accepting and resolves once in-flight requests are done.
  onShutdown({
    logger,
    grace,
    graceMs: config.limits.shutdownGraceMs,
    drain: () => server.stop(),
    release: () => store.close(),
  })
}
