import { bootstrap } from './bootstrap.js'
import { isWorker, superviseWorkers } from './cluster.js'

// WORKERS=auto|N: this process only supervises; the workers share the port through reusePort.
if (!superviseWorkers(process.env)) {
  const { config, app, store, logger, announce } = await bootstrap(process.env)

  const server = Bun.serve({
    fetch: app.fetch,
    port: config.port,
    hostname: config.host,
    reusePort: isWorker(),
  })
  announce(server.port ?? config.port)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down', { signal })
    // stop() without force stops accepting and resolves once in-flight requests are done.
    await server.stop()
    await store.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
