import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clientAddress, parseAddressPattern } from '#src/lib/address.js'

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    assert.equal(clientAddress('203.0.113.9', '1.2.3.4', null), '203.0.113.9')
  })
  it('with one hop, is the entry our proxy appended (the rightmost), not one a client wrote', () => {
    assert.equal(clientAddress('127.0.0.1', '6.6.6.6, 198.51.100.7', { hops: 1 }), '198.51.100.7')
  })
  it('with more hops than entries, is the leftmost', () => {
    assert.equal(clientAddress('127.0.0.1', '198.51.100.7', { hops: 5 }), '198.51.100.7')
  })
  it('with a list, skips trusted proxies from the right and stops at the first other address', () => {
    const trusted = parseAddressPattern('10.0.0.0/8')
    assert.ok(trusted)
    assert.equal(clientAddress('10.1.2.3', '6.6.6.6, 198.51.100.7, 10.9.9.9', { trusted }), '198.51.100.7')
    // A peer that is not a trusted proxy is the client, header or not.
    assert.equal(clientAddress('203.0.113.9', '6.6.6.6', { trusted }), '203.0.113.9')
  })
})

describe('parseAddressPattern', () => {
  it('matches IPv4 CIDRs, IPv4-mapped IPv6 peers and exact IPv6', () => {
    const lo = parseAddressPattern('127.0.0.0/8')
    assert.ok(lo?.('127.0.0.2'))
    assert.ok(lo?.('::ffff:127.0.0.1'))
    assert.ok(!lo?.('128.0.0.1'))
    assert.ok(parseAddressPattern('::1')?.('::1'))
  })
  it('refuses what is not an address', () => {
    for (const bad of ['nginx', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/x'])
      assert.equal(parseAddressPattern(bad), null)
  })
})
