import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { metricsRoutes } from '#src/app/routes/metrics/metrics.index.js'

const TOKEN = 'metrics-scrape-token-0123456789'
const app = metricsRoutes({
  exposition: { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => 'up 1\n' },
  token: TOKEN,
})
const status = async (authorization?: string) =>
  (
    await app.request(
      '/metrics',
      authorization === undefined ? {} : { headers: { Authorization: authorization } },
    )
  ).status

describe('GET /metrics guard', () => {
  it('takes the scheme word in any case (RFC 9110: case-insensitive), the token exactly', async () => {
    // Before the fix `bearer <token>` was refused: the whole header was compared to `Bearer <token>`.
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR'])
      assert.equal(await status(`${scheme} ${TOKEN}`), 200, scheme)
    assert.equal(await status(`Bearer  ${TOKEN}`), 200, 'more than one space after the scheme')
  })

  it('refuses anything else', async () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      TOKEN,
      `Bearer${TOKEN}`,
      `JWT ${TOKEN}`,
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
    ])
      assert.equal(await status(header), 401, String(header))
  })
})
