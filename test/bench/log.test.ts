import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { errorReport, errorText } from '../../bench/lib/log.js'

/** What Node's fetch throws when the server resets the connection under load. */
const fetchFailed = () => {
  const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
  return new TypeError('fetch failed', { cause: socket })
}

/**
 * bench/lib/log.ts: how the bench reports an error. Node's fetch says only `fetch failed`; the
 * reason is in its `cause`, which the bench once dropped.
 */
describe("the bench's error reports", () => {
  it("errorText keeps fetch's cause, with its code", () => {
    assert.equal(errorText(fetchFailed()), 'fetch failed; cause: other side closed [UND_ERR_SOCKET]')
  })

  it('errorText follows a chain of causes, an AggregateError of refused addresses, and a non-Error', () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' })
    const all = new AggregateError([refused('127.0.0.1:1'), refused('::1:1')])
    const outer = new Error('the check failed', { cause: new TypeError('fetch failed', { cause: all }) })
    assert.equal(
      errorText(outer),
      'the check failed; cause: fetch failed; cause: connect ECONNREFUSED 127.0.0.1:1; connect ECONNREFUSED ::1:1',
    )
    assert.equal(errorText('a string'), 'a string')
    // A cycle of causes ends.
    const a: Error & { cause?: unknown } = new Error('a')
    a.cause = a
    assert.equal(errorText(a).split('; cause: ').length, 6)
  })

  it('errorReport prints the stack, then each cause on a line of its own', () => {
    const report = errorReport(fetchFailed())
    const lines = report.split('\n')
    assert.equal(lines[0], 'TypeError: fetch failed')
    assert.match(lines[1] ?? '', /^\s+at /)
    assert.equal(lines.at(-1), 'cause: other side closed [UND_ERR_SOCKET]')
  })
})
