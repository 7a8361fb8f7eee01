import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { BookCache } from '../../src/market/book-cache.js'
import { BybitClient } from '../../src/market/bybit/client.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import type { Category } from '../../src/market/market-state.js'
import { startFake, getJson } from '../fake-bybit/fetch-json.js'
import type { FakeBybit } from '../fake-bybit/server.js'
import { post, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'

/** The app on the embedded defaults with order books from the fake Bybit in `category` (BYBIT_CATEGORY). */
async function bookApp (t: Teardown, fake: FakeBybit, category: Category): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', BYBIT_CATEGORY: category, BYBIT_REST_URL: fake.restUrl })
  const client = new BybitClient({ restUrl: fake.restUrl, timeoutMs: 2000, maxRetries: 0 })
  const app = await buildApp({
    config,
    market: loadEmbeddedMarketState(config.MARKET_STATE_PATH, config),
    models: new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() }),
    tcaStore: tempTcaStore(t),
    books: new BookCache({ client, category, depth: 50, maxAgeMs: 0 })
  })
  t.teardown(async () => await app.close())
  await app.ready()
  return app
}

const bookRequests = (fake: FakeBybit): number => fake.requests.filter((r) => r.path === '/v5/market/orderbook').length
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
// BTCUSD has no market state: the request gives volDaily and advBase (the thin remainder's model needs them)
const inverseOrder = { symbol: 'BTCUSD', volDaily: 0.03, advBase: 50_000, method: 'book' }

t.test('method "book" on an inverse book (BYBIT_CATEGORY=inverse) walks USD contracts in base units', async (t) => {
  const fake = await startFake(t)
  const app = await bookApp(t, fake, 'inverse')
  // the fake's BTCUSD book: its BTCUSDT book with round(BTC x price) contracts (test/fake-bybit/README.md)
  const raw = (await getJson(fake, '/v5/market/orderbook?category=inverse&symbol=BTCUSD&limit=50')).result
  const [[bid0, bidContracts0]] = raw.b.map((l: string[]) => l.map(Number))
  const [[ask0, askContracts0], [ask1, askContracts1]] = raw.a.map((l: string[]) => l.map(Number))
  const mid = (bid0 + ask0) / 2

  // a buy within the best ask: filled at that price
  const small = await post(app, '/v1/estimate', { ...inverseOrder, side: 'buy', qtyBase: 2 })
  t.equal(small.statusCode, 200, small.body)
  const one = small.json()
  t.equal(one.book.levelsConsumed, 1)
  t.equal(one.book.avgFillPriceQuote, ask0)
  t.equal(one.book.filledQtyBase, 2)
  t.equal(one.priceQuote, mid, 'arrival = the book mid')
  t.ok(relErr(one.notionalQuote, 2 * mid) < 1e-12)

  // a buy into the second level: the expected average is the contract-weighted harmonic mean, computed
  // here in doubles from the definition: (c0 + c1) / (c0/p0 + c1/p1) with c1 = (Q - c0/p0) * p1
  const qtyBase = askContracts0 / ask0 + 0.5 * askContracts1 / ask1
  const c1 = (qtyBase - askContracts0 / ask0) * ask1
  const harmonic = (askContracts0 + c1) / qtyBase
  const deep = (await post(app, '/v1/estimate', { ...inverseOrder, side: 'buy', qtyBase })).json()
  t.equal(deep.book.levelsConsumed, 2)
  t.equal(deep.book.thin, false)
  t.ok(relErr(deep.book.avgFillPriceQuote, harmonic) < 1e-12, `avg ${deep.book.avgFillPriceQuote} vs ${harmonic}`)
  t.ok(relErr(deep.book.costVsMidBps, (harmonic - mid) / mid * 1e4) < 1e-9)
  t.ok(ask0 < deep.book.avgFillPriceQuote && deep.book.avgFillPriceQuote < ask1)
  t.notOk(deep.warnings.some((w: { code: string }) => w.code === 'MARKET_STATE_STALE'), 'no market state used: no staleness warning')

  // a sell within the best bid
  const sell = (await post(app, '/v1/estimate', { ...inverseOrder, side: 'sell', qtyBase: 1 })).json()
  t.equal(sell.book.avgFillPriceQuote, bid0)
  t.ok(bidContracts0 / bid0 > 1, 'the best bid holds more than 1 BTC')

  // a thin book: the visible asks hold sum(c/p) BTC; the rest is priced by the model with BOOK_THIN
  const visibleBase = raw.a.reduce((sum: number, [p, c]: string[]) => sum + Number(c) / Number(p), 0)
  const thin = (await post(app, '/v1/estimate', { ...inverseOrder, side: 'buy', qtyBase: 1000 })).json()
  t.equal(thin.book.thin, true)
  t.ok(relErr(thin.book.filledQtyBase, visibleBase) < 1e-12, `filled ${thin.book.filledQtyBase} BTC vs ${visibleBase}`)
  t.ok(relErr(thin.book.remainingQtyBase, 1000 - visibleBase) < 1e-12)
  t.ok(thin.warnings.some((w: { code: string }) => w.code === 'BOOK_THIN'), JSON.stringify(thin.warnings))
  t.ok(thin.impactBps > deep.impactBps)
})

t.test('method "book": what cannot be priced is refused before any order-book request', async (t) => {
  const fake = await startFake(t)
  const inverse = await bookApp(t, fake, 'inverse')
  const linear = await bookApp(t, fake, 'linear')
  for (const [name, app, url, body, field, code] of [
    ['a linear symbol on inverse books', inverse, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book' }, 'body/symbol', 'PRETRADE_ERR_UNPROCESSABLE'],
    ['the same in a batch', inverse, '/v1/estimate/batch', { orders: [{ symbol: 'ETHUSDT', side: 'buy', qtyBase: 1, method: 'book' }] }, 'body/orders/0/symbol', 'PRETRADE_ERR_UNPROCESSABLE'],
    ['the same in a check', inverse, '/v1/pretrade/check', { order: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book' }, limits: { maxCostBps: 100 } }, 'body/order/symbol', 'PRETRADE_ERR_UNPROCESSABLE'],
    ['a symbol without market state nor volDaily/advBase', linear, '/v1/estimate', { symbol: 'SOLUSDT', side: 'buy', qtyBase: 1, method: 'book' }, 'body/symbol', 'PRETRADE_ERR_UNKNOWN_SYMBOL'],
    ['an execution worked over time', inverse, '/v1/estimate', { ...inverseOrder, side: 'buy', qtyBase: 1, execution: { strategy: 'twap', horizonDays: 0.1 } }, 'body/execution/strategy', 'PRETRADE_ERR_UNPROCESSABLE']
  ] as const) {
    const before = bookRequests(fake)
    const res = await post(app, url, body)
    t.equal(res.statusCode, 422, `${name}: ${res.body}`)
    t.equal(res.json().code, code, name)
    t.equal(res.json().field, field, name)
    t.equal(bookRequests(fake), before, `${name}: the fake saw no order-book request`)
  }
  const rule = (await post(inverse, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book' })).json().rule
  t.equal(rule, 'symbol of category inverse (BYBIT_CATEGORY) with method book')

  // a linear symbol on linear books still walks its book, and says its market state is the stale embedded one
  const ok = (await post(linear, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book' })).json()
  t.equal(ok.book.levelsConsumed, 1)
  t.ok(ok.warnings.some((w: { code: string }) => w.code === 'MARKET_STATE_STALE'), 'volDaily and advBase came from the embedded state')
})
