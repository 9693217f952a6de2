import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createJsonLogger } from '#src/lib/logger.js'

describe('createJsonLogger', () => {
  it('writes one JSON line per call at or above its level', () => {
    const lines: string[] = []
    const logger = createJsonLogger(
      'info',
      (l) => lines.push(l),
      () => 0,
    )
    logger.debug('dropped')
    logger.info('kept', { n: 1 })
    assert.deepEqual(lines, ['{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"kept","n":1}'])
  })

  it('drops a line its writer cannot write (a closed stream) instead of throwing into the caller', () => {
    let tried = 0
    const logger = createJsonLogger('info', () => {
      tried++
      throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })
    })
    assert.doesNotThrow(() => logger.error('the database is gone'))
    assert.doesNotThrow(() => logger.info('request', { status: 200 }))
    assert.equal(tried, 2)
  })
})
