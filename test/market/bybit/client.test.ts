import t, { type Test } from 'tap'
import path from 'node:path'
import { startFakeBybit, type FakeBybit } from '../../fake-bybit/server.js'
import { readCsv, columnIndices } from '../../../scripts/lib/csv.js'
import { BybitClient, type BybitClientOptions, type RetryInfo } from '../../../src/market/bybit/client.js'
import {
  BybitHttpError, BybitNetworkError, BybitParseError, BybitRateLimitError, BybitTimeoutError, BybitVenueError
} from '../../../src/market/bybit/errors.js'
import { DATA_DIR } from './samples.js'

const KLINE = '/v5/market/kline'
const MINUTE_MS = 60_000

async function startFake (t: Test): Promise<FakeBybit> {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  return fake
}

/** A client on the fake whose waits are recorded, not slept; random() = 0.5 makes the jitter exact. */
function clientOn (fake: FakeBybit, options: Partial<BybitClientOptions> = {}): { client: BybitClient, sleeps: number[], retries: RetryInfo[] } {
  const sleeps: number[] = []
  const retries: RetryInfo[] = []
  const client = new BybitClient({
    restUrl: fake.restUrl,
    sleep: async (ms) => { sleeps.push(ms) },
    nowMs: () => fake.nowMs(),
    random: () => 0.5,
    onRetry: (info) => { retries.push(info) },
    ...options
  })
  return { client, sleeps, retries }
}

const klineRequests = (fake: FakeBybit): FakeBybit['requests'] => fake.requests.filter((r) => r.path === KLINE)

t.test('getKlines: the fake linear BTCUSDT equals the recorded CSV (volume and turnover swapped), open candle dropped', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake)
  const klines = await client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: 5 })
  t.equal(klines.length, 4, '5 rows, the bar at the fake clock is open and dropped')
  const table = await readCsv(path.join(DATA_DIR, 'bybit-btcusd-inverse-1m-klines', 'klines_1m.csv'))
  const col = columnIndices(table, ['start_time_ms', 'open', 'high', 'low', 'close', 'volume', 'turnover'] as const, 'klines_1m.csv')
  // fake-bybit/symbols.ts: BTCUSDT divisor 1: price as recorded, volumeBase = turnover (BTC), turnoverQuote = volume (USD)
  const expected = table.rows.slice(-4).map((row) => ({
    openTimeMs: Number(row[col.start_time_ms]),
    open: Number(row[col.open]),
    high: Number(row[col.high]),
    low: Number(row[col.low]),
    close: Number(row[col.close]),
    volumeBase: Number(row[col.turnover]),
    turnoverQuote: Number(row[col.volume])
  }))
  t.strictSame(klines, expected, 'exact (same decimal strings)')
  const inverse = await client.getKlines({ category: 'inverse', symbol: 'BTCUSD', interval: '1', limit: 5 })
  t.strictSame(inverse, expected, 'inverse BTCUSD: volumeBase = turnover, so the same records in base units')
  t.strictSame(klineRequests(fake)[0].query, { category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: '5' }, 'query as Bybit names it')
})

t.test('getKlineHistory pages backwards with end until N closed bars, then stops on an empty page', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake)
  const history = await client.getKlineHistory({ category: 'linear', symbol: 'BTCUSDT', interval: '1', bars: 2012 })
  t.equal(history.klines.length, 2012, 'all 2,012 recorded bars (PROVENANCE.md)')
  t.equal(history.klines[0].openTimeMs, 1742419260000, 'first recorded bar 2025-03-19 21:21 UTC')
  t.ok(history.klines.every((k, i) => i === 0 || k.openTimeMs - history.klines[i - 1].openTimeMs === MINUTE_MS), 'ascending, contiguous, no duplicates')
  t.strictSame(history.gaps, [])
  const requests = klineRequests(fake)
  t.strictSame(requests.map((r) => r.query.limit), ['1000', '1000', '14'], '999 + 1000 closed bars, then 13 more (+1)')
  t.equal(requests[0].query.end, undefined, 'first page: latest')
  t.equal(Number(requests[1].query.end), history.klines[1013].openTimeMs - 1, 'second page ends 1 ms before the oldest bar so far')

  const more = await client.getKlineHistory({ category: 'linear', symbol: 'BTCUSDT', interval: '1', bars: 2500 })
  t.equal(more.klines.length, 2012, 'asking for more than exist returns what exists')
  t.equal(klineRequests(fake).length, 3 + 4, 'the fourth page is empty and ends the paging')

  const endMs = 1742419260000 + 100 * MINUTE_MS
  const ending = await client.getKlineHistory({ category: 'linear', symbol: 'BTCUSDT', interval: '5', bars: 10, endMs })
  const lastStartMs = Math.floor(endMs / (5 * MINUTE_MS)) * 5 * MINUTE_MS
  t.strictSame(ending.klines.map((k) => k.openTimeMs), Array.from({ length: 10 }, (_, i) => lastStartMs - (9 - i) * 5 * MINUTE_MS),
    'endMs: the 10 five-minute bars whose start is <= endMs (the last one contains endMs)')
})

