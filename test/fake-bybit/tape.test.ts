import t from 'tap'
import path from 'node:path'
import { readCsv } from '../../scripts/lib/csv.js'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import { loadRecordedTape } from './server.js'
import { TradeStore, MAX_STORED_TRADES } from './tape.js'

const NOW_MS = 1742539980000

t.test('loadRecordedTape: the longest USD-M session, rebased to end at nowMs, real aggressor sides', async (t) => {
  const table = await readCsv(path.join(resolveDataDir(), 'binance-hftbacktest-l2-trades/trades.csv.gz'))
  const col = (name: string): number => table.header.indexOf(name)
  // PROVENANCE.md: usdm_btcusdt_20240808T2354 has 21,313 trades, the most of the BTCUSDT USD-M sessions.
  const rows = table.rows.filter((r) => r[col('session')] === 'usdm_btcusdt_20240808T2354' && r[col('exec_type')] !== 'INSURANCE_FUND')
  const tape = await loadRecordedTape('BTCUSDT', { nowMs: NOW_MS })
  t.equal(tape.length, rows.length)
  t.equal(tape.length, 21313)
  t.equal(tape[tape.length - 1].tsMs, NOW_MS, 'last trade at nowMs')
  const span = (xs: number[]): number => xs[xs.length - 1] - xs[0]
  t.equal(span(tape.map((x) => x.tsMs)), span(rows.map((r) => Number(r[col('trade_time_ms')]))), 'spacing kept')
  t.same(tape.map((x) => x.side), rows.map((r) => r[col('aggressor_side')] === 'buy' ? 'Buy' : 'Sell'), 'aggressor flags as recorded')
  t.same(tape.slice(0, 50).map((x) => x.priceQuote), rows.slice(0, 50).map((r) => Number(r[col('price')])), 'prices as recorded without an anchor')
  t.ok(new Set(tape.map((x) => x.id)).size === tape.length, 'unique ids')
})

t.test('loadRecordedTape: anchor rescales prices onto the tick; a session can be chosen; unknown symbols throw', async (t) => {
  const raw = await loadRecordedTape('ETHUSDT', { nowMs: NOW_MS, session: 'usdm_ethusdt_20240718T2357' })
  t.equal(raw.length, 13655, 'PROVENANCE.md count of that session')
  const anchored = await loadRecordedTape('ETHUSDT', { nowMs: NOW_MS, session: 'usdm_ethusdt_20240718T2357', anchorPriceQuote: 2685.23 })
  t.equal(anchored[anchored.length - 1].priceQuote, 2685.23)
  const ratio = 2685.23 / raw[raw.length - 1].priceQuote
  t.ok(anchored.every((x, i) => Math.abs(x.priceQuote - raw[i].priceQuote * ratio) <= 0.005 + 1e-9), 'within half a 0.01 tick of the exact rescale')
  t.ok(anchored.every((x) => Math.abs(x.priceQuote * 100 - Math.round(x.priceQuote * 100)) < 1e-6), 'on the 0.01 grid')
  await t.rejects(loadRecordedTape('XRPUSDT', { nowMs: NOW_MS }), /no USD-M trades/)
})

t.test('TradeStore: bounded, newest first, first push replaces the default tape', async (t) => {
  const store = new TradeStore()
  const many = Array.from({ length: MAX_STORED_TRADES + 5 }, (_, i) => ({ tsMs: i, side: 'Buy' as const, sizeBase: 1, priceQuote: 100 + (i % 3) }))
  store.add('BTCUSDT', many, false)
  const latest = store.latest('BTCUSDT', 2000)
  t.equal(latest.length, MAX_STORED_TRADES)
  t.equal(latest[0].tsMs, MAX_STORED_TRADES + 4)
  // newest first: i = 1004, 1003, 1002 have prices 102, 101, 100 after 102 (i = 1001)
  t.same(latest.slice(0, 3).map((x) => x.tickDirection), ['PlusTick', 'PlusTick', 'MinusTick'])
  store.add('BTCUSDT', [{ tsMs: 1, side: 'Sell', sizeBase: 1, priceQuote: 1 }], true)
  t.equal(store.latest('BTCUSDT', 10).length, 1, 'the first push dropped the default tape')
  store.add('BTCUSDT', [{ tsMs: 2, side: 'Sell', sizeBase: 1, priceQuote: 0.5 }, { tsMs: 3, side: 'Buy', sizeBase: 1, priceQuote: 0.5 }], true)
  t.same(store.latest('BTCUSDT', 10).map((x) => [x.tsMs, x.tickDirection]), [[3, 'ZeroMinusTick'], [2, 'MinusTick'], [1, 'ZeroPlusTick']], 'later pushes append')
})
