import t from 'tap'
import { build, post, numbersIn, hasNoNull } from '../helper.js'

// A buy of 2 at 100.5 against arrival 100, VWAP 100.2, bid/ask 99.9/100.1, fee 0.1 quote.
const buy = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, execPriceQuote: 100.5, arrivalPriceQuote: 100, vwapQuote: 100.2, bidQuote: 99.9, askQuote: 100.1, advBase: 1000, volDaily: 0.02, feeQuote: 0.1 }
// Its mirror: a sell of 2 at 99.5 against arrival 100, VWAP 99.8.
const sell = { ...buy, side: 'sell', execPriceQuote: 99.5, vwapQuote: 99.8 }

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))

t.test('POST /v1/tca: hand-computed metrics for a buy and its mirrored sell', async (t) => {
  const app = await build(t)
  const res = await post(app, '/v1/tca', { trades: [buy, sell] })
  t.equal(res.statusCode, 200, res.body)
  const { trades, summary } = res.json()
  const [b, s] = trades
  // IS = (exec - arrival) * sign / arrival = 0.5/100 = 50 bps (hand-computed)
  t.ok(close(b.implementationShortfallBps, 50), `IS ${b.implementationShortfallBps}`)
  t.ok(close(b.implementationShortfallQuote, 1), 'IS quote = 0.5 * 2')
  // VWAP slippage = (100.5 - 100.2)/100.2
  t.ok(close(b.vwapSlippageBps, 0.3 / 100.2 * 1e4))
  // spread cost = spread / (2 mid) = 0.2 / 200 = 10 bps
  t.ok(close(b.spreadCostBps, 10))
  // fee = 0.1 / (2 * 100.5)
  t.ok(close(b.feeBps, 0.1 / 201 * 1e4))
  t.ok(close(s.implementationShortfallBps, b.implementationShortfallBps), 'sell IS mirrors buy')
  t.ok(close(s.spreadCostBps, b.spreadCostBps))
  t.ok(close(s.estimatedImpactBps, b.estimatedImpactBps), 'sqrt estimate symmetric')
  t.same(b.inputs, { advBase: 'request', volDaily: 'request', spread: 'bid-ask' })
  t.equal(summary.tradeCount, 2)
  t.equal(summary.buyCount, 1)
  // notional-weighted IS: (201 * 50 + 199 * 50) / 400 = 50
  t.ok(close(summary.implementationShortfallBps, 50))
  t.ok(close(summary.totalNotionalQuote, 400))
  t.ok(numbersIn(res.json()).every(Number.isFinite) && hasNoNull(res.body))
})

t.test('estimated impact uses the trade\'s own ADV and volatility, not the market state\'s', async (t) => {
  const app = await build(t)
  const models = (await app.inject('/v1/models')).json()
  const p = models.symbols.find((x: { symbol: string }) => x.symbol === 'BTCUSDT').models[0].parameters
  const res = (await post(app, '/v1/tca', { trades: [buy] })).json()
  // the default (execution) model's I* with the trade's own inputs: a1 * 0.02 * (2/1000)^a2, bps (1e-9 relative)
  const expected = p.a1 * 0.02 * (2 / 1000) ** p.a2 * 1e4
  t.ok(close(res.trades[0].estimatedImpactBps, expected), `${res.trades[0].estimatedImpactBps} vs ${expected}`)
  const fromState = (await post(app, '/v1/tca', { trades: [{ ...buy, advBase: undefined, volDaily: undefined }] })).json()
  t.same(fromState.trades[0].inputs, { advBase: 'market-state', volDaily: 'market-state', spread: 'bid-ask' })
  t.not(fromState.trades[0].estimatedImpactBps, res.trades[0].estimatedImpactBps)
})

t.test('vwap slippage is omitted (never null) when no VWAP is sent; spreadQuote alone uses arrival as mid', async (t) => {
  const app = await build(t)
  const { vwapQuote: _v, bidQuote: _b, askQuote: _a, ...bare } = buy
  const res = await post(app, '/v1/tca', { trades: [{ ...bare, spreadQuote: 0.2 }] })
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.notOk('vwapSlippageBps' in body.trades[0])
  t.notOk('vwapSlippageBps' in body.summary)
  t.equal(body.summary.vwapTradeCount, 0)
  t.ok(close(body.trades[0].spreadCostBps, 0.2 / 200 * 1e4))
  t.equal(body.trades[0].inputs.spread, 'spreadQuote')
  t.ok(hasNoNull(res.body))
})

t.test('bad TCA input names the trade and the field', async (t) => {
  const app = await build(t)
  const crossed = await post(app, '/v1/tca', { trades: [buy, { ...buy, bidQuote: 101, askQuote: 100 }] })
  t.equal(crossed.statusCode, 422, crossed.body)
  t.match(crossed.json().field, /^body\/trades\/1\//)
  const missing = await post(app, '/v1/tca', { trades: [{ ...buy, execPriceQuote: undefined }] })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().field, 'body/trades/0/execPriceQuote')
  const unknown = await post(app, '/v1/tca', { trades: [{ symbol: 'NOPEUSDT', side: 'buy', qtyBase: 1, execPriceQuote: 1, arrivalPriceQuote: 1 }] })
  t.equal(unknown.statusCode, 422)
  t.equal(unknown.json().field, 'body/trades/0/symbol')
  const none = await post(app, '/v1/tca', { trades: [] })
  t.equal(none.statusCode, 400)
})

t.test('every accepted trade is stored before the response; a failing store accepts nothing', async (t) => {
  const { tempTcaStore } = await import('../helper.js')
  const store = tempTcaStore(t)
  const app = await build(t, {}, { tcaStore: store })
  const res = await post(app, '/v1/tca', { trades: [{ ...buy, executedAtMs: 1_700_000_000_000 }, sell] })
  t.equal(res.statusCode, 200)
  const stored = await store.read('BTCUSDT')
  t.equal(stored.length, 2)
  t.same(stored.map((r) => r.side).sort(), ['buy', 'sell'])
  t.equal(stored[0].executedAtMs, 1_700_000_000_000, 'client execution time kept')
  t.equal(stored[0].advBase, 1000)
  t.ok(Math.abs(stored[0].relSpread - 0.2 / 100) < 1e-12, 'relative spread from bid/ask')
  const rejected = await post(app, '/v1/tca', { trades: [buy, { ...buy, bidQuote: 101, askQuote: 100 }] })
  t.equal(rejected.statusCode, 422)
  t.equal((await store.read('BTCUSDT')).length, 2, 'a rejected request stores nothing')

  const failing = await build(t, {}, { tcaStore: { append: async () => { throw new Error('disk full') }, read: async () => [] } })
  const down = await post(failing, '/v1/tca', { trades: [buy] })
  t.equal(down.statusCode, 503)
  t.equal(down.json().code, 'PRETRADE_ERR_STORE_UNAVAILABLE')
  t.notMatch(down.body, /disk full/, 'no internal detail in the response')
})
