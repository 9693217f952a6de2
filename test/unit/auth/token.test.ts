import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import type { JwtConfig } from '#src/auth/token.js'
import {
  createTokenVerifier,
  InvalidTokenError,
  issuedBefore,
  issueSchedule,
  issueToken,
} from '#src/auth/token.js'
import { tokensValidFrom } from '#src/store/users.js'

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

describe('token verifier: segments that do not parse', () => {
  const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64url')
  const payload = b64('{"exp":1,"iat":1,"nbf":1,"identity":"user01"}')

  it("answers PyJWT's fixed words for a header that is not a JSON object, never the parser's message", async () => {
    const verifier = createTokenVerifier(jwt)
    // What PyJWT 2.6 answers for the last four (json.loads on the bytes); the others it words with
    // Python's own parser message, which a runtime's JSON.parse cannot reproduce (and V8 quotes the input).
    for (const header of [
      'notjson',
      '{"alg":',
      '{}x',
      '{"alg":"HS256"',
      "{'alg': 'HS256'}",
      '',
      '[1]',
      '1',
      'null',
      '"x"',
    ]) {
      await rejectsWith(
        verifier.verify(`${b64(header)}.${payload}.sig`, NOW),
        'Invalid header string: must be a json object',
      )
    }
    // Bytes that are not UTF-8 (TextDecoder's own TypeError before).
    await rejectsWith(
      verifier.verify(`${b64(new Uint8Array([0xff, 0xfe, 0x7b]))}.${payload}.sig`, NOW),
      'Invalid header string: must be a json object',
    )
  })

  it('answers the same for a signed payload that is not a JSON object', async () => {
    const verifier = createTokenVerifier(jwt)
    const { createHmac } = await import('node:crypto')
    const input = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64('{"exp": 1,')}`
    const sig = createHmac('sha256', jwt.secret).update(input).digest('base64url')
    await rejectsWith(
      verifier.verify(`${input}.${sig}`, NOW),
      'Invalid payload string: must be a json object',
    )
  })
})

describe('tokens and the password change (password_changed_at, the first second after it)', () => {
  const CHANGE_MS = Date.UTC(2024, 0, 10, 3) + 250
  const validFrom = tokensValidFrom(CHANGE_MS)
  const second = Math.floor(CHANGE_MS / 1000)

  it('refuses a token issued earlier in the second of the change, and any older one', () => {
    assert.equal(issuedBefore({ iat: second }, validFrom), true)
    assert.equal(issuedBefore({ iat: second - 1 }, validFrom), true)
    assert.equal(issuedBefore({ iat: second + 1 }, validFrom), false)
    // No change recorded (a record the old service wrote): nothing is refused.
    assert.equal(issuedBefore({ iat: 0 }, undefined), false)
    assert.equal(issuedBefore({ exp: 1 }, undefined), false)
  })

  it("refuses a token without iat (the 2024 service's {sub, exp}) once a change is recorded", () => {
    assert.equal(issuedBefore({ sub: 'user01', exp: second + 900 }, validFrom), true)
    assert.equal(issuedBefore({ sub: 'user01', exp: second + 900, iat: '9999999999' }, validFrom), true)
  })

  it('makes a login in the second of the change wait for the next one, and no other login', () => {
    const at = validFrom * 1000
    assert.deepEqual(issueSchedule(validFrom, CHANGE_MS), { waitMs: 750, notBeforeMs: at })
    assert.deepEqual(issueSchedule(validFrom, CHANGE_MS + 749), { waitMs: 1, notBeforeMs: at })
    const none = { waitMs: 0, notBeforeMs: 0 }
    assert.deepEqual(issueSchedule(validFrom, CHANGE_MS + 750), none)
    assert.deepEqual(issueSchedule(validFrom, CHANGE_MS + 60_000), none)
    assert.deepEqual(issueSchedule(undefined, CHANGE_MS), none)
    // A change exactly on a second's boundary still waits out that second.
    assert.deepEqual(issueSchedule(tokensValidFrom(second * 1000), second * 1000), {
      waitMs: 1000,
      notBeforeMs: (second + 1) * 1000,
    })
  })

  it('issues at the recorded second, after a second of waiting, when a clock ahead of ours recorded the change', () => {
    // Recorded 2.75 s ahead of us: the token is not yet valid for 1.75 s rather than refused for good.
    assert.deepEqual(issueSchedule(validFrom + 2, CHANGE_MS), {
      waitMs: 1000,
      notBeforeMs: (validFrom + 2) * 1000,
    })
    // Far ahead (a clock far off, or a bad record): not taken for a change just made.
    assert.deepEqual(issueSchedule(validFrom + 60, CHANGE_MS), { waitMs: 0, notBeforeMs: 0 })
  })
})
