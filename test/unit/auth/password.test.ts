import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import {
  createPasswordVerifier,
  HASH_FLOORS,
  type Hasher,
  type HashFloors,
  hashPassword,
  inlineHasher,
  isLegacyPlaintext,
  isPasswordHash,
  parseBcrypt,
  parseHash,
} from '#src/auth/password.js'

const ITER = 2000
/** Floors below the fixtures' (2,000 iterations, bcrypt cost 4), for the tests of everything else. */
const LOW: HashFloors = { pbkdf2Iterations: 1, bcryptCost: 4 }

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
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('password01', a), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('password02', a), { ok: false })
    assert.deepEqual(await v.verify('', a), { ok: false })
  })

  it('with LEGACY_PLAINTEXT_PASSWORDS=reject, never lets a plain-text record in, and still hashes once', async () => {
    const accept = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    const reject = createPasswordVerifier(ITER, 'reject', inlineHasher, LOW)
    assert.deepEqual(await accept.verify('password02', 'password02'), { ok: true, rehash: true })
    // The caller logs the refusal by the user's name (issue 21, item 8): it says why.
    assert.deepEqual(await reject.verify('password02', 'password02'), { ok: false, refused: 'plain text' })
    assert.deepEqual(await reject.verify('wrong', 'password02'), { ok: false, refused: 'plain text' })
    assert.deepEqual(await reject.verify('password01', await hashPassword('password01', ITER)), {
      ok: true,
      rehash: false,
    })
  })

  it('verifies a known PBKDF2-SHA256 vector (interoperable with other PHC implementations)', async () => {
    // Python: hashlib.pbkdf2_hmac('sha256', b'password', b'saltsaltsaltsalt', 1000)
    const stored = '$pbkdf2-sha256$i=1000$c2FsdHNhbHRzYWx0c2FsdA$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA'
    assert.ok(parseHash(stored))
    const v = createPasswordVerifier(1000, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('password', stored), { ok: true, rehash: false })
  })

  it('asks for a rehash of plain text and of weaker hashes', async () => {
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('password01', 'password01'), { ok: true, rehash: true })
    assert.deepEqual(await v.verify('password0', 'password01'), { ok: false })
    assert.deepEqual(await v.verify('pw', await hashPassword('pw', ITER / 2)), { ok: true, rehash: true })
  })

  it('runs exactly one PBKDF2 for a known user, an unknown user and a plain-text record', async () => {
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
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

  it('logs in once with a plain-text password that starts with $, as with any other (issue 19, item 7)', async () => {
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    for (const plain of ['$ecret', '$pbkdf2-sha256$', '$2b$12$short', '$pbkdf2-sha256$i=1000$!!$!!', '$$$']) {
      assert.ok(isLegacyPlaintext(plain), plain)
      assert.ok(!isPasswordHash(plain), plain)
      assert.deepEqual(await v.verify(plain, plain), { ok: true, rehash: true }, plain)
      assert.deepEqual(await v.verify(`${plain}x`, plain), { ok: false }, plain)
    }
    // What migrate-passwords asks (src/cli/user-commands.ts): a hash of ours or bcrypt's is one,
    // whatever its parameters; it is never compared as text.
    for (const hash of [
      await hashPassword('pw', ITER),
      '$pbkdf2-sha256$i=1$c2FsdHNhbHRzYWx0c2FsdA$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA',
      '$pbkdf2-sha256$i=999999999$c2FsdHNhbHRzYWx0c2FsdA$8nX7hwFEzIB8aPajJTYK8weHQc5Ngz0pFVAKvSu4jQA',
      '$2b$03$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq',
      '$2y$12$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq',
    ]) {
      assert.ok(isPasswordHash(hash), hash)
      assert.deepEqual((await v.verify(hash, hash)).ok, false, hash)
    }
  })

  it('refuses a stored hash below the floors like a wrong password, and says why (issue 19, item 3)', async () => {
    // 100,000 iterations and bcrypt cost 10: every hash this project wrote has 600,000 or more, the
    // 2024 service's bcrypt (passlib) has cost 12; a planted 1-iteration hash opened the account.
    assert.deepEqual(HASH_FLOORS, { pbkdf2Iterations: 100_000, bcryptCost: 10 })
    const v = createPasswordVerifier(ITER)
    const planted = await hashPassword('attacker', 1)
    assert.deepEqual(await v.verify('attacker', planted), { ok: false, refused: 'weak hash' })
    assert.deepEqual(await v.verify('wrong', planted), { ok: false, refused: 'weak hash' })
    assert.deepEqual(await v.verify('pw', await hashPassword('pw', 99_999)), {
      ok: false,
      refused: 'weak hash',
    })
    const atFloor = await hashPassword('pw', 100_000)
    assert.deepEqual(await v.verify('pw', atFloor), { ok: true, rehash: false })
    // bcrypt below cost 10 (passlib's `rounds=4` vector), refused without running bcrypt.
    const { hasher, runs } = countingHasher()
    const counted = createPasswordVerifier(ITER, 'accept', hasher)
    assert.deepEqual(await counted.verify('pässword01', PASSLIB['2b']), { ok: false, refused: 'weak hash' })
    assert.equal(runs.bcrypt, 0)
    assert.equal(runs.pbkdf2, 1, 'the dummy run: as costly as an unknown user')
    // passlib's default (cost 12), as the 2024 service wrote it, still logs in.
    assert.deepEqual(await v.verify('pw', PASSLIB.default), { ok: true, rehash: false })
  })

  it('refuses malformed or absurd hash strings', () => {
    assert.equal(parseHash('$pbkdf2-sha256$i=0$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'), null)
    assert.equal(parseHash('$pbkdf2-sha256$i=99999999$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'), null)
    assert.equal(parseHash('$pbkdf2-sha256$1000$c2FsdA$aGFzaA'), null)
  })
})