t.test('getKlineHistory reports a hole in the klines as a gap', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake)
  fake.addFault({ path: KLINE, times: 1, fault: { kind: 'kline-gap', missingBars: 7 } })
  const history = await client.getKlineHistory({ category: 'linear', symbol: 'BTCUSDT', interval: '1', bars: 600 })
  t.equal(history.klines.length, 600, 'paging continues past the hole')
  t.equal(history.gaps.length, 1)
  t.equal(history.gaps[0].missingBars, 7, '7 bars missing')
  const after = history.klines.findIndex((k) => k.openTimeMs === history.gaps[0].afterMs)
  t.equal(history.klines[after + 1].openTimeMs - history.klines[after].openTimeMs, 8 * MINUTE_MS, 'the next bar is 8 minutes later')
})

t.test('rate limit retCode 10006: waits until X-Bapi-Limit-Reset-Timestamp, capped', async (t) => {
  const fake = await startFake(t)
  const { client, sleeps, retries } = clientOn(fake)
  fake.addFault({ times: 2, fault: { kind: 'rate-limit', resetInMs: 1500 } })
  const tickers = await client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })
  t.equal(tickers[0].symbol, 'BTCUSDT', 'third attempt succeeds')
  t.strictSame(sleeps, [1500, 1500], 'waited reset - now = 1500 ms each time (fake clock injected as nowMs)')
  t.match(retries.map((r) => r.error), [{ code: 'BYBIT_ERR_RATE_LIMIT', retCode: 10006, resetAtMs: fake.nowMs() + 1500 }, { retCode: 10006 }])
  t.strictSame(retries.map((r) => r.retry), [1, 2])

  const capped = clientOn(fake, { maxBackoffMs: 1000, maxRetries: 1 })
  fake.addFault({ times: 1, fault: { kind: 'rate-limit', resetInMs: 600_000 } })
  await capped.client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })
  t.strictSame(capped.sleeps, [2000], 'a 10-minute reset is capped at maxRateLimitWaitMs = 2 * maxBackoffMs')
})

t.test('HTTP 403 and 429 are rate limits without a header: backoff, then retry', async (t) => {
  const fake = await startFake(t)
  const { client, sleeps, retries } = clientOn(fake)
  fake.addFault({ times: 1, fault: { kind: 'http-status', status: 403 } })
  fake.addFault({ times: 1, fault: { kind: 'http-status', status: 429 } })
  const book = await client.getOrderbook({ category: 'linear', symbol: 'XRPUSDT', limit: 5 })
  t.equal(book.bids.length, 5)
  t.strictSame(sleeps, [100, 200], 'full jitter with random 0.5: 0.5 * 200, 0.5 * 400')
  t.match(retries.map((r) => r.error), [{ code: 'BYBIT_ERR_RATE_LIMIT', statusCode: 403, resetAtMs: undefined }, { statusCode: 429 }])
  t.ok(retries[0].error instanceof BybitRateLimitError)
})

