import t from 'tap'
import { startFake, getJson, readDataJson } from './fetch-json.js'

const isDecimalString = (x: unknown): boolean => typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x)
const LAST_CLOSE = 84047.8 // last recorded close (klines_1m.csv, 2025-03-21 06:52 UTC)

t.test('tickers: the ccxt-captured linear field order, all strings, consistent with the latest close and the book', async (t) => {
  const fake = await startFake(t)
  const capture = await readDataJson('bybit-samples/ccxt-captured/tickers.linear.BTCUSDT.json')
  const body = await getJson(fake, '/v5/market/tickers?category=linear&symbol=BTCUSDT')
  t.same(Object.keys(body.result), ['category', 'list'])
  const item = body.result.list[0] as Record<string, unknown>
  const capturedKeys = Object.keys(capture.result.list[0])
  t.same(Object.keys(item).slice(0, capturedKeys.length), capturedKeys, 'same fields in the same order as the capture')
  t.ok(Object.values(item).every((v) => typeof v === 'string'), 'every value a string')
  t.equal(item.lastPrice, '84047.80', 'latest close with priceScale 2 decimals')
  const book = (await getJson(fake, '/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=1')).result
  t.equal(Number(item.bid1Price), Number(book.b[0][0]), 'bid1 = book best bid')
  t.equal(Number(item.ask1Price), Number(book.a[0][0]), 'ask1 = book best ask')
  t.equal(item.bid1Size, book.b[0][1])
  t.ok(Number(item.bid1Price) < LAST_CLOSE && LAST_CLOSE < Number(item.ask1Price), 'last price inside the spread')
  t.ok(isDecimalString(item.volume24h) && isDecimalString(item.turnover24h))
  // linear units: turnover (quote) / volume (base) is a BTC price within the day's range
  const vwap = Number(item.turnover24h) / Number(item.volume24h)
  t.ok(vwap > Number(item.lowPrice24h) && vwap < Number(item.highPrice24h), `24h VWAP ${vwap} inside [low, high]`)
  const all = await getJson(fake, '/v5/market/tickers?category=linear')
  t.same(all.result.list.map((x: { symbol: string }) => x.symbol), ['BTCUSDT', 'ETHUSDT', 'XRPUSDT'])
  t.equal((await getJson(fake, '/v5/market/tickers?category=option&symbol=BTCUSDT')).retCode, 10001)
})

t.test('orderbook BTCUSDT/ETHUSDT: the captured levels re-centred on the latest close, on the tick grid', async (t) => {
  const fake = await startFake(t)
  const capture = await readDataJson('bybit-samples/ccxt-captured/orderbook.linear.BTCUSDT.json')
  const body = await getJson(fake, '/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=50')
  t.same(Object.keys(body.result), ['s', 'b', 'a', 'ts', 'u', 'seq', 'cts'])
  const { s, b, a, ts, u, seq, cts } = body.result
  t.equal(s, 'BTCUSDT')
  t.equal(ts, fake.nowMs())
  t.equal(cts, fake.nowMs())
  t.ok(Number.isInteger(u) && Number.isInteger(seq), 'u and seq are integers (SHAPES.md)')
  t.equal(b.length, 2, 'the capture has 2 levels a side')
  t.same(b.map((l: string[]) => l[1]), capture.result.b.map((l: string[]) => l[1]), 'BTC sizes as captured')
  const recordedMid = (42544.7 + 42548) / 2 // capture best bid/ask
  for (const [level, recorded] of [[b[0], capture.result.b[0]], [a[0], capture.result.a[0]]]) {
    const expected = LAST_CLOSE * Number(recorded[0]) / recordedMid
    t.ok(Math.abs(Number(level[0]) - expected) <= 0.1 + 1e-9, `${level[0]} within one 0.10 tick of ${expected}`)
    t.ok(Math.abs(Number(level[0]) * 10 - Math.round(Number(level[0]) * 10)) < 1e-6, 'on the 0.10 grid')
  }
  t.ok(Number(b[0][0]) > Number(b[1][0]), 'bids descending')
  t.ok(Number(a[0][0]) < Number(a[1][0]), 'asks ascending')
  const second = await getJson(fake, '/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=1')
  t.equal(second.result.b.length, 1, 'limit per side')
  t.ok(second.result.u > u, 'u increases per snapshot')
  const eth = (await getJson(fake, '/v5/market/orderbook?category=linear&symbol=ETHUSDT')).result
  t.ok(Number(eth.b[0][0]) < LAST_CLOSE / 31.3 && LAST_CLOSE / 31.3 < Number(eth.a[0][0]), 'ETH book around 2685.23')
  t.ok(Math.abs(Number(eth.b[0][1]) - 172.404 * 31.3) < 0.01, 'ETH size = BTC size x 31.3 (same notional), 0.01 qtyStep')
  t.equal((await getJson(fake, '/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=1001')).retCode, 10001)
})

t.test('orderbook inverse BTCUSD: the BTCUSDT book with sizes in USD contracts', async (t) => {
  const fake = await startFake(t)
  const linear = (await getJson(fake, '/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=50')).result
  const inverse = (await getJson(fake, '/v5/market/orderbook?category=inverse&symbol=BTCUSD&limit=50')).result
  t.equal(inverse.s, 'BTCUSD')
  t.same(inverse.b.map((l: string[]) => l[0]), linear.b.map((l: string[]) => l[0]), 'same prices')
  for (const [inv, lin] of [[inverse.b, linear.b], [inverse.a, linear.a]]) {
    for (let i = 0; i < inv.length; i++) {
      t.match(inv[i][1], /^\d+$/, 'whole contracts')
      t.equal(Number(inv[i][1]), Math.round(Number(lin[i][1]) * Number(lin[i][0])), `${inv[i][1]} contracts = round(${lin[i][1]} BTC x ${lin[i][0]})`)
    }
  }
  t.equal((await getJson(fake, '/v5/market/orderbook?category=inverse&symbol=BTCUSDT')).retCode, 10001, 'no inverse BTCUSDT')
  t.equal((await getJson(fake, '/v5/market/orderbook?category=spot&symbol=BTCUSDT')).retCode, 10001)
})

