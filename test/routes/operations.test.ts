import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { build, post, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'
import { waitFor } from '../support/wait.js'
import { buildApp } from '../../src/app.js'
import type { AppDeps, LiveStatus } from '../../src/deps.js'
import { loadConfig } from '../../src/config.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import type { RecalibrationJob, JobStatus } from '../../src/jobs/recalibrate.js'

const KEY = 'operations-test-admin-key-0123'
const ESTIMATE = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1 }

/** The value of one series in Prometheus text, or undefined when absent. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

function deps (t: Teardown, env: Record<string, string>, extra: Partial<AppDeps> = {}): AppDeps {
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ...env })
  return {
    config,
    market: loadEmbeddedMarketState(config.MARKET_STATE_PATH, config),
    models: new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() }),
    tcaStore: tempTcaStore(t),
    ...extra
  }
}

t.test('GET /metrics counts requests by route template and status, and shows the active model per symbol', async (t) => {
  const d = deps(t, {})
  const app = await buildApp(d)
  t.teardown(async () => await app.close())
  for (let i = 0; i < 3; i++) t.equal((await post(app, '/v1/estimate', ESTIMATE)).statusCode, 200)
  t.equal((await post(app, '/v1/estimate', { ...ESTIMATE, qtyBase: -1 })).statusCode, 400)
  t.equal((await app.inject('/nope/123')).statusCode, 404)
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.equal(sample(text, 'pretrade_http_requests_total{method="POST",route="/v1/estimate",status_code="200"}'), 3, '3 estimates answered 200')
  t.equal(sample(text, 'pretrade_http_requests_total{method="POST",route="/v1/estimate",status_code="400"}'), 1, '1 rejected')
  t.equal(sample(text, 'pretrade_http_request_duration_seconds_count{method="POST",route="/v1/estimate",status_code="200"}'), 3, 'each one timed')
  t.equal(sample(text, 'pretrade_http_requests_total{method="GET",route="unmatched",status_code="404"}'), 1, 'unknown URLs share one label, not one each')
  t.notOk(text.includes('/nope/123'), 'raw URLs never become labels')
  const sqrt = d.models.catalog().defaultSet.sqrt.version
  t.equal(sample(text, `pretrade_model_info{symbol="BTCUSDT",model="sqrt",version="${sqrt}",source="embedded"}`), 1)
  t.equal(sample(text, `pretrade_model_info{symbol="*",model="sqrt",version="${sqrt}",source="embedded"}`), 1)
  t.ok(text.includes('nodejs_eventloop_lag_seconds'), 'event-loop lag is exported')
  t.notOk(text.includes('pretrade_redis_up'), 'no Redis series without a registry')

  // a hot swap shows up at the next scrape
  const set = d.models.catalog().defaultSet
  d.models.replace({ defaultSet: set, bySymbol: new Map([['BTCUSDT', { ...set, sqrt: { ...set.sqrt, version: 'swapped-1', source: 'registry' } }]]) })
  const after = (await app.inject('/metrics')).body
  t.equal(sample(after, 'pretrade_model_info{symbol="BTCUSDT",model="sqrt",version="swapped-1",source="registry"}'), 1)
  t.equal(sample(after, `pretrade_model_info{symbol="BTCUSDT",model="sqrt",version="${sqrt}",source="embedded"}`), undefined, 'the old version is gone')
})

t.test('GET /metrics reports the job, Redis and Bybit state from the dependencies', async (t) => {
  let connected = true
  const status: JobStatus = {
    running: false,
    runs: 4,
    lastRunFinishedAtMs: 1_700_000_060_000,
    symbols: {
      BTCUSDT: { symbol: 'BTCUSDT', startedAtMs: 1_700_000_000_000, finishedAtMs: 1_700_000_060_000, outcome: 'kept', published: [], reason: 'no candidate beat the published model' }
    }
  }
  const refreshedMs = Date.now() - 5000 // one clock reading: two could straddle a millisecond and put the success before the attempt
  const live: LiveStatus = {
    source: 'bybit',
    restUrl: 'http://fake',
    market: { BTCUSDT: { lastSuccessMs: refreshedMs, lastAttemptMs: refreshedMs, bars: 1440 }, ETHUSDT: { lastSuccessMs: 1, lastAttemptMs: Date.now(), lastError: 'HTTP 502', bars: 0 } },
    tape: { connected: false, reconnects: 2, connectFailures: 1, unfilledGaps: 0, tradesBySymbol: {} }
  }
  const job = { status: () => status } as unknown as RecalibrationJob
  const app = await buildApp(deps(t, {}, { job, registryStatus: () => ({ connected }), liveStatus: () => live }))
  t.teardown(async () => await app.close())
  let text = (await app.inject('/metrics')).body
  t.equal(sample(text, 'pretrade_recalibration_runs'), 4)
  t.equal(sample(text, 'pretrade_recalibration_running'), 0)
  t.equal(sample(text, 'pretrade_recalibration_last_run_timestamp_seconds{symbol="BTCUSDT"}'), 1_700_000_060)
  t.equal(sample(text, 'pretrade_recalibration_last_outcome{symbol="BTCUSDT",outcome="kept"}'), 1)
  t.equal(sample(text, 'pretrade_recalibration_last_outcome{symbol="BTCUSDT",outcome="published"}'), 0)
  t.equal(sample(text, 'pretrade_redis_up'), 1)
  t.equal(sample(text, 'pretrade_bybit_rest_up{symbol="BTCUSDT"}'), 1)
  t.equal(sample(text, 'pretrade_bybit_rest_up{symbol="ETHUSDT"}'), 0, 'the last attempt failed')
  t.equal(sample(text, 'pretrade_bybit_ws_up'), 0)
  t.equal(sample(text, 'pretrade_bybit_ws_reconnects'), 2)
  const age = sample(text, 'pretrade_market_state_age_seconds{symbol="BTCUSDT"}') ?? NaN
  t.ok(age >= 5 && age < 60, `market state age ${age} s`)
  connected = false
  text = (await app.inject('/metrics')).body
  t.equal(sample(text, 'pretrade_redis_up'), 0, 'read at scrape time')
})

t.test('admin routes are rate limited per client address, wrong keys included, with Retry-After', async (t) => {
  const app = await build(t, { ADMIN_API_KEY: KEY, ADMIN_RATE_LIMIT_MAX: '3', ADMIN_RATE_LIMIT_WINDOW_MS: '60000' })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    statuses.push((await app.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': 'wrong-key-wrong-key' } })).statusCode)
  }
  t.same(statuses, [401, 401, 401])
  const limited = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT/rollback', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, payload: { name: 'sqrt', version: 'v1' } })
  t.equal(limited.statusCode, 429, 'the limit is shared by every admin route, and the right key does not bypass it')
  t.match(limited.json(), { code: 'PRETRADE_ERR_RATE_LIMITED', field: 'headers/x-api-key', rule: 'at most 3 admin requests per 1 minute' })
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After in seconds')
  for (let i = 0; i < 10; i++) t.equal((await post(app, '/v1/estimate', ESTIMATE)).statusCode, 200, 'the hot path is never rate limited')
})

t.test('body limits per route: 1 KiB for recalibrate and rollback, 1 MiB for a model record, 64 KiB for one order', async (t) => {
  const app = await build(t, { ADMIN_API_KEY: KEY, ADMIN_RATE_LIMIT_MAX: '100' })
  const send = async (url: string, bytes: number) => await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-api-key': KEY }, payload: JSON.stringify({ pad: 'x'.repeat(bytes) }) })
  for (const [url, limit] of [['/v1/admin/recalibrate', 1024], ['/v1/models/BTCUSDT/rollback', 1024], ['/v1/models/BTCUSDT', 1024 * 1024], ['/v1/estimate', 64 * 1024], ['/v1/schedule', 64 * 1024]] as const) {
    const over = await send(url, limit + 1)
    t.equal(over.statusCode, 413, `${url} refuses ${limit + 12} bytes`)
    t.match(over.json(), { code: 'PRETRADE_ERR_BODY_TOO_LARGE', field: 'body', rule: 'bodyLimit' })
    const under = await send(url, limit - 100)
    t.not(under.statusCode, 413, `${url} reads ${limit - 88} bytes (then rejects the content on its own terms)`)
  }
})

t.test('CORS is off unless CORS_ORIGINS is set', async (t) => {
  const off = await build(t)
  const offPreflight = await off.inject({ method: 'OPTIONS', url: '/v1/estimate', headers: { origin: 'https://desk.example', 'access-control-request-method': 'POST' } })
  t.equal(offPreflight.headers['access-control-allow-origin'], undefined)
  const offGet = await off.inject({ url: '/health', headers: { origin: 'https://desk.example' } })
  t.equal(offGet.headers['access-control-allow-origin'], undefined, 'no CORS header on a cross-origin GET')

  const on = await build(t, { CORS_ORIGINS: 'https://desk.example,http://localhost:5173' })
  const allowed = await on.inject({ method: 'OPTIONS', url: '/v1/estimate', headers: { origin: 'https://desk.example', 'access-control-request-method': 'POST' } })
  t.equal(allowed.statusCode, 204)
  t.equal(allowed.headers['access-control-allow-origin'], 'https://desk.example')
  const other = await on.inject({ url: '/health', headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined, 'an origin not listed gets no grant')
  t.throws(() => loadConfig({ CORS_ORIGINS: 'desk.example' }), /CORS_ORIGINS/, 'an origin without a scheme is a configuration error')
})

t.test('request ids: a sane x-request-id is kept, anything else replaced; every request log line carries it; secrets redacted', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l)); done() } })
  const logger = pino({ level: 'info', redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] }, stream)
  const app = await buildApp(deps(t, { SLOW_REQUEST_MS: '0.000001', ADMIN_API_KEY: KEY }), { loggerInstance: logger })
  t.teardown(async () => await app.close())
  const kept = await app.inject({ method: 'POST', url: '/v1/estimate', headers: { 'content-type': 'application/json', 'x-request-id': 'oms-42.a:b_c' }, payload: ESTIMATE })
  t.equal(kept.headers['x-request-id'], 'oms-42.a:b_c')
  for (const bad of ['a b', 'x'.repeat(129), '<script>', '']) {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': bad } })
    t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/, `${JSON.stringify(bad.slice(0, 10))} is replaced by a UUID`)
  }
  const two = await Promise.all([app.inject('/health'), app.inject('/health')])
  t.not(two[0].headers['x-request-id'], two[1].headers['x-request-id'], 'generated ids are unique')
  await app.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': KEY, authorization: 'Bearer secret-token' } })
  const slow = lines.filter((l) => l.msg === 'slow request')
  t.ok(slow.length >= 6, 'SLOW_REQUEST_MS = 1 ns logs every request')
  t.ok(slow.every((l) => typeof l.reqId === 'string' && l.reqId !== ''), 'every request line has reqId')
  t.ok(slow.some((l) => l.reqId === 'oms-42.a:b_c' && l.route === '/v1/estimate' && l.statusCode === 200))
  const text = JSON.stringify(lines)
  t.notOk(text.includes(KEY) || text.includes('secret-token'), 'neither the admin key nor an authorization header reaches the log')
})

t.test('an overloaded event loop gets 503 with Retry-After at once; /health and /metrics stay truthful', async (t) => {
  const app = await build(t, { MAX_EVENT_LOOP_DELAY_MS: '50', PRESSURE_SAMPLE_MS: '100', PRESSURE_RETRY_AFTER_SECONDS: '3' })
  t.equal((await post(app, '/v1/estimate', ESTIMATE)).statusCode, 200, 'served before the overload')
  // hold the event loop for 400 ms in 100 ms slices so the 10 ms delay monitor records a large mean
  const until = Date.now() + 400
  while (Date.now() < until) {
    const slice = Date.now() + 100
    while (Date.now() < slice) { /* busy: the overload */ }
    await new Promise((resolve) => setImmediate(resolve))
  }
  const shed = await post(app, '/v1/estimate', ESTIMATE)
  t.equal(shed.statusCode, 503)
  t.equal(shed.headers['retry-after'], '3')
  t.match(shed.json(), { code: 'PRETRADE_ERR_OVERLOADED', field: 'server', rule: /MAX_EVENT_LOOP_DELAY_MS = 50 ms/ })
  t.equal((await app.inject('/ready')).statusCode, 503, 'not ready while shedding: a load balancer takes the replica out')
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200, 'alive')
  t.equal(health.json().status, 'overloaded')
  t.ok(health.json().eventLoopDelayMs > 50, `delay ${health.json().eventLoopDelayMs} ms reported`)
  t.equal((await app.inject('/metrics')).statusCode, 200, 'metrics still scraped')
  // once the loop is idle for a sample or two, service resumes (polled: the machine may be busy with other tests)
  await waitFor('served again after the overload', async () => (await post(app, '/v1/estimate', ESTIMATE)).statusCode === 200, { timeoutMs: 10_000, everyMs: 50 })
  await waitFor('/health says ok again', async () => (await app.inject('/health')).json().status === 'ok', { timeoutMs: 10_000, everyMs: 50 })
})
