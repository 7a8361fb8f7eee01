import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createRuntime } from '../../src/runtime.js'
import { syntheticTape, syntheticTapeJobEnv } from '../support/synthetic-tape.js'
import { startFakeBybit, type FakeBybit, type Fault } from '../fake-bybit/server.js'
import { post } from '../helper.js'
import type { Teardown } from '../support/teardown.js'
import { waitFor } from '../support/wait.js'

const KEY = 'test-admin-key-0123456789'

async function liveServer (t: Teardown, fake: FakeBybit) {
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-live-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    // load shedding has its own test; here a busy test machine must not turn into 503s
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...syntheticTapeJobEnv(fake),
    BYBIT_TIMEOUT_MS: '300',
    BYBIT_MAX_RETRIES: '1',
    SYMBOLS: 'BTCUSDT,ETHUSDT',
    TCA_STORE_PATH: join(dir, 'tca.jsonl'),
    ADMIN_API_KEY: KEY
  })
  const runtime = createRuntime(config, pino({ level: 'silent' }))
  const app = await buildApp(runtime.deps)
  t.teardown(async () => { await app.close(); await runtime.stop() })
  await runtime.start()
  await runtime.refreshMarket()
  return { app, runtime }
}

t.test('live Bybit market data: estimates, book walks, lot sizes and venue minimums', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const { app } = await liveServer(t, fake)

  const est = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2 })).json()
  t.equal(est.marketState.source, 'bybit', 'market state from Bybit, not the embedded file')
  // the fake's book top is 84044.50 / 84051.10 (its README): mid 84047.8
  t.ok(Math.abs(est.priceQuote - 84_047.8) < 1e-6, `mid ${est.priceQuote}`)
  t.ok(Math.abs(est.spreadBps - 6.6 / 84_047.8 * 1e4) < 1e-9, 'spread from the ticker')
  t.ok(est.volDaily > 0.001 && est.volDaily < 0.2 && est.advBase > 0)
  t.ok(est.marketState.ageMs >= 0, 'says how old the market data is')

  const book = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, method: 'book' })).json()
  t.equal(book.book.thin, false)
  t.equal(book.book.levelsConsumed, 1)
  t.ok(Math.abs(book.book.avgFillPriceQuote - 84_051.1) < 1e-6, 'a small buy fills at the best ask')
  t.ok(Math.abs(book.spreadCostBps - 3.3 / 84_047.8 * 1e4) < 1e-9, 'half the book spread')
  const thin = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1000, method: 'book' })).json()
  t.equal(thin.book.thin, true)
  t.ok(thin.warnings.some((w: { code: string }) => w.code === 'BOOK_THIN'))
  t.ok(thin.impactBps > book.impactBps, 'the remainder beyond the visible book costs more')
  const sell = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'sell', qtyBase: 2, method: 'book' })).json()
  t.ok(Math.abs(sell.book.avgFillPriceQuote - 84_044.5) < 1e-6, 'a small sell fills at the best bid')

  const sched = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1.2345, horizonDays: 0.1, periods: 7, riskAversion: 1e-6 })).json()
  t.equal(sched.lotSize.source, 'instrument')
  t.equal(sched.lotSize.qtyStep, '0.001')
  for (const x of sched.lotSize.tradesExact) t.match(x, /^\d+(\.\d{1,3})?$/, 'a multiple of qtyStep')

  const tiny = (await post(app, '/v1/pretrade/check', { order: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 0.00005 }, limits: { maxCostBps: 1000 } })).json()
  t.equal(tiny.allowed, false)
  t.same(tiny.violations.map((v: { rule: string }) => v.rule), ['minOrderQty', 'minNotionalValue'])

  const models = (await app.inject('/v1/models')).json()
  t.equal(models.marketData.source, 'bybit')
  t.ok(models.marketData.market.BTCUSDT.lastSuccessMs > 0)
  // the hour-of-day volume profile from the fake's 60-minute klines (test/market/live-market-state.test.ts checks its values)
  const profile = models.marketData.market.BTCUSDT.volumeProfile
  t.equal(profile.hourlyShares.length, 24)
  t.ok(Math.abs(profile.hourlyShares.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9, 'shares sum to 1')
  t.match(profile.source, /^bybit: 33 closed 60-minute klines/)
})

