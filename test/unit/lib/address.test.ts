import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addressGroup, clientAddress, parseAddressPattern } from '#src/lib/address.js'

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
  it('refuses colons and digits that only look like an address (issue 19, item 7)', () => {
    for (const bad of [
      ':',
      ':::',
      'cafe:',
      'dead:beef',
      '1:2:3:4:5:6:7:8:9',
      '::1::2',
      '12345::1',
      '::1/129',
      '::1/64/8',
      'fe80::1%eth0',
      '01.2.3.4',
      '1.2.3',
      '10.0.0.0/-1',
      '10.0.0.0/08x',
    ])
      assert.equal(parseAddressPattern(bad), null, bad)
  })
  it('matches IPv6 CIDRs and full forms of one address', () => {
    const ula = parseAddressPattern('fd00::/8')
    assert.ok(ula?.('fd12:3456::1'))
    assert.ok(!ula?.('fe80::1'))
    assert.ok(parseAddressPattern('::1')?.('0:0:0:0:0:0:0:1'))
    assert.ok(parseAddressPattern('2001:db8::/32')?.('2001:DB8:0:0:1::'))
    // A mapped peer is its IPv4 address to an IPv4 pattern, in dotted or hex form.
    assert.ok(parseAddressPattern('10.0.0.0/8')?.('::ffff:a01:203'))
  })
})

describe('addressGroup', () => {
  it('counts an IPv6 client by its /64, whatever its interface id and spelling', () => {
    const group = addressGroup('2001:db8:1:2:aaaa:bbbb:cccc:dddd')
    assert.equal(group, '2001:db8:1:2::/64')
    assert.equal(addressGroup('2001:DB8:1:2::1'), group)
    assert.equal(addressGroup('2001:0db8:0001:0002:0:0:0:ffff'), group)
    assert.notEqual(addressGroup('2001:db8:1:3::1'), group)
    assert.equal(addressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64')
  })
  it('counts IPv4-mapped IPv6 as the IPv4 address, and IPv4 as itself', () => {
    assert.equal(addressGroup('::ffff:127.0.1.7'), '127.0.1.7')
    assert.equal(addressGroup('::FFFF:7f00:107'), '127.0.1.7')
    assert.equal(addressGroup('0:0:0:0:0:ffff:127.0.1.7'), '127.0.1.7')
    assert.equal(addressGroup('127.0.1.7'), '127.0.1.7')
    assert.notEqual(addressGroup('127.0.1.8'), addressGroup('127.0.1.7'))
  })
  it('keeps what is not an address as given', () => {
    assert.equal(addressGroup('unknown'), 'unknown')
  })
})
