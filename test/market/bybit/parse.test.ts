import t from 'tap'
import path from 'node:path'
import { readCsv, columnIndices } from '../../../scripts/lib/csv.js'
import {
  parseEnvelope, parseInstrumentsResult, parseKlineResult, parseOrderbookResult, parseRecentTradesResult,
  parseTickersResult, parseWsMessage
} from '../../../src/market/bybit/parse.js'
import { BybitParseError } from '../../../src/market/bybit/errors.js'
import { findKlineGaps } from '../../../src/market/bybit/interval.js'
import type { Kline } from '../../../src/market/market-data.js'
import { DATA_DIR, readSample } from './samples.js'

const RAW_INVERSE = 'bybit-samples/raw-captured/kline.inverse.BTCUSD.1m.200bars.20250318.json'

/** The envelope of a successful response, asserting it parsed. */
function okEnvelope (json: unknown, endpoint: string): { result: unknown, timeMs: number } {
  const envelope = parseEnvelope(json, endpoint)
  if (!envelope.ok) throw new Error(`expected retCode 0, got ${envelope.retCode}`)
  return envelope
}

t.test('raw inverse capture: envelope numbers, 200 rows -> 199 closed bars ascending, inverse units', async (t) => {
  const json = readSample(RAW_INVERSE)
  const { result, timeMs } = okEnvelope(json, '/v5/market/kline')
  // PROVENANCE.md: response time 2025-03-18 05:09:50.030 UTC
  t.equal(timeMs, Date.UTC(2025, 2, 18, 5, 9, 50, 30), 'time is the JSON number of the capture')
  const klines = parseKlineResult(result, { interval: '1', responseTimeMs: timeMs })
  t.equal(klines.length, 199, 'list[0] (05:09, still open at 05:09:50) dropped')
  t.equal(klines[0].openTimeMs, 1742262600000, 'first = last row of the newest-first list')
  t.equal(klines[198].openTimeMs, 1742274480000, 'last = 05:08, list[1]')
  t.ok(klines.every((k, i) => i === 0 || k.openTimeMs - klines[i - 1].openTimeMs === 60_000), 'ascending, one minute apart')
  // list[1] of the capture: ["1742274480000","83008.5","83013.1","83004.1","83012.6","12131","0.14613801"]
  t.strictSame(klines[198], { openTimeMs: 1742274480000, open: 83008.5, high: 83013.1, low: 83004.1, close: 83012.6, volumeBase: 0.14613801, turnoverQuote: 12131 },
    'inverse: volumeBase = turnover (BTC), turnoverQuote = volume (USD contracts); exact decimal conversion')
  // PROVENANCE.md (bybit-btcusd-inverse-1m-klines): (volume / close) / turnover has median 1.000002
  const ratios = klines.filter((k) => k.volumeBase > 0).map((k) => k.turnoverQuote / k.close / k.volumeBase).sort((a, b) => a - b)
  t.ok(Math.abs(ratios[Math.floor(ratios.length / 2)] - 1) < 1e-3, 'median (turnoverQuote / close) / volumeBase within 1e-3 of 1: volumeBase is in BTC')
})

t.test('four 1000-bar raw responses: closed bars merged equal the 2,012-row merged CSV exactly', async (t) => {
  const folder = 'bybit-btcusd-inverse-1m-klines'
  const files = ['data1000_20250320a.json', 'data1000_20250320b.json', 'data1000_20250321a.json', 'data1000_20250321b.json']
  const byStart = new Map<number, Kline>()
  for (const file of files) {
    const { result, timeMs } = okEnvelope(readSample(`${folder}/raw/${file}`), '/v5/market/kline')
    const klines = parseKlineResult(result, { interval: '1', responseTimeMs: timeMs })
    t.equal(klines.length, 999, `${file}: 1000 rows, the open candle dropped`)
    t.strictSame(findKlineGaps(klines, '1'), [], `${file}: no gaps`)
    for (const k of klines) byStart.set(k.openTimeMs, k)
  }
  // PROVENANCE.md: the CSV is the union, later response wins, open bar of the newest dropped; 2,012 bars
  const table = await readCsv(path.join(DATA_DIR, folder, 'klines_1m.csv'))
  const col = columnIndices(table, ['start_time_ms', 'open', 'high', 'low', 'close', 'volume', 'turnover'] as const, 'klines_1m.csv')
  t.equal(byStart.size, 2012, '2,012 distinct closed bars')
  t.equal(table.rows.length, 2012)
  let mismatches = 0
  for (const row of table.rows) {
    const k = byStart.get(Number(row[col.start_time_ms]))
    const expected = [row[col.open], row[col.high], row[col.low], row[col.close], row[col.turnover], row[col.volume]].map(Number)
    if (k === undefined || [k.open, k.high, k.low, k.close, k.volumeBase, k.turnoverQuote].some((v, j) => v !== expected[j])) mismatches++
  }
  t.equal(mismatches, 0, 'every CSV bar equal to the parsed one (tolerance 0: same decimal strings)')
})

