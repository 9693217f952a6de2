import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { DEFAULT_THROTTLE_POLICY } from '#src/app/index.js'
import { parseConfig } from '#src/config/config.js'

const LONG_SECRET = 's'.repeat(32)

describe('parseConfig', () => {
  it('runs embedded with defaults and a random secret when nothing is set', () => {
    const r = parseConfig({})
    assert.ok(r.ok)
    assert.equal(r.config.mongodbUri, undefined)
    assert.equal(r.config.mongodbDb, 'holoduledb')
    assert.equal(r.config.app.jwt.algorithm, 'HS256')
    assert.equal(r.config.app.jwt.expirationDelta, 300)
    assert.equal(r.config.app.jwt.authHeaderPrefix, 'JWT')
    assert.equal(r.config.app.corsOrigins, '*')
    assert.ok(r.config.app.jwt.secret.length >= 32)
    assert.match(r.warnings.join(), /JWT_SECRET_KEY/)
    const again = parseConfig({})
    assert.ok(again.ok && again.config.app.jwt.secret !== r.config.app.jwt.secret)
  })

  it('requires a secret of 32 bytes or more once a database is configured', () => {
    const none = parseConfig({ MONGODB_URI: 'mongodb://127.0.0.1:27017' })
    assert.ok(!none.ok)
    assert.match(none.errors.join('\n'), /JWT_SECRET_KEY: required/)
    const short = parseConfig({ MONGODB_HOST: 'db:27017', JWT_SECRET_KEY: 'short' })
    assert.ok(!short.ok)
    assert.match(short.errors.join('\n'), /JWT_SECRET_KEY: must be at least 32 bytes \(got 5\)/)
    assert.ok(parseConfig({ MONGODB_URI: 'mongodb://h', JWT_SECRET_KEY: LONG_SECRET }).ok)
  })

  it('names every bad variable at once', () => {
    const r = parseConfig({
      MONGODB_URI: 'mongodb://h',
      PORT: 'eighty',
      JWT_ALGORITHM: 'RS256',
      JWT_EXPIRATION_DELTA: '-1',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'not an origin',
    })
    assert.ok(!r.ok)
    const text = r.errors.join('\n')
    for (const name of [
      'PORT',
      'JWT_ALGORITHM',
      'JWT_EXPIRATION_DELTA',
      'LOG_LEVEL',
      'CORS_ORIGINS',
      'JWT_SECRET_KEY',
    ]) {
      assert.match(text, new RegExp(`^${name}:`, 'm'), name)
    }
  })

  it('takes the login policy from LOGIN_*, with the defaults of DEFAULT_THROTTLE_POLICY', () => {
    const r = parseConfig({})
    assert.ok(r.ok)
    assert.deepEqual(r.config.app.login, DEFAULT_THROTTLE_POLICY)
    assert.equal(DEFAULT_THROTTLE_POLICY.throttledDelayMs, 1000)
    const set = parseConfig({ LOGIN_THROTTLE_DELAY_MS: '0', LOGIN_HASH_CONCURRENCY: '3' })
    assert.ok(set.ok)
    assert.equal(set.config.app.login?.throttledDelayMs, 0)
    assert.equal(set.config.app.login?.hashConcurrency, 3)
    const bad = parseConfig({ LOGIN_THROTTLE_DELAY_MS: '-1', LOGIN_QUEUE_TIMEOUT_MS: 'soon' })
    assert.ok(!bad.ok)
    assert.match(bad.errors.join('\n'), /^LOGIN_THROTTLE_DELAY_MS: /m)
    assert.match(bad.errors.join('\n'), /^LOGIN_QUEUE_TIMEOUT_MS: /m)
  })

  it("builds a URI from the old service's host, user and password, escaping both", () => {
    const r = parseConfig({
      MONGODB_HOST: 'db.internal:27017',
      MONGODB_USER: 'holo@dule',
      MONGODB_PASSWORD: 'p:ss/w@rd',
      JWT_SECRET_KEY: LONG_SECRET,
    })
    assert.ok(r.ok)
    assert.equal(r.config.mongodbUri, 'mongodb://holo%40dule:p%3Ass%2Fw%40rd@db.internal:27017/')
    const noAuth = parseConfig({ MONGODB_HOST: 'db', JWT_SECRET_KEY: LONG_SECRET })
    assert.ok(noAuth.ok && noAuth.config.mongodbUri === 'mongodb://db/')
  })

  it('prefers MONGODB_URI and treats empty strings as unset', () => {
    const r = parseConfig({
      MONGODB_URI: 'mongodb://a/',
      MONGODB_HOST: 'b',
      JWT_SECRET_KEY: LONG_SECRET,
      PORT: '',
    })
    assert.ok(r.ok)
    assert.equal(r.config.mongodbUri, 'mongodb://a/')
    assert.equal(r.config.port, 5000)
  })

  it('parses a CORS origin list and refuses weak password hashing', () => {
    const r = parseConfig({ CORS_ORIGINS: 'https://a.example,http://localhost:3000' })
    assert.ok(r.ok)
    assert.deepEqual(r.config.app.corsOrigins, ['https://a.example', 'http://localhost:3000'])
    const weak = parseConfig({ PASSWORD_PBKDF2_ITERATIONS: '1000' })
    assert.ok(!weak.ok)
    assert.match(weak.errors.join(), /PASSWORD_PBKDF2_ITERATIONS/)
  })
})

