import t, { type Test } from 'tap'
import fc from 'fast-check'
import {
  parseEnvelope, parseInstrumentsResult, parseJsonBody, parseKlineResult, parseOrderbookResult,
  parseRecentTradesResult, parseTickersResult, parseWsMessage
} from '../../../src/market/bybit/parse.js'
import { BybitParseError } from '../../../src/market/bybit/errors.js'
import { intervalEndMs, missingBarsBetween } from '../../../src/market/bybit/interval.js'
import { clone, readSample } from './samples.js'

const RAW_INVERSE = 'bybit-samples/raw-captured/kline.inverse.BTCUSD.1m.200bars.20250318.json'

/** Asserts `fn` throws a BybitParseError with code BYBIT_ERR_PARSE whose field is `field`. */
function throwsField (t: Test, fn: () => unknown, field: string, message: string): void {
  try {
    fn()
    t.fail(`${message}: did not throw`)
  } catch (error) {
    t.ok(error instanceof BybitParseError, `${message}: BybitParseError`)
    t.match(error, { code: 'BYBIT_ERR_PARSE', retryable: false, field }, `${message}: field ${field}`)
  }
}

t.test('broken kline rows name row, column and column name', async (t) => {
  const json = readSample(RAW_INVERSE)
  const kline = (result: unknown): unknown => parseKlineResult(result, { interval: '1', responseTimeMs: json.time })
  const cases: Array<[string, (r: any) => void, string]> = [
    ['close not a number', (r) => { r.list[3][4] = 'abc' }, 'result.list[3][4] (close)'],
    ['empty volume', (r) => { r.list[7][5] = '' }, 'result.list[7][5] (volume)'],
    ['numeric JSON instead of string', (r) => { r.list[0][1] = 83012.6 }, 'result.list[0][1] (open)'],
    ['negative turnover', (r) => { r.list[2][6] = '-1' }, 'result.list[2][6] (turnover)'],
    ['zero high', (r) => { r.list[5][2] = '0' }, 'result.list[5][2] (high)'],
    ['startTime with a fraction', (r) => { r.list[9][0] = '1742274480000.5' }, 'result.list[9][0] (startTime)'],
    ['NaN low', (r) => { r.list[1][3] = 'NaN' }, 'result.list[1][3] (low)'],
    ['short row', (r) => { r.list[4].pop() }, 'result.list[4]'],
    ['row not an array', (r) => { r.list[6] = {} }, 'result.list[6]'],
    ['duplicate startTime', (r) => { r.list[11][0] = r.list[10][0] }, 'result.list[11][0] (startTime)'],
    ['list missing', (r) => { delete r.list }, 'result.list'],
    ['unknown category', (r) => { r.category = 'option' }, 'result.category']
  ]
  for (const [name, breakIt, field] of cases) {
    const result = clone(json.result)
    breakIt(result)
    throwsField(t, () => kline(result), field, name)
  }
})

t.test('broken envelope and body', async (t) => {
  throwsField(t, () => parseJsonBody('{"retCode":0,', '/v5/market/kline'), 'body', 'truncated JSON')
  throwsField(t, () => parseEnvelope([], '/v5/market/kline'), 'body', 'array body')
  throwsField(t, () => parseEnvelope({ retCode: '0', retMsg: 'OK', result: {}, time: 1 }, '/v5/market/kline'), 'retCode', 'string retCode')
  throwsField(t, () => parseEnvelope({ retCode: 0, retMsg: 'OK', result: {}, time: '1' }, '/v5/market/kline'), 'time', 'string time')
  throwsField(t, () => parseEnvelope({ retCode: 0, retMsg: 'OK', result: null, time: 1 }, '/v5/market/kline'), 'result', 'null result')
  throwsField(t, () => parseEnvelope({ retCode: 0, result: {}, time: 1 }, '/v5/market/kline'), 'retMsg', 'missing retMsg')
  t.strictSame(parseEnvelope({ retCode: 10001, retMsg: 'params error', result: {} }, '/v5/market/kline'),
    { ok: false, retCode: 10001, retMsg: 'params error' }, 'an error envelope needs no time')
})