t.test('5xx retried with capped exponential backoff, then success; exhausted retries throw the last error', async (t) => {
  const fake = await startFake(t)
  const { client, sleeps } = clientOn(fake, { baseBackoffMs: 200, maxBackoffMs: 300 })
  for (const status of [500, 502, 503] as const) fake.addFault({ times: 1, fault: { kind: 'http-status', status } })
  const klines = await client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: 3 })
  t.equal(klines.length, 2)
  t.strictSame(sleeps, [100, 150, 150], 'ceilings 200, min(300, 400), min(300, 800) times random 0.5')

  const exhausted = clientOn(fake, { maxRetries: 2 })
  fake.addFault({ fault: { kind: 'http-status', status: 503 } })
  const before = fake.requests.length
  const error = await t.rejects(exhausted.client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: '1' })) as unknown
  t.ok(error instanceof BybitHttpError, 'BybitHttpError')
  t.match(error, { code: 'BYBIT_ERR_HTTP', statusCode: 503, retryable: true })
  t.equal(fake.requests.length - before, 3, 'first attempt + maxRetries 2')
})

t.test('venue errors: 10001 not retried, 10016 retried; a real 10001 from a bad interval', async (t) => {
  const fake = await startFake(t)
  const { client, sleeps } = clientOn(fake)
  fake.addFault({ times: 1, fault: { kind: 'venue-error', retCode: 10001, retMsg: 'params error: symbol invalid' } })
  const error = await t.rejects(client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })) as unknown
  t.ok(error instanceof BybitVenueError)
  t.match(error, { code: 'BYBIT_ERR_VENUE', retCode: 10001, retMsg: 'params error: symbol invalid', retryable: false })
  t.equal(fake.requests.length, 1, 'one request: not retried')
  t.strictSame(sleeps, [])

  fake.addFault({ times: 1, fault: { kind: 'venue-error', retCode: 10016, retMsg: 'Internal server error' } })
  t.equal((await client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })).length, 1, '10016 (server error) retried once, then success')
  t.strictSame(sleeps, [100])

  await t.rejects(client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: 'W' }), { code: 'BYBIT_ERR_VENUE', retCode: 10001 }, 'the fake does not serve W: 10001')
})

t.test('timeout on a slow response: BybitTimeoutError, retried', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake, { timeoutMs: 100, maxRetries: 0 })
  fake.addFault({ times: 1, fault: { kind: 'slow', delayMs: 3000 } })
  const error = await t.rejects(client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })) as unknown
  t.ok(error instanceof BybitTimeoutError)
  t.match(error, { code: 'BYBIT_ERR_TIMEOUT', timeoutMs: 100, retryable: true })

  const retrying = clientOn(fake, { timeoutMs: 100, maxRetries: 1 })
  fake.addFault({ times: 1, fault: { kind: 'slow', delayMs: 3000 } })
  t.equal((await retrying.client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })).length, 1, 'second attempt answers')
  t.match(retrying.retries.map((r) => r.error.code), ['BYBIT_ERR_TIMEOUT'])
})

t.test('connection reset: BybitNetworkError with cause, retried', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake, { maxRetries: 0 })
  fake.addFault({ times: 1, fault: { kind: 'reset' } })
  const error = await t.rejects(client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })) as BybitNetworkError
  t.ok(error instanceof BybitNetworkError)
  t.match(error, { code: 'BYBIT_ERR_NETWORK', retryable: true })
  t.ok(error.cause instanceof Error, 'the undici error is kept as cause')

  const retrying = clientOn(fake, { maxRetries: 1 })
  fake.addFault({ times: 1, fault: { kind: 'reset' } })
  t.equal((await retrying.client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })).length, 1)
})

t.test('malformed JSON and a bad number: BybitParseError naming the field, not retried', async (t) => {
  const fake = await startFake(t)
  const { client, sleeps } = clientOn(fake)
  fake.addFault({ times: 1, fault: { kind: 'malformed-json' } })
  await t.rejects(client.getTickers({ category: 'linear', symbol: 'BTCUSDT' }), { code: 'BYBIT_ERR_PARSE', field: 'body', retryable: false })
  fake.addFault({ path: KLINE, times: 1, fault: { kind: 'bad-number', field: 'close' } })
  const error = await t.rejects(client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: 5 })) as unknown
  t.ok(error instanceof BybitParseError)
  t.match(error, { field: 'result.list[2][4] (close)' }, 'the fake spoils the middle row of 5')
  fake.addFault({ times: 1, fault: { kind: 'bad-number', field: 'bid1Price' } })
  await t.rejects(client.getTickers({ category: 'linear', symbol: 'BTCUSDT' }), { code: 'BYBIT_ERR_PARSE', field: 'result.list[0].bid1Price' })
  fake.addFault({ times: 1, fault: { kind: 'bad-number', field: 'b' } })
  // BTCUSDT, not XRPUSDT: the fake spoils the recorded XRPUSDT levels in place (shared across fakes)
  await t.rejects(client.getOrderbook({ category: 'linear', symbol: 'BTCUSDT', limit: 4 }), { code: 'BYBIT_ERR_PARSE', field: 'result.b[1][0] (price)' }, 'the fake spoils the middle bid of its 2')
  t.equal(fake.requests.length, 4, 'one request each')
  t.strictSame(sleeps, [])
})

