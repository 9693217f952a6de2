/**
 * A 413 leaves the rest of the body unread, so the connection it came on cannot carry another
 * request: the answer says `Connection: close` (the contract's "Connections"). This is the
 * server's business, not the app's: behind workerd the edge owns connections, and a Worker that
 * sets the header makes wrangler's proxy drop the next request on it.
 */
export const closesConnection = (response: Response): Response => {
  if (response.status !== 413 || response.headers.get('Connection')?.toLowerCase() === 'close')
    return response
  const headers = new Headers(response.headers)
  headers.set('Connection', 'close')
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
}
