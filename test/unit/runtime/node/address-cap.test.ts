import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { describe, it } from 'node:test'
import { capConnectionsPerAddress, socketPeerAddress } from '#src/runtime/node/address-cap.js'

/** A socket as the cap sees one: its peer, what it was sent, whether it was destroyed. */
const fakeSocket = (remoteAddress: string) => {
  const socket = Object.assign(new EventEmitter(), {
    remoteAddress,
    written: '',
    destroyed: false,
    write(chunk: string) {
      socket.written += chunk
      return true
    },
    destroy() {
      socket.destroyed = true
      socket.emit('close')
    },
  })
  return socket
}

const connectAll = (server: EventEmitter, addresses: string[]) =>
  addresses.map((a) => {
    const s = fakeSocket(a)
    server.emit('connection', s as unknown as Socket)
    return s
  })

describe('connections per client address', () => {
  it('refuses the one past the cap with a 503, and counts a closed one out', () => {
    const server = new EventEmitter()
    capConnectionsPerAddress(server as unknown as Server, 2, null)
    const [a, b, c] = connectAll(server, ['192.0.2.1', '192.0.2.1', '192.0.2.1'])
    assert.deepEqual([a?.destroyed, b?.destroyed, c?.destroyed], [false, false, true])
    assert.match(c?.written ?? '', /^HTTP\/1\.1 503 .*Connection: close/s)
    a?.destroy()
    const [d] = connectAll(server, ['192.0.2.1'])
    assert.equal(d?.destroyed, false)
    assert.equal(socketPeerAddress(d as unknown as Socket), '192.0.2.1')
  })

  it('counts an IPv6 client by its /64: other addresses of the same /64 share its cap', () => {
    const server = new EventEmitter()
    capConnectionsPerAddress(server as unknown as Server, 2, null)
    const sockets = connectAll(server, [
      '2001:db8:0:1::a',
      '2001:db8:0:1::b',
      '2001:db8:0:1:ffff::c',
      '2001:db8:0:2::a',
    ])
    assert.deepEqual(
      sockets.map((s) => s.destroyed),
      [false, false, true, false],
    )
  })
})
