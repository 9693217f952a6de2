import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { before, describe, it } from 'node:test'
import { SECRET } from '#harness/fixtures.js'
import { claims, craftToken, nowSeconds } from '#harness/tokens.js'
import type { JwtAlgorithm } from '#src/auth/token.js'
import { createTokenVerifier, InvalidTokenError, issueAccessToken, issueToken } from '#src/auth/token.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testConfig } from '../support/app.js'

/** Debian's PyJWT; the pyenv python on PATH may lack it. */
const PYTHON = process.env.PYJWT_PYTHON ?? '/usr/bin/python3'

const python = (script: string, input: unknown): unknown => {
  const out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' })
  return JSON.parse(out)
}

/** PyJWT decodes each token as Flask-JWT 0.3.2 asks it to; returns the payload or str(error). */
const PY_DECODE = `
import json, sys, jwt
req = json.load(sys.stdin)
out = []
for t in req["tokens"]:
    try:
        out.append({"ok": jwt.decode(t, req["secret"], algorithms=[req["alg"]], leeway=req.get("leeway", 0),
                                     options={"require": ["exp", "iat", "nbf"]})})
    except jwt.InvalidTokenError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`

const PY_ENCODE = `
import json, sys, jwt
req = json.load(sys.stdin)
t = jwt.encode(req["payload"], req["secret"], algorithm=req["alg"])
print(json.dumps(t if isinstance(t, str) else t.decode()))
`

const jwtConfig = (algorithm: JwtAlgorithm) => testConfig({ JWT_ALGORITHM: algorithm }).jwt

describe('PyJWT interoperability', () => {
  before(() => {
    try {
      execFileSync(PYTHON, ['-c', 'import jwt'], { stdio: 'ignore' })
    } catch {
      throw new Error(`PyJWT is needed for this test: apt-get install python3-jwt (looked for ${PYTHON})`)
    }
  })

  for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
    it(`${alg}: PyJWT decodes our tokens, and we accept PyJWT's`, async () => {
      const jwt = jwtConfig(alg)
      const ours = await issueToken(jwt, 'user01', Date.now())
      const [decoded] = python(PY_DECODE, { tokens: [ours], secret: SECRET, alg }) as Array<{
        ok?: { identity: string }
      }>
      assert.equal(decoded?.ok?.identity, 'user01')

      const now = nowSeconds()
      const payload = { exp: now + 300, iat: now, nbf: now, identity: 'user01' }
      const theirs = python(PY_ENCODE, { payload, secret: SECRET, alg }) as string
      assert.deepEqual(await createTokenVerifier(jwt).verify(theirs, Date.now()), payload)
    })
  }

  it("the second generation: PyJWT decodes our /login tokens as Flask-JWT-Extended does, and we accept PyJWT's", async () => {
    const jwt = jwtConfig('HS256')
    const ours = await issueAccessToken(jwt, 'user01', Date.now())
    // Flask-JWT-Extended decodes with PyJWT, the secret and the algorithm, and reads sub, type, jti.
    const [decoded] = python(PY_DECODE, { tokens: [ours], secret: SECRET, alg: 'HS256' }) as Array<{
      ok?: Record<string, unknown>
    }>
    assert.equal(decoded?.ok?.sub, 'user01')
    assert.equal(decoded?.ok?.type, 'access')
    assert.equal(decoded?.ok?.fresh, false)
    assert.equal((decoded?.ok?.exp as number) - (decoded?.ok?.iat as number), 900)

    const iat = nowSeconds()
    const payload = {
      fresh: false,
      iat,
      jti: 'a-jti',
      type: 'access',
      sub: 'user01',
      nbf: iat,
      exp: iat + 900,
    }
    const theirs = python(PY_ENCODE, { payload, secret: SECRET, alg: 'HS256' }) as string
    const verified = await createTokenVerifier(jwt).verify(theirs, Date.now())
    assert.equal(verified.sub, 'user01')
    assert.equal(verified.type, 'access')
    // And over the app's Bearer route, as a 2023 client sends it.
    const { app } = testApp({
      store: new MemoryStore({ users: [{ id: '1', username: 'user01', password: 'x' }] }),
    })
    const res = await app.request('/holodules/20201209', { headers: { Authorization: `Bearer ${theirs}` } })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), [])
  })

  it('rejects bad tokens with the very words PyJWT uses', async () => {
    const now = nowSeconds()
    const missing = (claim: string) => {
      const p: Record<string, unknown> = claims('user01')
      delete p[claim]
      return craftToken(p, SECRET)
    }
    const tokens = [
      'abc',
      'abc.def',
      '!!!.e30.abc',
      craftToken(claims('user01'), 'another secret'),
      craftToken(claims('user01'), SECRET, { alg: 'none' }),
      craftToken(claims('user01'), SECRET, { alg: 'HS512' }),
      missing('exp'),
      missing('iat'),
      missing('nbf'),
      craftToken(claims('user01', { exp: now - 10, iat: now - 310, nbf: now - 310 }), SECRET),
      craftToken(claims('user01', { nbf: now + 100 }), SECRET),
      craftToken(claims('user01', { iat: now + 100 }), SECRET),
      craftToken({ exp: now - 300, iat: now + 999, identity: 'x' }, 'forged'),
      // A header that is JSON but not an object ([1]), and one that is not JSON at all ("notjson").
      'WzFd.e30.abc',
      'bm90anNvbg.e30.abc',
    ]
    const theirs = (
      python(PY_DECODE, { tokens, secret: SECRET, alg: 'HS256' }) as Array<{ error?: string }>
    ).map((r) => r.error)
    const verifier = createTokenVerifier(jwtConfig('HS256'))
    const ours: Array<string | undefined> = []
    for (const t of tokens) {
      try {
        await verifier.verify(t, Date.now())
        ours.push(undefined)
      } catch (e) {
        assert.ok(e instanceof InvalidTokenError)
        ours.push(e.message)
      }
    }
    assert.ok(
      theirs.every((m) => typeof m === 'string'),
      'PyJWT rejected every token',
    )
    // PyJWT decodes base64 leniently (it drops stray characters), so for a garbled header it may
    // fail at the JSON step instead; the contract accepts either of its "Invalid header" words.
    assert.equal(ours[2], 'Invalid header padding')
    assert.match(theirs[2] ?? '', /^Invalid header /)
    // Text that is not JSON: PyJWT adds Python's parser message (a position); ours is the same
    // fixed words on every runtime (a runtime's own message differs and quotes the input).
    const notJson = tokens.length - 1
    assert.equal(ours[notJson], 'Invalid header string: must be a json object')
    assert.match(theirs[notJson] ?? '', /^Invalid header string: Expecting value: /)
    assert.deepEqual(
      ours.filter((_, i) => i !== 2 && i !== notJson),
      theirs.filter((_, i) => i !== 2 && i !== notJson),
    )
  })
})
