import t from 'tap'
import { HttpRequestStats } from '../../src/plugins/http-stats.js'

// Expected values are hand-counted from the observations; the format is the Prometheus text
// exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).

function lines (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

t.test('buckets are cumulative, +Inf and _count equal the count, _sum adds the observations', async (t) => {
  const stats = new HttpRequestStats([0.001, 0.01, 0.1])
  for (const s of [0.0005, 0.001, 0.005, 0.05, 2]) stats.observe('POST', '/v1/estimate', 200, s)
  stats.observe('POST', '/v1/estimate', 400, 0.0001)
  const m = lines(stats.exposition())
  const l = 'method="POST",route="/v1/estimate",status_code="200"'
  t.equal(m.get(`pretrade_http_requests_total{${l}}`), 5)
  // 0.0005 and 0.001 are <= 0.001 (le is inclusive); 0.005 adds to le=0.01; 0.05 to le=0.1; 2 only to +Inf
  t.equal(m.get(`pretrade_http_request_duration_seconds_bucket{le="0.001",${l}}`), 2)
  t.equal(m.get(`pretrade_http_request_duration_seconds_bucket{le="0.01",${l}}`), 3)
  t.equal(m.get(`pretrade_http_request_duration_seconds_bucket{le="0.1",${l}}`), 4)
  t.equal(m.get(`pretrade_http_request_duration_seconds_bucket{le="+Inf",${l}}`), 5)
  t.equal(m.get(`pretrade_http_request_duration_seconds_count{${l}}`), 5)
  t.ok(Math.abs((m.get(`pretrade_http_request_duration_seconds_sum{${l}}`) ?? 0) - 2.0565) < 1e-12)
  t.equal(m.get('pretrade_http_requests_total{method="POST",route="/v1/estimate",status_code="400"}'), 1, 'each status its own series')
})

t.test('the format declares each family once, and label values are escaped', async (t) => {
  const stats = new HttpRequestStats([1])
  stats.observe('GET', 'a"b\\c\nd', 404, 0.5)
  const text = stats.exposition()
  t.equal(text.match(/^# TYPE pretrade_http_requests_total counter$/gm)?.length, 1)
  t.equal(text.match(/^# TYPE pretrade_http_request_duration_seconds histogram$/gm)?.length, 1)
  t.match(text, 'route="a\\"b\\\\c\\nd"')
  t.ok(text.endsWith('\n'))
})

t.test('bounds must be finite and strictly ascending', async (t) => {
  t.throws(() => new HttpRequestStats([0.1, 0.1]), RangeError)
  t.throws(() => new HttpRequestStats([0.1, Infinity]), RangeError)
  t.doesNotThrow(() => new HttpRequestStats([]))
})