t.test('orderbook XRPUSDT: the real 500-level recording after its 49 deltas', async (t) => {
  const fake = await startFake(t)
  const body = await getJson(fake, '/v5/market/orderbook?category=linear&symbol=XRPUSDT&limit=1000')
  const { b, a, u } = body.result
  // PROVENANCE.md (bybit-samples): best bid/ask 1.9537/1.9538 after the deltas; u ends at 20254918.
  t.same([b[0][0], a[0][0]], ['1.9537', '1.9538'])
  t.ok(u > 20254918)
  t.ok(b.length > 450 && a.length > 450, `about 500 levels a side (${b.length}/${a.length}; deletions remove a few)`)
  t.ok(b.every((l: string[], i: number) => i === 0 || Number(l[0]) < Number(b[i - 1][0])), 'bids strictly descending')
  t.ok(a.every((l: string[], i: number) => i === 0 || Number(l[0]) > Number(a[i - 1][0])), 'asks strictly ascending')
  t.ok([...b, ...a].every((l: string[]) => Number(l[1]) > 0), 'no zero-size level left')
  t.ok([...b, ...a].flat().every(isDecimalString))
})

t.test('instruments-info: docs example extended to three symbols, cursor paging ends with ""', async (t) => {
  const fake = await startFake(t)
  const doc = await readDataJson('bybit-samples/docs-examples/instruments-info.linear.json')
  const symbols: string[] = []
  const items: Array<Record<string, any>> = []
  let cursor = ''
  let pages = 0
  do {
    const body = await getJson(fake, `/v5/market/instruments-info?category=linear&limit=1${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    t.same(Object.keys(body.result), ['category', 'list', 'nextPageCursor'])
    items.push(...body.result.list)
    symbols.push(...body.result.list.map((x: { symbol: string }) => x.symbol))
    cursor = body.result.nextPageCursor
    pages++
  } while (cursor !== '' && pages < 10)
  t.equal(pages, 3)
  t.same(symbols, ['BTCUSDT', 'ETHUSDT', 'XRPUSDT'])
  t.same(items[0], doc.result.list[0], 'BTCUSDT is the docs example unchanged')
  t.same(Object.keys(items[1]), Object.keys(doc.result.list[0]), 'same fields for the others')
  const rules = items.map((x) => [x.priceFilter.tickSize, x.lotSizeFilter.qtyStep, x.lotSizeFilter.minOrderQty, x.lotSizeFilter.minNotionalValue])
  t.same(rules, [['0.10', '0.001', '0.001', '5'], ['0.01', '0.01', '0.01', '5'], ['0.0001', '1', '1', '5']], 'documented rules (issue 4)')
  const one = await getJson(fake, '/v5/market/instruments-info?category=linear&symbol=ETHUSDT')
  t.same(one.result.list.map((x: { symbol: string }) => x.symbol), ['ETHUSDT'])
  t.equal(one.result.nextPageCursor, '')
  t.same((await getJson(fake, '/v5/market/instruments-info?category=linear&symbol=NOPEUSDT')).result.list, [])
  t.equal((await getJson(fake, '/v5/market/instruments-info?category=linear&cursor=zzz')).retCode, 10001)
})

t.test('recent-trade: recorded tape by default, pushed trades afterwards, newest first, Bybit fields', async (t) => {
  const fake = await startFake(t)
  const body = await getJson(fake, '/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=5')
  t.same(Object.keys(body.result), ['category', 'list'])
  const list = body.result.list as Array<Record<string, unknown>>
  t.equal(list.length, 5)
  t.same(Object.keys(list[0]), ['execId', 'symbol', 'price', 'size', 'side', 'time', 'isBlockTrade', 'isRPITrade', 'seq'])
  t.equal(list[0].time, String(fake.nowMs()), 'the default tape ends at nowMs')
  t.equal(list[0].price, '84047.80', 'rescaled so the last trade is at the latest close')
  t.ok(list.every((x) => isDecimalString(x.price) && isDecimalString(x.size) && typeof x.time === 'string' && typeof x.seq === 'string'))
  t.ok(list.every((x, i) => i === 0 || Number(x.time) <= Number(list[i - 1].time)), 'newest first')
  t.equal((await getJson(fake, '/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=1000')).result.list.length, 1000)
  fake.pushTrades('BTCUSDT', [
    { tsMs: 1, side: 'Buy', sizeBase: 0.5, priceQuote: 84000.5, id: 'a' },
    { tsMs: 2, side: 'Sell', sizeBase: 0.001, priceQuote: 83999 }
  ])
  const pushed = (await getJson(fake, '/v5/market/recent-trade?category=linear&symbol=BTCUSDT')).result.list
  t.same(pushed.map((x: Record<string, unknown>) => [x.time, x.side, x.size, x.price]), [['2', 'Sell', '0.001', '83999.00'], ['1', 'Buy', '0.500', '84000.50']], 'a push replaces the default tape')
  t.equal(pushed[1].execId, 'a')
  t.ok(Number(pushed[0].seq) > Number(pushed[1].seq))
  t.same((await getJson(fake, '/v5/market/recent-trade?category=linear&symbol=XRPUSDT')).result.list, [], 'no default tape for XRPUSDT')
  t.equal((await getJson(fake, '/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=1001')).retCode, 10001)
})