/**
 * Written by Debian's passlib 1.7.4 (bcrypt backend 3.2.2), as the 2024 service stored them:
 * `CryptContext(schemes=['bcrypt']).hash('pw')` (its default: `$2b$`, cost 12), and
 * `passlib.hash.bcrypt.using(rounds=4, ident=…).hash('pässword01')` for the other idents.
 * test/integration/passlib-bcrypt.test.ts has passlib write fresh ones.
 */
const PASSLIB = {
  default: '$2b$12$1ZclX8iM/KGqx.xk.oPGDeN13jVOwnCqI7FZoopFEgFucXQ4JOG2y',
  '2a': '$2a$04$WM0wv9YbkCPcNwpn.DxzI.LBRYJAdlFeNf6f4Vh5slzHHHDxmMcgO',
  '2y': '$2y$04$lMllfvalHlkk.g/tdOaV2Of0E7ctrQGmDwm7MxCtakTv8GDPqUm1y',
  '2b': '$2b$04$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq',
  /** `bcrypt.using(rounds=5).hash('x' * 100)`: bcrypt reads 72 bytes, and passlib truncates. */
  long: '$2b$05$8ZAnEvgozGvWqhBejCeSluNdpOdz6EqUYMpOE8mTBcGmhRVgc/8T.',
}

/** The inline hasher, counting the runs of each function. */
const countingHasher = () => {
  const runs = { pbkdf2: 0, bcrypt: 0 }
  const hasher: Hasher = {
    pbkdf2: (...args) => {
      runs.pbkdf2++
      return inlineHasher.pbkdf2(...args)
    },
    bcrypt: (...args) => {
      runs.bcrypt++
      return inlineHasher.bcrypt(...args)
    },
  }
  return { hasher, runs }
}

describe('bcrypt hashes (the 2024 service, passlib)', () => {
  it("verifies passlib's default hash ($2b$, cost 12), never asks for a rehash, refuses a wrong password", async () => {
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('pw', PASSLIB.default), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('pW', PASSLIB.default), { ok: false })
  })

  for (const ident of ['2a', '2b', '2y'] as const) {
    it(`verifies $${ident}$ (UTF-8 password) and refuses near misses`, async () => {
      const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
      const stored = PASSLIB[ident]
      assert.deepEqual(await v.verify('pässword01', stored), { ok: true, rehash: false })
      for (const wrong of ['password01', 'pässword0', 'pässword01 ', '', stored])
        assert.deepEqual(await v.verify(wrong, stored), { ok: false }, wrong)
    })
  }

  it('reads 72 bytes of a password, as passlib and every bcrypt do', async () => {
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('x'.repeat(100), PASSLIB.long), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('x'.repeat(72), PASSLIB.long), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('x'.repeat(71), PASSLIB.long), { ok: false })
  })

  it('is not plain text: LEGACY_PLAINTEXT_PASSWORDS=reject lets bcrypt records in', async () => {
    const v = createPasswordVerifier(ITER, 'reject', inlineHasher, LOW)
    assert.deepEqual(await v.verify('pässword01', PASSLIB['2b']), { ok: true, rehash: false })
    assert.deepEqual(await v.verify('wrong', PASSLIB['2b']), { ok: false })
  })

  it('runs exactly one bcrypt and no PBKDF2 for a bcrypt record; the other paths still one PBKDF2', async () => {
    const { hasher, runs } = countingHasher()
    const v = createPasswordVerifier(ITER, 'accept', hasher, LOW)
    await v.verify('warm', null)
    for (const pw of ['pässword01', 'wrong']) {
      const before = { ...runs }
      await v.verify(pw, PASSLIB['2y'])
      assert.deepEqual(
        { pbkdf2: runs.pbkdf2 - before.pbkdf2, bcrypt: runs.bcrypt - before.bcrypt },
        { pbkdf2: 0, bcrypt: 1 },
      )
    }
    for (const stored of [
      null,
      'password01',
      '$2b$03$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq',
    ]) {
      const before = { ...runs }
      await v.verify('password01', stored)
      assert.deepEqual(
        { pbkdf2: runs.pbkdf2 - before.pbkdf2, bcrypt: runs.bcrypt - before.bcrypt },
        { pbkdf2: 1, bcrypt: 0 },
        String(stored),
      )
    }
  })

  it('refuses malformed bcrypt strings and absurd costs (after a dummy PBKDF2, as any unknown format)', async () => {
    const salted = 'neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq'
    assert.ok(parseBcrypt(`$2b$04$${salted}`))
    assert.ok(parseBcrypt(`$2b$16$${salted}`))
    for (const bad of [
      `$2b$03$${salted}`, // below bcrypt's minimum
      `$2b$17$${salted}`, // seconds per login
      `$2b$31$${salted}`,
      `$2x$04$${salted}`, // crypt_blowfish's buggy variant
      `$2$04$${salted}`,
      `$2b$4$${salted}`,
      `$2b$04$${salted}A`,
      `$2b$04$${salted.slice(1)}`,
      `$2b$04$${salted.slice(0, -1)}!`,
    ]) {
      assert.equal(parseBcrypt(bad), null, bad)
    }
    const v = createPasswordVerifier(ITER, 'accept', inlineHasher, LOW)
    assert.deepEqual(await v.verify('pässword01', `$2b$17$${salted}`), { ok: false })
    assert.deepEqual(await v.verify('pässword01', `${PASSLIB['2b']}A`), { ok: false })
  })
})
