import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { createPasswordVerifier, hashPassword, parseHash } from '#src/auth/password.js'

const ITER = 2000

/** Counts PBKDF2 runs: the timing defence is "every path runs exactly one". */
const countDerivations = () => {
  const subtle = crypto.subtle
  const original = subtle.deriveBits.bind(subtle)
  let count = 0
  subtle.deriveBits = ((...args: Parameters<SubtleCrypto['deriveBits']>) => {
    count++
    return original(...args)
  }) as SubtleCrypto['deriveBits']
  return {
    get count() {
      return count
    },
    restore: () => {
      subtle.deriveBits = original
    },
  }
}

describe('password hashes', () => {
  let counter: ReturnType<typeof countDerivations> | undefined
  afterEach(() => counter?.restore())

  it('writes salted PHC strings that verify only with the right password', async () => {
    const a = await hashPassword('password01', ITER)
    const b = await hashPassword('password01', ITER)
    assert.match(a, /^\$pbkdf2-sha256\$i=2000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    assert.notEqual(a, b, 'salted')
    const v = createPasswordVerifier(ITER)
    assert.deepEqual(await v.verify('password01', a), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('password02', a), { ok: false })
    assert.deepEqual(await v.verify('', a), { ok: false })
  })

  it('with LEGACY_PLAINTEXT_PASSWORDS=reject, never lets a plain-text record in, and still hashes once', async () => {
    const accept = createPasswordVerifier(ITER)
    const reject = createPasswordVerifier(ITER, 'reject')
    assert.deepEqual(await accept.verify('password02', 'password02'), { ok: true, rehash: true })
    assert.deepEqual(await reject.verify('password02', 'password02'), { ok: false })
    assert.deepEqual(await reject.verify('password01', await hashPassword('password01', ITER)), {
      ok: true,
      rehash: false,
    })
  })

  it('verifies a known PBKDF2-SHA256 vector (interoperable with other PHC implementations)', async () => {
    // Python: hashlib.pbkdf2_hmac('sha256', b'password', b'saltsaltsaltsalt', 1000)
    const stored = '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA'
    assert.ok(parseHash(stored))
    const v = createPasswordVerifier(1000)
    assert.deepEqual(await v.verify('password', stored), { ok: true, rehash: false })
  })

  it('asks for a rehash of plain text and of weaker hashes', async () => {
    const v = createPasswordVerifier(ITER)
    assert.deepEqual(await v.verify('password01', 'password01'), { ok: true, rehash: true })
    assert.deepEqual(await v.verify('password0', 'password01'), { ok: false })
    assert.deepEqual(await v.verify('pw', await hashPassword('pw', ITER / 2)), { ok: true, rehash: true })
  })

  it('runs exactly one PBKDF2 for a known user, an unknown user and a plain-text record', async () => {
    const v = createPasswordVerifier(ITER)
    const stored = await hashPassword('password01', ITER)
    await v.verify('warm', null) // the dummy hash is made once, lazily
    counter = countDerivations()
    for (const [pw, s] of [
      ['password01', stored],
      ['wrong', stored],
      ['password01', null],
      ['password01', 'password01'],
      ['password01', '$unknown$format'],
    ] as const) {
      const before: number = counter.count
      await v.verify(pw, s)
      assert.equal(counter.count - before, 1, `${pw} / ${s}`)
    }
  })

  it('refuses malformed or absurd hash strings', () => {
    assert.equal(parseHash('$pbkdf2-sha256$i=0$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'), null)
    assert.equal(parseHash('$pbkdf2-sha256$i=99999999$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'), null)
    assert.equal(parseHash('$pbkdf2-sha256$1000$c2FsdA$aGFzaA'), null)
  })
})
