/**
 * What a server says about the connection an answer goes out on, the same on Node and Bun.
 *
 * A 413 leaves the rest of the body unread, so the connection it came on cannot carry another
 * request: the answer says `Connection: close` (the contract's "Connections"). This is the
 * server's business, not the app's: behind workerd the edge owns connections, and a Worker that
 * sets the header makes wrangler's proxy drop the next request on it.
 *
 * During the shutdown grace (SHUTDOWN_GRACE_MS after SIGTERM) every answer says `Connection: close`,
 * so a keep-alive client (nginx's upstream pool) leaves after the answer it is reading instead of
 * finding its idle connection reset under its next request (ECONNRESET, a 502 behind nginx), and
 * `/readyz` answers 503 so a load balancer stops sending first (Kubernetes' and nginx-plus' order).
 */
export const closesConnection = (response: Response, draining = false): Response => {
  if (!draining && response.status !== 413) return response
  if (response.headers.get('Connection')?.toLowerCase() === 'close') return response
  const headers = new Headers(response.headers)
  headers.set('Connection', 'close')
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}

/** The app's /readyz answer, turned 503 while the server drains (the app's own 503 body and Retry-After). */
export const notReadyWhileDraining = async (request: Request, response: Response): Promise<Response> => {
  if (response.status !== 200 || new URL(request.url).pathname !== '/readyz') return response
  await response.body?.cancel()
  const headers = new Headers(response.headers)
  headers.delete('Content-Length')
  headers.set('Retry-After', '5')
  headers.set('Connection', 'close')
  return new Response(JSON.stringify({ error: 'Service Unavailable' }), { status: 503, headers })
}

/** The shutdown's first step, shared by the entries: set on SIGTERM, read on every answer. */
export interface Grace {
  draining: boolean
}

/** The answer as it goes out: the 413 and drain rules above (no extra await outside the grace). */
export const answerFor = (
  request: Request,
  response: Response,
  grace: Grace,
): Response | Promise<Response> =>
  grace.draining
    ? notReadyWhileDraining(request, response).then((r) => closesConnection(r, true))
    : closesConnection(response)

/**
 * The answer to a request whose peer address is unknown (Bun, once the connection is gone): 503
 * in the contract's shape, never passed to the app, so no password is hashed for it and no
 * throttle bucket is shared by every such request.
 */
export const UNKNOWN_PEER = (): Response =>
  new Response(JSON.stringify({ error: 'Service Unavailable' }), {
    status: 503,
    headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Retry-After': '5', Connection: 'close' },
  })
