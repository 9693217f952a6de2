import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sampleHolodules } from '#src/store/memory/sample-data.js'

test('the sample schedule has video ids that look like YouTube ids, each its own', () => {
  const rows = sampleHolodules(Date.UTC(2026, 10, 26))
  const ids = rows.map((r) => r.video_id)
  assert.equal(new Set(ids).size, ids.length)
  for (const id of ids) {
    assert.match(id, /^[A-Za-z0-9_-]{11}$/)
    // No character fills most of an id, as the old hash did ('rrrrrrrrrrq').
    const most = Math.max(...[...new Set(id)].map((ch) => id.split(ch).length - 1))
    assert.ok(most <= 4, id)
  }
  for (const r of rows) assert.equal(r.url, `https://www.youtube.com/watch?v=${r.video_id}`)
})