t.test('docs kline example (inverse, 1 h rows) and ccxt linear capture (result only)', async (t) => {
  const docs = okEnvelope(readSample('bybit-samples/docs-examples/kline.json'), '/v5/market/kline')
  const docsKlines = parseKlineResult(docs.result, { interval: '60', responseTimeMs: docs.timeMs })
  t.strictSame(docsKlines.map((k) => k.openTimeMs), [1670601600000, 1670605200000, 1670608800000], 'reversed to ascending; all closed (time is 2022-12-26)')
  t.strictSame(docsKlines[2], { openTimeMs: 1670608800000, open: 17071, high: 17073, low: 17027, close: 17055.5, volumeBase: 15.74462667, turnoverQuote: 268611 })

  const ccxt = readSample('bybit-samples/ccxt-captured/kline.linear.BTCUSDT.1h.json')
  const error = t.throws(() => parseEnvelope(ccxt, '/v5/market/kline')) as BybitParseError
  t.equal(error.field, 'retCode', 'ccxt stringified retCode "0": the envelope is rejected, naming retCode')
  const klines = parseKlineResult(ccxt.result, { interval: '60', responseTimeMs: Number(ccxt.time) })
  t.strictSame(klines[2], { openTimeMs: 1706637600000, open: 43376.1, high: 43474.1, low: 43264.8, close: 43352.8, volumeBase: 1575.305, turnoverQuote: 68345898.1407 },
    'linear: volumeBase = volume, turnoverQuote = turnover')
})

t.test('orderbook: docs example envelope, ccxt linear and spot results', async (t) => {
  const docs = okEnvelope(readSample('bybit-samples/docs-examples/orderbook.json'), '/v5/market/orderbook')
  t.strictSame(parseOrderbookResult(docs.result, { category: 'linear' }), {
    symbol: 'BTCUSDT',
    category: 'linear',
    tsMs: 1716863719031,
    updateId: 230704,
    seq: 1432604333,
    bids: [{ price: '65485.47', size: '47.081829', priceQuote: 65485.47, sizeBase: 47.081829 }],
    asks: [{ price: '65557.7', size: '16.606555', priceQuote: 65557.7, sizeBase: 16.606555 }]
  })
  const linear = parseOrderbookResult(readSample('bybit-samples/ccxt-captured/orderbook.linear.BTCUSDT.json').result, { category: 'linear' })
  t.strictSame([linear.tsMs, linear.updateId, linear.seq], [1706803948569, 342690, 429272667], 'ccxt-stringified ts/u/seq read as integers')
  t.strictSame(linear.bids.map((l) => l.price), ['42544.7', '42544.5'], 'bids keep Bybit strings, descending')
  t.strictSame(linear.asks.map((l) => l.sizeBase), [108.998, 75.008])
  const spot = parseOrderbookResult(readSample('bybit-samples/ccxt-captured/orderbook.spot.BTCUSDT.json').result, { category: 'spot' })
  t.equal(spot.seq, undefined, 'spot capture has no seq')
  t.equal(spot.asks[0].price, '29971.81')
  const inverse = parseOrderbookResult({ s: 'BTCUSD', b: [['84000', '8400']], a: [['84000.5', '168001']], ts: 1, u: 2 }, { category: 'inverse' })
  t.equal(inverse.bids[0].sizeBase, 0.1, 'inverse level: 8400 USD contracts / 84000 = 0.1 BTC')
  t.equal(inverse.asks[0].size, '168001', 'inverse keeps the contract string')
})

t.test('tickers: docs inverse (units swapped), ccxt linear result, docs spot', async (t) => {
  const inv = okEnvelope(readSample('bybit-samples/docs-examples/tickers.inverse.json'), '/v5/market/tickers')
  const [inverse] = parseTickersResult(inv.result, { responseTimeMs: inv.timeMs })
  t.equal(inverse.volume24hBase, 115.6907, 'inverse: turnover24h (BTC) is the base volume')
  t.equal(inverse.turnover24hQuote, 13713832, 'inverse: volume24h (USD) is the quote turnover')
  t.equal(inverse.bidSizeBase, 1063 / 103401, 'inverse bid1Size 1063 USD / 103401 = BTC')
  t.equal(inverse.tsMs, 1760352369814, 'tsMs is the response time')
  t.notOk('basis' in inverse, 'empty-string fields are left out')

  const ccxt = readSample('bybit-samples/ccxt-captured/tickers.linear.BTCUSDT.json')
  const [linear] = parseTickersResult(ccxt.result, { responseTimeMs: Number(ccxt.time) })
  t.strictSame({ ...linear }, {
    symbol: 'BTCUSDT',
    category: 'linear',
    tsMs: 1707905549267,
    lastPriceQuote: 51444.4,
    bidPriceQuote: 51444.3,
    bidSizeBase: 55.841,
    askPriceQuote: 51444.4,
    askSizeBase: 491.691,
    markPriceQuote: 51444.4,
    indexPriceQuote: 51469.95,
    price24hChange: 0.025861,
    volume24hBase: 47293.887,
    turnover24hQuote: 2352063794.0035,
    fundingRate: -0.00046295
  })
  const spot = okEnvelope(readSample('bybit-samples/docs-examples/tickers.spot.json'), '/v5/market/tickers')
  const [spotTicker] = parseTickersResult(spot.result, { responseTimeMs: spot.timeMs })
  t.strictSame([spotTicker.bidPriceQuote, spotTicker.askPriceQuote, spotTicker.volume24hBase], [20517.96, 20527.77, 11801.27771])
})

