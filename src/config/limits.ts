/** Bounds on what one client may hold of a Node or Bun server (HEADERS_TIMEOUT_MS and the rest). */
export interface NodeLimits {
  /** Milliseconds a client has to send its request headers. */
  headersTimeoutMs: number
  /** Milliseconds a client has to send its whole request, body included. */
  requestTimeoutMs: number
  /** Milliseconds an idle keep-alive connection is kept; above nginx's upstream keepalive_timeout. */
  keepAliveTimeoutMs: number
  /** Open connections at most (Node closes the ones past it at once). */
  maxConnections: number
  /** Open connections from one client address at most; past it a new one is answered 503 and closed. */
  maxConnectionsPerAddress: number
  /**
   * Milliseconds between SIGTERM and closing idle connections: /readyz answers 503 and every answer
   * says `Connection: close`, so keep-alive clients (nginx's upstream pool) leave on their own.
   */
  shutdownGraceMs: number
}

/**
 * The defaults of HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS,
 * MAX_CONNECTIONS_PER_ADDRESS and SHUTDOWN_GRACE_MS.
 *
 * Headers in 5 s (it was 20 s): a client's headers are under a few KiB, sent whole by any client
 * and always by nginx, so 5 s spares a slow mobile link while connections that never finish their
 * headers (a flood from many addresses, each under the per-address cap) are reaped in 5-6 s
 * (Node checks every second) instead of holding MAX_CONNECTIONS for 20 s (issue 19, item 4).
 * 128 connections an address: nginx keeps 32 idle ones per worker to us (upstream keepalive) and a
 * browser opens 6 per origin, so a NAT of people fits, and a client holding 64 keep-alive
 * connections (the bench's login flood) meets the login throttle, not this cap: bench --flood
 * counted 156 unexpected 503s at 64, a connection of the harness's own being open beside them.
 * A single host flooding thousands of connections does not fit (nginx's limit_conn is 128 too).
 * A 5 s grace: nginx sends at most one more request on each idle upstream connection before it sees
 * `Connection: close`; systemd's TimeoutStopSec (20 s) covers it and the 10 s drain after it.
 */
export const DEFAULT_LIMITS: NodeLimits = {
  headersTimeoutMs: 5000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 4096,
  maxConnectionsPerAddress: 128,
  shutdownGraceMs: 5000,
}