describe('DOCS', () => {
  it('is on by default, off with DOCS=off, and anything else is named as an error', () => {
    const on = parseConfig({})
    assert.ok(on.ok && on.config.app.docs === true)
    const off = parseConfig({ DOCS: 'off' })
    assert.ok(off.ok && off.config.app.docs === false)
    const bad = parseConfig({ DOCS: 'maybe' })
    assert.ok(!bad.ok)
    assert.match(bad.errors.join('\n'), /^DOCS: /m)
  })
})

describe('example secrets', () => {
  const exampleValue = (file: string, name: string) => {
    const line = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}=`))
    assert.ok(line, `${file} has ${name}`)
    return line.slice(name.length + 1)
  }

  it('refuses the secret of .env.example and of .dev.vars.example, naming the variable, never the value', () => {
    for (const file of ['.env.example', '.dev.vars.example']) {
      const secret = exampleValue(file, 'JWT_SECRET_KEY')
      for (const env of [
        { JWT_SECRET_KEY: secret },
        { JWT_SECRET_KEY: secret, MONGODB_URI: 'mongodb://db/' },
      ]) {
        const parsed = parseConfig(env)
        assert.equal(parsed.ok, false, `${file} accepted`)
        if (!parsed.ok) {
          assert.match(parsed.errors.join('\n'), /^JWT_SECRET_KEY: is the placeholder from an example file/m)
          assert.ok(!parsed.errors.join('\n').includes(secret))
        }
      }
    }
  })

  describe('METRICS', () => {
    const TOKEN = 'a-scrape-token-of-32-characters!'
    it('is off by default, and on needs a guard, naming the variables', () => {
      const off = parseConfig({})
      assert.ok(off.ok && off.config.metrics === undefined)
      const bare = parseConfig({ METRICS: 'on' })
      assert.ok(!bare.ok)
      assert.match(bare.errors.join('\n'), /^METRICS: on needs METRICS_TOKEN .* or METRICS_PORT/m)
    })

    it('takes METRICS_TOKEN, METRICS_PORT or both', () => {
      const token = parseConfig({ METRICS: 'on', METRICS_TOKEN: TOKEN })
      assert.ok(token.ok)
      assert.deepEqual(token.config.metrics, { token: TOKEN, port: undefined })
      const port = parseConfig({ METRICS: 'on', METRICS_PORT: '9464' })
      assert.ok(port.ok)
      assert.deepEqual(port.config.metrics, { token: undefined, port: 9464 })
      const both = parseConfig({ METRICS: 'on', METRICS_PORT: '9464', METRICS_TOKEN: TOKEN })
      assert.ok(both.ok && both.config.metrics?.port === 9464 && both.config.metrics.token === TOKEN)
    })

    it('names every bad metrics variable at once, never the token', () => {
      const r = parseConfig({ METRICS: 'yes', METRICS_TOKEN: 'short', METRICS_PORT: 'x' })
      assert.ok(!r.ok)
      const text = r.errors.join('\n')
      for (const name of ['METRICS', 'METRICS_TOKEN', 'METRICS_PORT'])
        assert.match(text, new RegExp(`^${name}:`, 'm'), name)
      assert.ok(!text.includes('short'))
      const placeholder = parseConfig({ METRICS: 'on', METRICS_TOKEN: '<replace-with-a-token>' })
      assert.ok(!placeholder.ok)
      assert.match(placeholder.errors.join('\n'), /^METRICS_TOKEN: is the placeholder/m)
      const same = parseConfig({ METRICS: 'on', PORT: '8080', METRICS_PORT: '8080' })
      assert.ok(!same.ok)
      assert.match(same.errors.join('\n'), /^METRICS_PORT: must differ from PORT/m)
    })

    it('warns when a guard is set but METRICS is off', () => {
      const r = parseConfig({ METRICS_PORT: '9464' })
      assert.ok(r.ok && r.config.metrics === undefined)
      assert.match(r.warnings.join('\n'), /METRICS is off/)
    })
  })

  it('TRUST_PROXY: every entry an address or CIDR (IPv4 or IPv6), or a config error naming it (issue 19, item 7)', () => {
    const listed = parseConfig({ TRUST_PROXY: '10.0.0.0/8, ::1, fd00::/8' })
    assert.ok(listed.ok)
    const trust = listed.config.app.trustProxy
    assert.ok(trust && 'trusted' in trust)
    assert.ok(trust.trusted('fd00::7') && trust.trusted('10.1.1.1') && !trust.trusted('192.0.2.1'))
    const hops = parseConfig({ TRUST_PROXY: '2' })
    assert.ok(hops.ok)
    assert.deepEqual(hops.config.app.trustProxy, { hops: 2 })
    for (const bad of ['loopback', 'cafe:', '::1::2', '10.0.0.1, nginx', ',', '127.0.0.1/40']) {
      const r = parseConfig({ TRUST_PROXY: bad })
      assert.ok(!r.ok, bad)
      assert.match(r.errors.join('\n'), /^TRUST_PROXY: /m, bad)
    }
  })
})

describe('connection bounds (issue 19, item 4)', () => {
  const limits = (env: Record<string, string>) => {
    const parsed = parseConfig(env)
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '))
    return parsed.config.limits
  }

  it('reaps silent connections after 5 s, caps 128 connections an address, and gives SIGTERM a 5 s grace', () => {
    // HEADERS_TIMEOUT_MS was 20 s: a flood of connections that never finish their headers held
    // MAX_CONNECTIONS that long (src/config/limits.ts says why 5 s is enough for any client).
    assert.deepEqual(limits({}), {
      headersTimeoutMs: 5000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 4096,
      maxConnectionsPerAddress: 128,
      shutdownGraceMs: 5000,
    })
    assert.equal(
      limits({ MAX_CONNECTIONS_PER_ADDRESS: '8', SHUTDOWN_GRACE_MS: '0' }).maxConnectionsPerAddress,
      8,
    )
    assert.equal(limits({ SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs, 0)
  })

  it('names a cap below 1 or a grace past a minute', () => {
    const parsed = parseConfig({ MAX_CONNECTIONS_PER_ADDRESS: '0', SHUTDOWN_GRACE_MS: '60001' })
    assert.ok(!parsed.ok)
    assert.ok(
      parsed.errors.some((e) => e.startsWith('MAX_CONNECTIONS_PER_ADDRESS')),
      parsed.errors.join('; '),
    )
    assert.ok(
      parsed.errors.some((e) => e.startsWith('SHUTDOWN_GRACE_MS')),
      parsed.errors.join('; '),
    )
  })
})
