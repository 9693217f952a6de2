import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { addressGroup, type TrustProxy } from '../../lib/address.js'

/** A socket with the peer address it had when it connected (Node forgets it once the socket closes). */
type StampedSocket = Socket & { holoduleRemoteAddress?: string }

/** The answer to a connection over the cap: read by a client that reads before it writes, then closed. */
const REFUSED =
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=UTF-8\r\n' +
  'Retry-After: 5\r\nConnection: close\r\nContent-Length: 31\r\n\r\n{"error":"Service Unavailable"}'

/**
 * The peer address of a request's socket, as it connected. Read after the client has gone (a
 * request whose body broke off, a login still hashing), `socket.remoteAddress` is undefined, and
 * the app counted such a request under the one address `unknown` that every client shares.
 */
export const socketPeerAddress = (socket: Socket): string | undefined =>
  (socket as StampedSocket).holoduleRemoteAddress ?? socket.remoteAddress

/**
 * At most `perAddress` open connections from one client address, IPv6 by its /64
 * (MAX_CONNECTIONS_PER_ADDRESS): one more is answered 503 and closed at once. Before it, one source
 * opening 4,200 connections that never finish their headers filled MAX_CONNECTIONS, and every
 * other client went unanswered until HEADERS_TIMEOUT_MS (issue 19, item 4). A peer TRUST_PROXY
 * trusts (nginx, which caps each client itself with limit_conn) is not capped.
 */
export const capConnectionsPerAddress = (server: Server, perAddress: number, trust: TrustProxy): void => {
  const open = new Map<string, number>()
  const trusted = (address: string) =>
    trust !== null && ('hops' in trust ? trust.hops > 0 : trust.trusted(address))
  server.on('connection', (socket: StampedSocket) => {
    const address = socket.remoteAddress
    if (address === undefined) return
    socket.holoduleRemoteAddress = address
    if (trusted(address)) return
    // Counted by the login counters' group: an IPv6 client by its /64, which it may fill at will.
    const group = addressGroup(address)
    const count = (open.get(group) ?? 0) + 1
    if (count > perAddress) {
      // Written straight to the kernel on a fresh socket, then destroyed at once: no request on it
      // reaches the app (Node's parser reads the handle itself, so pausing would not stop it).
      socket.on('error', () => {})
      socket.write(REFUSED)
      socket.destroy()
      return
    }
    open.set(group, count)
    socket.once('close', () => {
      const left = (open.get(group) ?? 1) - 1
      if (left > 0) open.set(group, left)
      else open.delete(group)
    })
  })
}