t.test('instruments: docs linear, spot and pre-listing examples', async (t) => {
  const linear = okEnvelope(readSample('bybit-samples/docs-examples/instruments-info.linear.json'), '/v5/market/instruments-info')
  const parsed = parseInstrumentsResult(linear.result)
  t.equal(parsed.nextPageCursor, '')
  // SHAPES.md: BTCUSDT tickSize "0.10", qtyStep "0.001", minOrderQty "0.001", minNotionalValue "5"
  t.strictSame(parsed.instruments[0], {
    symbol: 'BTCUSDT',
    category: 'linear',
    status: 'Trading',
    baseCoin: 'BTC',
    quoteCoin: 'USDT',
    qtyUnit: 'base',
    tickSize: 0.1,
    tickSizeText: '0.10',
    qtyStep: 0.001,
    qtyStepText: '0.001',
    minOrderQty: 0.001,
    maxOrderQty: 1190,
    minNotionalValue: 5,
    minPriceQuote: 0.1,
    maxPriceQuote: 1999999.8
  })
  const spot = parseInstrumentsResult(readSample('bybit-samples/docs-examples/instruments-info.spot.json').result)
  t.strictSame([spot.instruments[0].qtyStepText, spot.instruments[0].minOrderQty, spot.instruments[0].minNotionalValue], ['0.000001', 0.000011, 5],
    'spot: qtyStep from basePrecision, minNotionalValue from minOrderAmt')
  const pre = parseInstrumentsResult(readSample('bybit-samples/docs-examples/instruments-info.linear-prelisting.json').result)
  t.equal(pre.instruments[0].status, 'PreLaunch')
  t.equal(parseInstrumentsResult({ category: 'inverse', list: [{ ...linear.result as any }.list[0]], nextPageCursor: 'x' }).instruments[0].qtyUnit, 'contracts')
})

t.test('recent trades and WS publicTrade: taker side, ascending, ids', async (t) => {
  const docs = okEnvelope(readSample('bybit-samples/docs-examples/recent-trade.json'), '/v5/market/recent-trade')
  t.strictSame(parseRecentTradesResult(docs.result), [{ tsMs: 1672052955758, symbol: 'BTCUSDT', side: 'buy', sizeBase: 0.00012, priceQuote: 16618.49, id: '2100000000007764263', seq: 123456 }])
  const ccxt = parseRecentTradesResult(readSample('bybit-samples/ccxt-captured/recent-trade.linear.BTCUSDT.json').result)
  t.strictSame(ccxt, [{ tsMs: 1707905515968, symbol: 'BTCUSDT', side: 'buy', sizeBase: 0.972, priceQuote: 51444.4, id: '9afd1288-b444-53f8-8e40-c2f99368ad22' }], 'no seq in the 2024 capture')
  const row = (id: string, time: string, side: string): object => ({ execId: id, symbol: 'BTCUSD', price: '80000', size: '8000', side, time, isBlockTrade: false })
  const inverse = parseRecentTradesResult({ category: 'inverse', list: [row('b', '2000', 'Sell'), row('a', '1000', 'Buy')] })
  t.strictSame(inverse.map((x) => [x.id, x.side, x.sizeBase]), [['a', 'buy', 0.1], ['b', 'sell', 0.1]], 'newest-first list sorted ascending; inverse size 8000 USD / 80000 = 0.1 BTC')

  const ws = parseWsMessage(readSample('bybit-samples/docs-examples/ws.trade.00.json'), 'linear')
  t.strictSame(ws, {
    kind: 'trades',
    symbol: 'BTCUSDT',
    tsMs: 1672304486868,
    trades: [{ tsMs: 1672304486865, symbol: 'BTCUSDT', side: 'buy', sizeBase: 0.001, priceQuote: 16578.5, id: '20f43950-d8dd-5b31-9112-a178eb6023af', seq: 1783284617 }]
  })
  t.strictSame(parseWsMessage({ success: true, ret_msg: 'pong', conn_id: 'c', op: 'ping' }, 'linear'), { kind: 'op', op: 'ping', success: true, retMsg: 'pong' })
  t.strictSame(parseWsMessage({ op: 'pong', args: ['1'], conn_id: 'c' }, 'spot'), { kind: 'op', op: 'pong', success: true, retMsg: '' }, 'spot pong')
  t.strictSame(parseWsMessage({ success: false, ret_msg: 'bad topic', op: 'subscribe' }, 'linear'), { kind: 'op', op: 'subscribe', success: false, retMsg: 'bad topic' })
  t.strictSame(parseWsMessage({ topic: 'orderbook.50.BTCUSDT', data: {} }, 'linear'), { kind: 'other' })
})