t.test('tickers, order book, instruments (cursor paging) and recent trades from the fake', async (t) => {
  const fake = await startFake(t)
  const { client } = clientOn(fake)
  const [ticker] = await client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })
  t.ok(ticker.bidPriceQuote !== undefined && ticker.askPriceQuote !== undefined && ticker.bidPriceQuote < ticker.askPriceQuote, 'bid < ask')
  t.equal(ticker.tsMs, fake.nowMs(), 'ticker time is the response time')

  const book = await client.getOrderbook({ category: 'linear', symbol: 'XRPUSDT', limit: 50 })
  t.equal(book.bids.length, 50)
  t.equal(book.asks.length, 50)
  t.ok(book.bids[0].priceQuote < book.asks[0].priceQuote, 'not crossed')
  t.equal(book.bids[0].priceQuote, Number(book.bids[0].price), 'string and number agree')

  const instruments = await client.getInstruments({ category: 'linear', limit: 1 })
  t.strictSame(instruments.map((i) => i.symbol), ['BTCUSDT', 'ETHUSDT', 'XRPUSDT'], 'three pages of one')
  const pages = fake.requests.filter((r) => r.path === '/v5/market/instruments-info')
  t.equal(pages.length, 3)
  t.equal(pages[0].query.cursor, undefined, 'first page without cursor')
  t.ok(pages.slice(1).every((p) => typeof p.query.cursor === 'string' && p.query.cursor !== ''), 'later pages send nextPageCursor')
  t.match(instruments[0], { tickSize: 0.1, tickSizeText: '0.10', qtyStep: 0.001, minOrderQty: 0.001, minNotionalValue: 5 })

  const trades = await client.getRecentTrades({ category: 'linear', symbol: 'BTCUSDT', limit: 50 })
  t.equal(trades.length, 50)
  t.ok(trades.every((x, i) => i === 0 || x.tsMs >= trades[i - 1].tsMs), 'ascending')
  t.equal(new Set(trades.map((x) => x.id)).size, 50, 'unique ids')
  t.ok(trades.every((x) => x.side === 'buy' || x.side === 'sell'))
})

t.test('options are validated up front, naming the bad one', async (t) => {
  const cases: Array<[Partial<BybitClientOptions>, RegExp]> = [
    [{ restUrl: 'api.bybit.com' }, /options\.restUrl/],
    [{ restUrl: 'ftp://x' }, /options\.restUrl/],
    [{ timeoutMs: 0 }, /options\.timeoutMs/],
    [{ timeoutMs: 1.5 }, /options\.timeoutMs/],
    [{ maxRetries: -1 }, /options\.maxRetries/],
    [{ baseBackoffMs: Number.NaN }, /options\.baseBackoffMs/],
    [{ baseBackoffMs: 500, maxBackoffMs: 100 }, /options\.maxBackoffMs/],
    [{ maxRateLimitWaitMs: -5 }, /options\.maxRateLimitWaitMs/],
    [{ sleep: 5 as unknown as () => Promise<void> }, /options\.sleep/],
    [{ dispatcher: {} as never }, /options\.dispatcher/]
  ]
  for (const [bad, message] of cases) {
    t.throws(() => new BybitClient({ restUrl: 'https://api.bybit.com', ...bad }), message, JSON.stringify(bad) ?? 'bad option')
  }
  const client = new BybitClient({ restUrl: 'https://api.bybit.com/' })
  t.match(client.options, { restUrl: 'https://api.bybit.com', timeoutMs: 5000, maxRetries: 4, baseBackoffMs: 200, maxBackoffMs: 5000, maxRateLimitWaitMs: 10_000 }, 'defaults')
  t.ok(Object.isFrozen(client.options))
  await t.rejects(client.getKlines({ category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: 1001 }), /limit/, 'limit over 1000 rejected before any request')
})