t.test('broken orderbook, tickers, instruments, trades, WS messages', async (t) => {
  const book = readSample('bybit-samples/docs-examples/orderbook.json').result
  const bookCase = (breakIt: (r: any) => void): unknown => { const r = clone(book); breakIt(r); return parseOrderbookResult(r, { category: 'linear' }) }
  throwsField(t, () => bookCase((r) => { r.a[0][1] = '1,5' }), 'result.a[0][1] (size)', 'ask size with a comma')
  throwsField(t, () => bookCase((r) => { r.b[0][0] = ' 65485.47' }), 'result.b[0][0] (price)', 'bid price with a space')
  throwsField(t, () => bookCase((r) => { r.b.push(['65490', '1']) }), 'result.b[1][0] (price)', 'bids not descending')
  throwsField(t, () => bookCase((r) => { r.a.push(['65557.7', '1']) }), 'result.a[1][0] (price)', 'asks repeat a price')
  throwsField(t, () => bookCase((r) => { r.ts = 1.5 }), 'result.ts', 'fractional ts')
  throwsField(t, () => bookCase((r) => { delete r.s }), 'result.s', 'missing symbol')

  const tickers = readSample('bybit-samples/docs-examples/tickers.inverse.json').result
  const tickerCase = (breakIt: (r: any) => void): unknown => { const r = clone(tickers); breakIt(r); return parseTickersResult(r, { responseTimeMs: 1 }) }
  throwsField(t, () => tickerCase((r) => { r.list[0].bid1Price = 'x' }), 'result.list[0].bid1Price', 'bid1Price not a number')
  throwsField(t, () => tickerCase((r) => { r.list[0].volume24h = '-5' }), 'result.list[0].volume24h', 'negative volume24h')

  const instruments = readSample('bybit-samples/docs-examples/instruments-info.linear.json').result
  const instCase = (breakIt: (r: any) => void): unknown => { const r = clone(instruments); breakIt(r); return parseInstrumentsResult(r) }
  throwsField(t, () => instCase((r) => { delete r.list[0].lotSizeFilter.qtyStep }), 'result.list[0].lotSizeFilter.qtyStep', 'missing qtyStep')
  throwsField(t, () => instCase((r) => { r.list[0].priceFilter.tickSize = '0' }), 'result.list[0].priceFilter.tickSize', 'zero tickSize')
  throwsField(t, () => instCase((r) => { r.nextPageCursor = 5 }), 'result.nextPageCursor', 'numeric cursor')

  const trades = readSample('bybit-samples/docs-examples/recent-trade.json').result
  const tradeCase = (breakIt: (r: any) => void): unknown => { const r = clone(trades); breakIt(r); return parseRecentTradesResult(r) }
  throwsField(t, () => tradeCase((r) => { r.list[0].side = 'buy' }), 'result.list[0].side', 'lower-case side')
  throwsField(t, () => tradeCase((r) => { r.list[0].time = 'yesterday' }), 'result.list[0].time', 'time not an integer')
  throwsField(t, () => tradeCase((r) => { r.list[0].size = '0' }), 'result.list[0].size', 'zero size')

  const ws = readSample('bybit-samples/docs-examples/ws.trade.00.json')
  const wsCase = (breakIt: (r: any) => void): unknown => { const r = clone(ws); breakIt(r); return parseWsMessage(r, 'linear') }
  throwsField(t, () => wsCase((r) => { r.data[0].p = 'NaN' }), 'data[0].p', 'WS price NaN')
  throwsField(t, () => wsCase((r) => { r.data[0].S = 'B' }), 'data[0].S', 'WS side')
  throwsField(t, () => wsCase((r) => { r.data = {} }), 'data', 'WS data not an array')
})

