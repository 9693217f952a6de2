import { serve } from '@hono/node-server'
import { bootstrap } from './bootstrap.js'
import { superviseWorkers } from './cluster.js'

// WORKERS=auto|N: this process only supervises (node:cluster); each worker runs the rest.
if (!superviseWorkers(process.env)) {
  const { config, app, store, logger, announce } = await bootstrap(process.env)

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
    announce(info.port),
  )

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down', { signal })
    // Stop accepting, let in-flight requests finish, then release the database pool.
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    server.close(async () => {
      clearInterval(reaper)
      await store.close()
      process.exit(0)
    })
    // close() spares keep-alive sockets that were busy when it was called; reap them once idle.
    const reaper = setInterval(
      () => (server as { closeIdleConnections?: () => void }).closeIdleConnections?.(),
      50,
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
