import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createPrometheusMetrics } from '#src/runtime/node/prometheus.js'

it('renders counters and cumulative histogram buckets in the text format', async () => {
  const { metrics, exposition } = createPrometheusMetrics()
  for (const seconds of [0.0001, 0.003, 0.003, 20]) metrics.request('/healthz', 'GET', 200, seconds)
  metrics.login('busy')
  metrics.cache('holodules', 'miss')
  metrics.cache('holodules', 'miss')
  const text = await exposition.render()
  const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix))
  const labels = 'route="/healthz",method="GET",status="200"'
  assert.equal(line(`holodule_http_requests_total{${labels}}`), `holodule_http_requests_total{${labels}} 4`)
  const bucket = (le: string) => line(`holodule_http_request_duration_seconds_bucket{${labels},le="${le}"}`)
  assert.match(bucket('0.0005') ?? '', / 1$/)
  assert.match(bucket('0.0025') ?? '', / 1$/)
  assert.match(bucket('0.005') ?? '', / 3$/)
  assert.match(bucket('10') ?? '', / 3$/)
  assert.match(bucket('+Inf') ?? '', / 4$/)
  assert.match(line('holodule_http_request_duration_seconds_sum') ?? '', / 20\.0061$/)
  assert.match(line('holodule_logins_total{outcome="busy"}') ?? '', / 1$/)
  assert.match(line('holodule_cache_lookups_total{cache="holodules",result="miss"}') ?? '', / 2$/)
  assert.match(text, /^# TYPE holodule_http_request_duration_seconds histogram$/m)
  assert.match(text, /^nodejs_eventloop_lag_seconds /m)
  assert.match(exposition.contentType, /^text\/plain; version=0\.0\.4/)
})