t.test('messages name the rule broken and the value got; fields not read are not checked', async (t) => {
  const json = readSample(RAW_INVERSE)
  const kline = (breakIt: (r: any) => void): unknown => { const r = clone(json.result); breakIt(r); return parseKlineResult(r, { interval: '1', responseTimeMs: json.time }) }
  t.throws(() => kline((r) => { r.list[3][4] = 'abc' }), { message: 'Bybit /v5/market/kline: result.list[3][4] (close) must be a decimal string (got "abc")' })
  t.throws(() => kline((r) => { r.list[4].pop() }), { message: 'Bybit /v5/market/kline: result.list[4] must have 7 columns (got 6)' })
  t.throws(() => kline((r) => { r.list[5][2] = '0' }), { message: 'Bybit /v5/market/kline: result.list[5][2] (high) must be > 0 (got 0)' })
  t.throws(() => kline((r) => { r.list[1][4] = '1e400' }), { message: 'Bybit /v5/market/kline: result.list[1][4] (close) must be finite' })
  t.throws(() => kline((r) => { r.list[1][0] = 1e20 }), { message: 'Bybit /v5/market/kline: result.list[1][0] (startTime) must be a safe integer (got 100000000000000000000)' })
  t.throws(() => kline((r) => { delete r.list }), { message: 'Bybit /v5/market/kline: result.list must be an array (missing)' })
  t.throws(() => kline((r) => { r.category = 'option' }), { message: 'Bybit /v5/market/kline: result.category must be one of linear, inverse, spot (got "option")' })
  t.throws(() => parseEnvelope({ retCode: 0, retMsg: 'OK', result: [], time: 1 }, '/v5/market/kline'), { field: 'result', message: 'Bybit /v5/market/kline: result must be an object (got [])' })

  const book = readSample('bybit-samples/docs-examples/orderbook.json').result
  const short = clone(book)
  short.b[0] = ['65485.47']
  t.throws(() => parseOrderbookResult(short, { category: 'linear' }), { field: 'result.b[0]', message: 'Bybit /v5/market/orderbook: result.b[0] must have 2 columns (got 1)' }, 'a level is [price, size]')

  const trades = clone(readSample('bybit-samples/docs-examples/recent-trade.json').result)
  trades.list[0].isBlockTrade = 'no'
  t.equal(parseRecentTradesResult(trades).length, 1, 'isBlockTrade is not read, so not checked')
  const ws = clone(readSample('bybit-samples/docs-examples/ws.trade.00.json'))
  ws.data[0].BT = 1
  ws.type = 42
  t.equal((parseWsMessage(ws, 'linear') as { trades: unknown[] }).trades.length, 1, 'BT and type are not read, so not checked')
  t.strictSame(parseWsMessage({ op: 'ping', success: true, ret_msg: 5 }, 'linear'), { kind: 'op', op: 'ping', success: true, retMsg: '' }, 'a ret_msg that is not a string reads as ""')
  throwsField(t, () => parseWsMessage({ op: 'subscribe', success: 'yes' }, 'linear'), 'success', 'WS success not a boolean')
  throwsField(t, () => parseWsMessage([], 'linear'), 'message', 'WS message not an object')
})

t.test('open candle: dropped exactly when start + interval > response time', async (t) => {
  const row = (startMs: number): string[] => [String(startMs), '100', '101', '99', '100', '1', '100']
  const result = (startMs: number[]): object => ({ symbol: 'BTCUSDT', category: 'linear', list: startMs.map(row) })
  const start = Date.UTC(2025, 0, 1, 0, 5)
  t.equal(parseKlineResult(result([start]), { interval: '5', responseTimeMs: start + 300_000 }).length, 1, 'closes exactly at the response time: kept')
  t.equal(parseKlineResult(result([start]), { interval: '5', responseTimeMs: start + 299_999 }).length, 0, '1 ms before its close: dropped')
  const feb = Date.UTC(2024, 1, 1)
  t.equal(intervalEndMs(feb, 'M'), Date.UTC(2024, 2, 1), 'M: a leap February lasts 29 days')
  t.equal(parseKlineResult(result([feb]), { interval: 'M', responseTimeMs: Date.UTC(2024, 1, 29, 23, 59) }).length, 0, 'February 2024 bar open on Feb 29')
  t.equal(missingBarsBetween(Date.UTC(2024, 0, 1), Date.UTC(2024, 3, 1), 'M'), 2, 'Feb and Mar missing between Jan and Apr')
  t.equal(missingBarsBetween(start, start + 3 * 60_000, '1'), 2, 'two minutes missing')
})

t.test('property: any order of closed and open rows gives ascending closed bars only (seeded)', async (t) => {
  const minute = 60_000
  const base = Date.UTC(2025, 2, 1)
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 0, maxLength: 60 }),
    fc.integer({ min: 0, max: 600 * minute }),
    (offsets, nowOffsetMs) => {
      const rows = offsets.map((i) => [String(base + i * minute), '10', '11', '9', '10.5', '2', '21'])
      const responseTimeMs = base + nowOffsetMs
      const klines = parseKlineResult({ symbol: 'X', category: 'spot', list: rows }, { interval: '1', responseTimeMs })
      const expected = offsets.map((i) => base + i * minute).filter((s) => s + minute <= responseTimeMs).sort((a, b) => a - b)
      return JSON.stringify(klines.map((k) => k.openTimeMs)) === JSON.stringify(expected)
    }
  ), { seed: 20250318, numRuns: 300 })
  t.pass('300 seeded cases')
})