t.test('the recalibration job publishes a better model, and every Bybit fault leaves it untouched', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const { app, runtime } = await liveServer(t, fake)
  const tape = syntheticTape(fake.nowMs(), 1900, 11)
  await waitFor('the tape to connect', () => fake.wsConnections() > 0, { timeoutMs: 5000 })
  fake.pushTrades('BTCUSDT', tape)
  const liveStatus = runtime.deps.liveStatus as () => { tape: { tradesBySymbol: Record<string, number> } }
  await waitFor('the tape to receive the trades', () => (liveStatus().tape.tradesBySymbol.BTCUSDT ?? 0) >= tape.length, { timeoutMs: 10_000 })

  const denied = await app.inject({ method: 'POST', url: '/v1/admin/recalibrate?symbol=BTCUSDT' })
  t.equal(denied.statusCode, 401, 'admin endpoints need the key')

  const run = async () => (await app.inject({ method: 'POST', url: '/v1/admin/recalibrate?symbol=BTCUSDT', headers: { 'x-api-key': KEY } })).json().outcomes[0]
  const first = await run()
  t.equal(first.outcome, 'published', first.reason)
  const sqrtOf = async () => {
    const body = (await app.inject('/v1/models')).json()
    return body.symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT').models.find((m: { name: string }) => m.name === 'sqrt')
  }
  const published = await sqrtOf()
  t.equal(published.source, 'recalibrated')
  t.equal(published.calibration.validation.publish, true, 'validation record shown by GET /v1/models')
  t.ok(published.calibration.samples.usable >= 200)
  // the fake serves ~33 hours of 1-minute bars: fewer than the 3 days the execution model's gate needs
  t.equal(first.istar?.status, 'insufficient data', `execution model: ${first.istar?.reasons?.join('; ')}`)
  t.notOk(first.published.includes('istar'), 'the execution model is not published')
  const istar = (await app.inject('/v1/models')).json().symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT').models.find((m: { name: string }) => m.name === 'istar')
  t.equal(istar.source, 'embedded', 'the embedded execution model still serves')
  const estimate = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, model: 'sqrt' })).json()
  t.equal(estimate.model.version, published.version, 'estimates are served by the published version')

  const faults: Array<[string, Fault]> = [
    ['rate limit (10006)', { kind: 'rate-limit', resetInMs: 50 }],
    ['HTTP 403', { kind: 'http-status', status: 403 }],
    ['HTTP 429', { kind: 'http-status', status: 429 }],
    ['HTTP 502', { kind: 'http-status', status: 502 }],
    ['slower than the timeout', { kind: 'slow', delayMs: 1000 }],
    ['connection reset', { kind: 'reset' }],
    ['malformed JSON', { kind: 'malformed-json' }],
    ['a number that is not a number', { kind: 'bad-number', field: 'bid1Price' }],
    ['venue error', { kind: 'venue-error', retCode: 10016, retMsg: 'Internal server error' }]
  ]
  for (const [name, fault] of faults) {
    fake.clearFaults()
    fake.addFault({ path: '/v5/market/tickers', fault })
    const outcome = await run()
    t.equal(outcome.outcome, 'failed', `${name}: the run fails (${outcome.reason})`)
    t.equal((await sqrtOf()).version, published.version, `${name}: the published model is untouched`)
    const served = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2 })
    t.equal(served.statusCode, 200, `${name}: serving continues`)
  }
  fake.clearFaults()

  fake.dropWebSockets()
  await waitFor('the tape to reconnect', () => fake.wsConnections() > 0 && (runtime.deps.liveStatus?.() as { tape: { reconnects: number } }).tape.reconnects >= 1, { timeoutMs: 10_000 })
  const again = await run()
  t.not(again.outcome, 'failed', `after a dropped WebSocket the tape still feeds the job (${again.reason})`)
  t.equal((await sqrtOf()).version, published.version, 'the same data cannot beat the model it produced: kept')
})

t.test('a gap in the klines: market state from the contiguous tail only', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  fake.addFault({ path: '/v5/market/kline', fault: { kind: 'kline-gap', missingBars: 30 } })
  const { app } = await liveServer(t, fake)
  const est = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2 })).json()
  t.equal(est.marketState.source, 'bybit')
  t.ok(est.volDaily > 0 && Number.isFinite(est.volDaily))
  const before = (await app.inject('/v1/models')).json().symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT').models[0].version
  const run = (await app.inject({ method: 'POST', url: '/v1/admin/recalibrate?symbol=BTCUSDT', headers: { 'x-api-key': KEY } })).json().outcomes[0]
  t.equal(run.outcome, 'failed', run.reason)
  const after = (await app.inject('/v1/models')).json().symbols.find((s: { symbol: string }) => s.symbol === 'BTCUSDT').models[0].version
  t.equal(after, before, 'the published model is untouched')
})

t.test('admin endpoints are disabled without a key and need live data for the job', async (t) => {
  const { build } = await import('../helper.js')
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': KEY } })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'PRETRADE_ERR_ADMIN_DISABLED')
  const keyed = await build(t, { ADMIN_API_KEY: KEY })
  const wrong = await keyed.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': 'wrong-key-wrong-key-wrong' } })
  t.equal(wrong.statusCode, 401)
  const embedded = await keyed.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': KEY } })
  t.equal(embedded.statusCode, 503)
  t.equal(embedded.json().code, 'PRETRADE_ERR_JOB_UNAVAILABLE')
  const book = await post(keyed, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book' })
  t.equal(book.statusCode, 503)
  t.equal(book.json().code, 'PRETRADE_ERR_BOOK_UNAVAILABLE')
})

t.test('the job runs on its cron schedule inside the service', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-cron-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    MARKET_DATA_SOURCE: 'bybit',
    BYBIT_REST_URL: fake.restUrl,
    BYBIT_WS_URL: fake.wsUrl,
    SYMBOLS: 'BTCUSDT',
    ADV_WINDOW_MINUTES: '1440',
    RECALIBRATE_CRON: '* * * * * *', // every second (node-cron's six-field form)
    TRAIN_REST_MS: '0',
    TCA_STORE_PATH: join(dir, 'tca.jsonl')
  })
  const runtime = createRuntime(config, pino({ level: 'silent' }))
  t.teardown(async () => await runtime.stop())
  await runtime.start()
  const job = runtime.deps.job as NonNullable<typeof runtime.deps.job>
  await waitFor('two scheduled runs', () => job.status().runs >= 2, { timeoutMs: 10_000 })
  const status = job.status()
  t.equal(status.symbols.BTCUSDT.outcome, 'failed', 'with a minutes-long recorded tape there are too few samples')
  t.match(status.symbols.BTCUSDT.reason, /too few samples/)
  t.equal(runtime.deps.models.modelsFor('BTCUSDT').sqrt.source, 'embedded', 'the published model stays')
})
