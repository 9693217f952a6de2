import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { before, describe, it } from 'node:test'
import { SECRET } from '#harness/fixtures.js'
import { createApp } from '#src/app/create-app.js'
import { createPasswordVerifier, type Hasher, inlineHasher } from '#src/auth/password.js'
import { parseConfig } from '#src/config/config.js'
import { silentLogger } from '#src/lib/logger.js'
import { prioritizedHasher } from '#src/runtime/node/hashing.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'

/** Debian's passlib and bcrypt, as the 2024 service (FastAPI + passlib) hashed its users' passwords. */
const PYTHON = process.env.PASSLIB_PYTHON ?? '/usr/bin/python3'

const python = (script: string, input: unknown): unknown =>
  JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' }))

/** Hashes each `[password, ident, rounds]`; rounds null: passlib's default (12), ident null: `2b`. */
const PY_HASH = `
import json, sys
from passlib.context import CryptContext
from passlib.hash import bcrypt
out = []
for pw, ident, rounds in json.load(sys.stdin):
    if ident is None and rounds is None:
        out.append(CryptContext(schemes=["bcrypt"]).hash(pw))
    else:
        out.append(bcrypt.using(ident=ident or "2b", rounds=rounds or 12).hash(pw))
print(json.dumps(out))
`
const PY_VERIFY = `
import json, sys
from passlib.context import CryptContext
pw, h = json.load(sys.stdin)
print(json.dumps(CryptContext(schemes=["bcrypt"]).verify(pw, h)))
`

const passlibHashes = (jobs: Array<[string, string | null, number | null]>) =>
  python(PY_HASH, jobs) as string[]

describe("passlib's bcrypt hashes, written now", () => {
  before(() => {
    try {
      execFileSync(PYTHON, ['-c', 'import passlib, bcrypt'], { stdio: 'ignore' })
    } catch {
      throw new Error(
        `passlib is needed for this test: apt-get install python3-passlib python3-bcrypt (looked for ${PYTHON})`,
      )
    }
  })

  const hashers: Array<[string, () => Hasher]> = [
    ['inline (workerd)', () => inlineHasher],
    ['threads (Node, Bun)', () => prioritizedHasher(silentLogger, 1)],
  ]
  for (const [name, hasher] of hashers) {
    it(`verify with the ${name} hasher, each ident, and are never rewritten`, async () => {
      const jobs: Array<[string, string | null, number | null]> = [
        ['password01', null, null],
        ['pässwörd 02 ✓', '2a', 4],
        ['pässwörd 02 ✓', '2b', 5],
        ['pässwörd 02 ✓', '2y', 4],
      ]
      const hashes = passlibHashes(jobs)
      assert.match(hashes[0] as string, /^\$2b\$12\$[./A-Za-z0-9]{53}$/)
      // Floors below the cost-4 and -5 jobs (production's is cost 10): what is tested is the bcrypt.
      const v = createPasswordVerifier(1000, 'reject', hasher(), { pbkdf2Iterations: 1, bcryptCost: 4 })
      for (const [i, [pw, ident]] of jobs.entries()) {
        const stored = hashes[i] as string
        assert.ok(stored.startsWith(`$${ident ?? '2b'}$`), stored)
        // Both priorities, alternately: each bcrypt at cost 12 is a quarter of a second here.
        const [right, wrong] = i % 2 ? (['low', 'normal'] as const) : (['normal', 'low'] as const)
        assert.deepEqual(await v.verify(pw, stored, right), { ok: true, rehash: false }, stored)
        assert.deepEqual(await v.verify(`${pw}x`, stored, wrong), { ok: false }, stored)
      }
    })
  }

  it('log in through POST /auth and POST /login with the hash left as it is; plain text is upgraded', async () => {
    const [bcrypt] = passlibHashes([['password01', null, null]]) as [string]
    const store = new MemoryStore({
      users: [
        { id: '1', username: 'user01', password: bcrypt },
        { id: '2', username: 'user02', password: 'password02' },
      ],
    })
    const rewrites: string[] = []
    const update = store.updatePasswordHash.bind(store)
    store.updatePasswordHash = (username, expected, hash) => {
      rewrites.push(username)
      return update(username, expected, hash)
    }
    const parsed = parseConfig({ JWT_SECRET_KEY: SECRET })
    if (!parsed.ok) throw new Error(parsed.errors.join('; '))
    // As the Node and Bun entries build it (src/runtime/node/bootstrap.ts).
    const app = createApp({ config: parsed.config.app, store, hasher: prioritizedHasher(silentLogger, 1) })
    const login = (path: '/auth' | '/login', username: string, password: string) =>
      app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      })

    const res = await login('/auth', 'user01', 'password01')
    assert.equal(res.status, 200)
    assert.match(((await res.json()) as { access_token: string }).access_token, /^ey/)
    assert.equal((await login('/login', 'user01', 'password01')).status, 200)
    assert.equal((await login('/auth', 'user01', 'password02')).status, 401)
    assert.equal((await store.findUserByUsername('user01'))?.password, bcrypt)
    // The 2024 service, reading the same record, still lets the user in.
    assert.equal(python(PY_VERIFY, ['password01', bcrypt]), true)

    assert.equal((await login('/auth', 'user02', 'password02')).status, 200)
    assert.deepEqual(rewrites, ['user02'])
    assert.match((await store.findUserByUsername('user02'))?.password ?? '', /^\$pbkdf2-sha256\$/)
  })
})
