import assert from 'node:assert/strict'
import { pbkdf2 } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  createTokenVerifier,
  issueToken,
  JWT_ALGORITHMS,
  type JwtConfig,
  webCryptoSignatures,
} from '#src/auth/token.js'
import { nodeSignatures } from '#src/runtime/node/signatures.js'

const jwt = (algorithm: JwtConfig['algorithm']): JwtConfig => ({
  secret: 'unit-secret-0123456789-abcdefghijklmnop',
  algorithm,
  expirationDelta: 300,
  notBeforeDelta: 0,
  leeway: 0,
  authHeaderPrefix: 'JWT',
  accessTokenExpires: 900,
})
const NOW = Date.UTC(2020, 11, 9, 12)
const signed = async (config: JwtConfig) => {
  const token = await issueToken(config, 'user01', NOW)
  const dot = token.lastIndexOf('.')
  return {
    input: token.slice(0, dot),
    signature: new Uint8Array(Buffer.from(token.slice(dot + 1), 'base64url')),
  }
}

describe("node:crypto's HMAC for the Node and Bun entries", () => {
  for (const algorithm of JWT_ALGORITHMS) {
    it(`answers as WebCrypto does (${algorithm}): the right signature, a changed one, a short one`, async () => {
      const config = jwt(algorithm)
      const { input, signature } = await signed(config)
      const node = nodeSignatures(config.secret, algorithm)
      const web = webCryptoSignatures(config.secret, algorithm)
      const changed = signature.slice()
      changed[0] = (changed[0] ?? 0) ^ 1
      for (const [sig, expected] of [
        [signature, true],
        [changed, false],
        [signature.slice(0, 16), false],
        [new Uint8Array(0), false],
      ] as const) {
        assert.equal(node(input, sig), expected)
        assert.equal(await web(input, sig), expected)
      }
      assert.equal(node(`${input}x`, signature), false)
    })
  }

  it('never waits behind password hashes in the thread pool, where WebCrypto does', async () => {
    const config = jwt('HS256')
    const token = await issueToken(config, 'user01', NOW)
    const order: string[] = []
    // Fill libuv's pool (4 threads) with PBKDF2 runs, as a login flood does.
    const hashes = Array.from(
      { length: 4 },
      () =>
        new Promise<void>((done) =>
          pbkdf2('pw', 'salt', 400_000, 32, 'sha256', () => {
            order.push('hash')
            done()
          }),
        ),
    )
    const viaNode = createTokenVerifier(config, nodeSignatures)
      .verify(token, NOW)
      .then(() => order.push('node'))
    const viaWeb = createTokenVerifier(config, webCryptoSignatures)
      .verify(token, NOW)
      .then(() => order.push('webcrypto'))
    await Promise.all([...hashes, viaNode, viaWeb])
    assert.equal(order[0], 'node', order.join(' '))
    assert.ok(order.indexOf('webcrypto') > order.indexOf('hash'), order.join(' '))
  })
})
