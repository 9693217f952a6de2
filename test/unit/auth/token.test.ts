import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import type { JwtConfig } from '#src/auth/token.js'
import { createTokenVerifier, InvalidTokenError, issueToken } from '#src/auth/token.js'

const jwt: JwtConfig = {
  secret: 'unit-secret-0123456789-abcdefghijklmnop',
  algorithm: 'HS256',
  expirationDelta: 300,
  notBeforeDelta: 0,
  leeway: 0,
  authHeaderPrefix: 'JWT',
  accessTokenExpires: 900,
}
const NOW = Date.UTC(2020, 11, 9, 12)

const rejectsWith = (p: Promise<unknown>, message: string) =>
  assert.rejects(p, (e: unknown) => e instanceof InvalidTokenError && e.message === message)

describe('token verifier: a verified token is remembered, its time claims are not', () => {
  it('checks the HMAC once per token, not once per request', async () => {
    const verifier = createTokenVerifier(jwt)
    const token = await issueToken(jwt, 'user01', NOW)
    const spy = mock.method(crypto.subtle, 'verify')
    try {
      for (let i = 0; i < 5; i++) assert.equal((await verifier.verify(token, NOW)).identity, 'user01')
      assert.equal(spy.mock.callCount(), 1)
    } finally {
      spy.mock.restore()
    }
  })

  it('a remembered token still expires on time', async () => {
    const verifier = createTokenVerifier(jwt)
    const token = await issueToken(jwt, 'user01', NOW)
    await verifier.verify(token, NOW)
    await verifier.verify(token, NOW + 299_000)
    await rejectsWith(verifier.verify(token, NOW + 300_000), 'Signature has expired')
  })

  it('a token that differs only in its signature is checked, not taken from memory', async () => {
    const verifier = createTokenVerifier(jwt)
    const token = await issueToken(jwt, 'user01', NOW)
    await verifier.verify(token, NOW)
    const last = token.at(-2) === 'A' ? 'B' : 'A'
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`
    await rejectsWith(verifier.verify(forged, NOW), 'Signature verification failed')
  })

  it('a token not yet valid is not remembered as valid', async () => {
    const verifier = createTokenVerifier(jwt)
    const token = await issueToken(jwt, 'user01', NOW + 60_000)
    await rejectsWith(verifier.verify(token, NOW), 'The token is not yet valid (iat)')
    assert.equal((await verifier.verify(token, NOW + 60_000)).identity, 'user01')
  })
})
