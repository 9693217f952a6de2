import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Env } from '#src/config/env.js'
import { envFileSetting, mergeEnvFile } from '#src/config/env-file.js'

describe('envFileSetting', () => {
  it('reads .env of the working directory when there is one, by default', () => {
    assert.deepEqual(envFileSetting({}), { path: '.env', required: false })
    assert.deepEqual(envFileSetting({ ENV_FILE: '  ' }), { path: '.env', required: false })
  })
  it('reads the file ENV_FILE names, which must then exist', () => {
    assert.deepEqual(envFileSetting({ ENV_FILE: '/etc/holodule-api/env' }), {
      path: '/etc/holodule-api/env',
      required: true,
    })
  })
  it('reads nothing with ENV_FILE=off', () => {
    assert.equal(envFileSetting({ ENV_FILE: 'off' }), null)
  })
})

describe('mergeEnvFile', () => {
  it('takes what the environment does not set; the environment wins, an empty value included', () => {
    const env: Env = { PORT: '8000', CORS_ORIGINS: '' }
    const added = mergeEnvFile(env, { PORT: '5000', CORS_ORIGINS: 'https://a.example', LOG_LEVEL: 'warn' })
    assert.deepEqual(added, ['LOG_LEVEL'])
    assert.deepEqual(env, { PORT: '8000', CORS_ORIGINS: '', LOG_LEVEL: 'warn' })
  })
  it('never takes ENV_FILE from the file', () => {
    const env: Env = {}
    assert.deepEqual(mergeEnvFile(env, { ENV_FILE: 'other.env' }), [])
    assert.equal(env.ENV_FILE, undefined)
  })
})
