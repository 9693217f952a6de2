import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseWorkerConfig } from '#src/config/worker-config.js'

const SECRET = 'worker-config-secret-0123456789-abcdef'
const WORKER_KEY = 'worker-key-0123456789-abcdefghijklmnop'

describe('parseWorkerConfig', () => {
  it('builds the Data API settings from string bindings and ignores other bindings', () => {
    const r = parseWorkerConfig({
      DATA_API_URL: 'https://gw.example/app/data/v1',
      DATA_API_KEY: WORKER_KEY,
      JWT_SECRET_KEY: SECRET,
      JWT_EXPIRATION_DELTA: '600',
      MONGODB_DB: 'otherdb',
      CACHE: { get() {} },
    })
    assert.ok(r.ok, JSON.stringify(r))
    assert.deepEqual(r.config.backend, {
      kind: 'data-api',
      dataApi: {
        url: 'https://gw.example/app/data/v1',
        apiKey: WORKER_KEY,
        dataSource: 'mongodb-atlas',
        timeoutMs: 5000,
      },
    })
    assert.equal(r.config.database, 'otherdb')
    assert.equal(r.config.app.jwt.expirationDelta, 600)
    assert.equal(r.config.app.jwt.secret, SECRET)
  })

  it('requires the secret, the gateway and its key, naming each at once and echoing no value', () => {
    const r = parseWorkerConfig({ DATA_API_URL: 'ftp://x', JWT_ALGORITHM: 'RS256', JWT_SECRET_KEY: 'tiny' })
    assert.ok(!r.ok)
    const text = r.errors.join('\n')
    assert.match(text, /JWT_SECRET_KEY: must be at least 32 bytes/)
    assert.match(text, /DATA_API_URL: must be an http\(s\) URL/)
    assert.match(text, /DATA_API_KEY: required/)
    assert.match(text, /JWT_ALGORITHM/)
    assert.ok(!text.includes('tiny'))
    const none = parseWorkerConfig({})
    assert.ok(!none.ok)
    assert.match(none.errors.join('\n'), /JWT_SECRET_KEY: required/)
    assert.match(none.errors.join('\n'), /DATA_API_URL: required/)
  })

  it('refuses both backends at once and accepts MONGODB_URI alone (direct mode)', () => {
    const both = parseWorkerConfig({
      DATA_API_URL: 'https://gw.example',
      DATA_API_KEY: WORKER_KEY,
      MONGODB_URI: 'mongodb://127.0.0.1:27017/',
      JWT_SECRET_KEY: SECRET,
    })
    assert.ok(!both.ok)
    assert.match(both.errors.join('\n'), /set one, not both/)
    const direct = parseWorkerConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017/', JWT_SECRET_KEY: SECRET })
    assert.ok(direct.ok)
    assert.deepEqual(direct.config.backend, { kind: 'mongodb', uri: 'mongodb://127.0.0.1:27017/' })
  })
})

describe('parseWorkerConfig and example values', () => {
  it('refuses a DATA_API_KEY the gateway could never accept (x, or a placeholder)', () => {
    for (const key of ['x', '<the worker key from DATA_API_KEYS>']) {
      const parsed = parseWorkerConfig({
        JWT_SECRET_KEY: SECRET,
        DATA_API_URL: 'http://127.0.0.1:8780',
        DATA_API_KEY: key,
      })
      assert.equal(parsed.ok, false)
      if (!parsed.ok) assert.match(parsed.errors.join('\n'), /^DATA_API_KEY: must be a gateway key/m)
    }
  })
  it('refuses the placeholder secret of .dev.vars.example', () => {
    const parsed = parseWorkerConfig({
      JWT_SECRET_KEY: '<at least 32 bytes, the same secret as the Node and Bun servers>',
      DATA_API_URL: 'http://127.0.0.1:8780',
      DATA_API_KEY: 'k'.repeat(40),
    })
    assert.equal(parsed.ok, false)
    if (!parsed.ok) assert.match(parsed.errors.join('\n'), /^JWT_SECRET_KEY: is the placeholder/m)
  })
})
