import t from 'tap'
import { MockAgent } from 'undici'
import { BybitClient } from '../../../src/market/bybit/client.js'
import type { Teardown } from '../../support/teardown.js'

const ORIGIN = 'https://bybit.test'

function mockAgent (t: Teardown): MockAgent {
  const agent = new MockAgent()
  agent.disableNetConnect()
  t.teardown(() => agent.close())
  return agent
}

const ok = (result: unknown): object => ({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: 1_700_000_000_000 })

t.test('the injected undici dispatcher carries the requests; a restUrl path prefix is kept', async (t) => {
  const agent = mockAgent(t)
  agent.get(ORIGIN).intercept({ path: '/proxy/v5/market/recent-trade?category=linear&symbol=BTCUSDT&limit=2', method: 'GET' }).reply(200, ok({
    category: 'linear',
    list: [
      { execId: 'b', symbol: 'BTCUSDT', price: '100.5', size: '2', side: 'Sell', time: '1700000000002', isBlockTrade: false },
      { execId: 'a', symbol: 'BTCUSDT', price: '100', size: '1', side: 'Buy', time: '1700000000001', isBlockTrade: false }
    ]
  }))
  const client = new BybitClient({ restUrl: `${ORIGIN}/proxy/`, dispatcher: agent })
  const trades = await client.getRecentTrades({ category: 'linear', symbol: 'BTCUSDT', limit: 2 })
  t.strictSame(trades.map((x) => [x.id, x.side, x.priceQuote]), [['a', 'buy', 100], ['b', 'sell', 100.5]], 'ascending, taker side')
  agent.assertNoPendingInterceptors()
})

t.test('HTTP 429 with X-Bapi-Limit-Reset-Timestamp: waits until it', async (t) => {
  const agent = mockAgent(t)
  const pool = agent.get(ORIGIN)
  pool.intercept({ path: /^\/v5\/market\/tickers/, method: 'GET' }).reply(429, 'Too Many Requests', { headers: { 'X-Bapi-Limit-Reset-Timestamp': '1700000000750' } })
  pool.intercept({ path: /^\/v5\/market\/tickers/, method: 'GET' }).reply(200, ok({ category: 'linear', list: [{ symbol: 'BTCUSDT', lastPrice: '100' }] }))
  const sleeps: number[] = []
  const client = new BybitClient({ restUrl: ORIGIN, dispatcher: agent, nowMs: () => 1_700_000_000_000, sleep: async (ms) => { sleeps.push(ms) } })
  const [ticker] = await client.getTickers({ category: 'linear', symbol: 'BTCUSDT' })
  t.equal(ticker.lastPriceQuote, 100)
  t.strictSame(sleeps, [750], 'reset 1700000000750 - now 1700000000000')
})

t.test('instruments: a repeated cursor is a parse error, not an endless loop', async (t) => {
  const agent = mockAgent(t)
  const item = {
    symbol: 'BTCUSDT',
    status: 'Trading',
    baseCoin: 'BTC',
    quoteCoin: 'USDT',
    priceFilter: { tickSize: '0.10' },
    lotSizeFilter: { minOrderQty: '0.001', maxOrderQty: '100', qtyStep: '0.001', minNotionalValue: '5' }
  }
  agent.get(ORIGIN).intercept({ path: /^\/v5\/market\/instruments-info/, method: 'GET' })
    .reply(200, ok({ category: 'linear', list: [item], nextPageCursor: 'same' })).times(2)
  const client = new BybitClient({ restUrl: ORIGIN, dispatcher: agent })
  await t.rejects(client.getInstruments({ category: 'linear' }), { code: 'BYBIT_ERR_PARSE', field: 'result.nextPageCursor' })
})
