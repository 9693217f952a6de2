/** Bounds on what one client may hold of a Node server (HEADERS_TIMEOUT_MS and the rest). */
export interface NodeLimits {
  /** Milliseconds a client has to send its request headers. */
  headersTimeoutMs: number
  /** Milliseconds a client has to send its whole request, body included. */
  requestTimeoutMs: number
  /** Milliseconds an idle keep-alive connection is kept; above nginx's upstream keepalive_timeout. */
  keepAliveTimeoutMs: number
  /** Open connections at most; more are refused by the kernel's backlog. */
  maxConnections: number
}

/** The defaults of HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS and MAX_CONNECTIONS. */
export const DEFAULT_LIMITS: NodeLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 4096,
}
