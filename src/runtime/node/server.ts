import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server'
import type { NodeLimits } from '../../config/limits.js'
import type { TrustProxy } from '../../lib/address.js'
import type { Logger } from '../../lib/logger.js'
import { capConnectionsPerAddress } from './address-cap.js'
import { answerFor, type Grace } from './connection.js'
import { onShutdown } from './shutdown.js'
import { surviveClosedStdio } from './stdio.js'

/** What a client still sending a refused body may send before the socket closes (nginx's lingering close). */
const LINGER_MS = 5000

/**
 * After a 413 (answered `Connection: close`: its body was not read), half-close:
 * the answer and a FIN go out, and what the client still sends is read and dropped until it closes
 * its side or LINGER_MS pass. Closing at once would reset the connection while the client is still
 * writing, and the reset can destroy the 413 before the client reads it.
 */
const lingerClose = (incoming: IncomingMessage) => {
  const socket = incoming.socket as Socket & { destroySoon?: () => void }
  if (incoming.readableEnded || socket.destroyed) return
  socket.destroySoon = () => {
    if (!socket.writableEnded) socket.end()
  }
  const timer = setTimeout(() => socket.destroy(), LINGER_MS)
  timer.unref()
  socket.once('end', () => socket.destroy())
  socket.once('close', () => clearTimeout(timer))
  socket.on('data', () => {})
  incoming.resume()
}

/**
 * An app's Web-standard `fetch` on node:http: request bounds, the per-address connection cap, the
 * lingering close, and the shared shutdown (its grace, then the drain). Resolves once listening,
 * with the port (PORT=0 picks one).
 */
export const serveNode = async ({
  fetch,
  port,
  host,
  limits,
  logger,
  clients,
  release,
}: {
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>
  port: number
  host: string
  limits: NodeLimits
  logger: Logger
  /**
   * The API's own clients: MAX_CONNECTIONS_PER_ADDRESS (a peer TRUST_PROXY trusts, nginx, is not
   * held to it) and SHUTDOWN_GRACE_MS. Absent (the Data API gateway, whose clients are Workers
   * behind a few egress addresses): neither.
   */
  clients?: { trustProxy: TrustProxy }
  /** Closes what the server holds once the last request is answered. */
  release: () => Promise<void>
}): Promise<{ port: number; server: Server }> => {
  // A log line on a closed stdout (`| head -1`) must not end the server (the gateway's too).
  surviveClosedStdio()
  const grace: Grace = { draining: false }
  const answered = (response: Response, env: HttpBindings | Http2Bindings) => {
    if (response.status === 413 && 'socket' in env.incoming) lingerClose(env.incoming as IncomingMessage)
    return response
  }
  const sent = (request: Request, env: HttpBindings | Http2Bindings, response: Response) => {
    const out = answerFor(request, response, grace)
    return out instanceof Promise ? out.then((r) => answered(r, env)) : answered(out, env)
  }
  // No promise where the app answered without one (its short way, app/shortcuts.ts): then
  // @hono/node-server writes the answer in the same tick, with no microtask between.
  const lingering = (request: Request, env: HttpBindings | Http2Bindings): Response | Promise<Response> => {
    const response = fetch(request, env)
    return response instanceof Promise
      ? response.then((r) => sent(request, env, r))
      : sent(request, env, response)
  }
  const { server, port: bound } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve(
      {
        fetch: lingering,
        port,
        hostname: host,
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // How often Node looks for requests past their timeouts (30 s by default).
          connectionsCheckingInterval: 1000,
        },
      },
      (info) => resolve({ server: s as Server, port: info.port }),
    )
  })
  server.maxConnections = limits.maxConnections
  if (clients) capConnectionsPerAddress(server, limits.maxConnectionsPerAddress, clients.trustProxy)

  onShutdown({
    logger,
    grace,
    graceMs: clients ? limits.shutdownGraceMs : 0,
    drain: () =>
      new Promise<void>((resolve) => {
        // close() spares keep-alive sockets that were busy when it was called; reap them once idle.
        const reaper = setInterval(() => server.closeIdleConnections(), 50)
        server.close(() => {
          clearInterval(reaper)
          resolve()
        })
        server.closeIdleConnections()
      }),
    release,
  })
  return { port: bound, server }
}
