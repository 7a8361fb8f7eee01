import t from 'tap'
import fc from 'fast-check'
import { buildTapeImpactSamples, type Trade, type TapeMarket } from '../../../src/domain/impact/tape-samples.js'

const T0_MS = 1_722_902_400_000 // 2024-08-06T00:00Z, a multiple of every window used here
const MARKET: TapeMarket = { advBase: 90_000, volDaily: 0.025, relSpread: 1e-5 }

function trade (offsetMs: number, side: 'buy' | 'sell', sizeBase: number, priceQuote: number): Trade {
  return { tsMs: T0_MS + offsetMs, side, sizeBase, priceQuote }
}

t.test('windows by hand (complete windows only, skips counted)', async (t) => {
  const trades = [
    trade(1_000, 'buy', 1, 100), // window 0 [0, 10 s): no trade before it -> noTradeBefore
    trade(12_000, 'buy', 2, 101), // window 1 [10, 20 s): Q = 2 - 0.5 = 1.5; 100.5 / 100 - 1 = 0.005
    trade(15_000, 'sell', 0.5, 100.5),
    // window 2 [20, 30 s): empty -> noTradeInside
    trade(30_000, 'sell', 3, 99.495), // window 3 [30, 40 s): Q = -3; 99.495 / 100.5 - 1 = -0.01
    trade(40_000, 'buy', 1, 99.6) // window 4 [40, 50 s) is incomplete (toMs = 40,001): not a window
  ]
  const asked: number[] = []
  const out = buildTapeImpactSamples(trades, { windowMs: 10_000, marketAt: (ms) => { asked.push(ms); return MARKET } })
  t.equal(out.windows, 4)
  t.same(out.skipped, { noTradeBefore: 1, noTradeInside: 1, noMarket: 0 })
  t.equal(out.samples.length, 2)
  const [a, b] = out.samples
  t.same([a.startMs, a.endMs, a.tradeCount, a.signedQtyBase], [T0_MS + 10_000, T0_MS + 20_000, 2, 1.5])
  t.ok(Math.abs(a.signedReturn - 0.005) < 1e-15, `return ${a.signedReturn} = 0.005 (hand, abs tol 1e-15)`)
  t.same([b.startMs, b.tradeCount, b.signedQtyBase], [T0_MS + 30_000, 1, -3])
  t.ok(Math.abs(b.signedReturn + 0.01) < 1e-15, `return ${b.signedReturn} = -0.01 (hand)`)
  t.same([a.advBase, a.volDaily, a.relSpread], [MARKET.advBase, MARKET.volDaily, MARKET.relSpread], 'market state from the callback')
  t.same(asked, [T0_MS + 10_000, T0_MS + 30_000], 'marketAt asked only for windows with trades, at their start')

  const none = buildTapeImpactSamples(trades, { windowMs: 10_000, marketAt: (ms) => ms === T0_MS + 10_000 ? undefined : { ...MARKET, advBase: 0 } })
  t.same(none.skipped, { noTradeBefore: 1, noTradeInside: 1, noMarket: 2 }, 'undefined or unusable market state is skipped and counted')
  const ranged = buildTapeImpactSamples(trades, { windowMs: 5_000, fromMs: T0_MS + 10_000, toMs: T0_MS + 20_000, marketAt: () => MARKET })
  t.equal(ranged.windows, 2)
  t.same(ranged.samples.map((s) => s.signedQtyBase), [2, -0.5], 'fromMs/toMs bound the windows')
  t.same(buildTapeImpactSamples([], { windowMs: 1000, marketAt: () => MARKET }), { samples: [], windows: 0, skipped: { noTradeBefore: 0, noTradeInside: 0, noMarket: 0 } })
})

t.test('rejects bad input', async (t) => {
  const ok = [trade(0, 'buy', 1, 100)]
  t.throws(() => buildTapeImpactSamples(ok, { windowMs: 0, marketAt: () => MARKET }), { name: 'DomainRangeError', param: 'windowMs' })
  t.throws(() => buildTapeImpactSamples([trade(5, 'buy', 1, 100), trade(4, 'buy', 1, 100)], { windowMs: 1, marketAt: () => MARKET }), { name: 'DomainRangeError', param: 'trades[1].tsMs' })
  t.throws(() => buildTapeImpactSamples([trade(0, 'buy', 0, 100)], { windowMs: 1, marketAt: () => MARKET }), { name: 'DomainRangeError', param: 'trades[0].sizeBase' })
  t.throws(() => buildTapeImpactSamples([trade(0, 'buy', 1, -1)], { windowMs: 1, marketAt: () => MARKET }), { name: 'DomainRangeError', param: 'trades[0].priceQuote' })
  t.throws(() => buildTapeImpactSamples([{ ...ok[0], side: 'long' as 'buy' }], { windowMs: 1, marketAt: () => MARKET }), { name: 'DomainRangeError', param: 'trades[0].side' })
})

t.test('no look-ahead (property, seed 12)', async (t) => {
  const arbTrade = fc.record({ dtMs: fc.integer({ min: 0, max: 4000 }), buy: fc.boolean(), size: fc.integer({ min: 1, max: 100 }), tick: fc.integer({ min: -5, max: 5 }) })
  const toTrades = (raw: Array<{ dtMs: number, buy: boolean, size: number, tick: number }>, startMs: number, startPrice: number): Trade[] => {
    let ts = startMs
    let price = startPrice
    return raw.map((r) => {
      ts += r.dtMs
      price = Math.max(1, price + r.tick)
      return { tsMs: ts, side: r.buy ? 'buy' : 'sell', sizeBase: r.size / 10, priceQuote: price }
    })
  }
  fc.assert(fc.property(
    fc.array(arbTrade, { minLength: 1, maxLength: 80 }),
    fc.array(arbTrade, { minLength: 1, maxLength: 40 }),
    fc.integer({ min: 1, max: 20 }),
    (rawA, rawB, windowSec) => {
      const windowMs = windowSec * 1000
      const a = toTrades(rawA, T0_MS + 123, 1000)
      let asked: number[] = []
      // a market that depends on the time asked, so a wrong time would show in the sample
      const marketAt = (ms: number): TapeMarket => { asked.push(ms); return { advBase: 1000 + (ms - T0_MS) / 1000, volDaily: 0.02, relSpread: 0 } }
      const base = buildTapeImpactSamples(a, { windowMs, marketAt })
      if (JSON.stringify(asked) !== JSON.stringify(base.samples.map((s) => s.startMs))) return false // asked only about window starts
      const cutoffMs = a[a.length - 1].tsMs + 1
      const later = toTrades(rawB, cutoffMs, a[a.length - 1].priceQuote) // trades after every complete window of `a`
      asked = []
      const extended = buildTapeImpactSamples([...a, ...later], { windowMs, marketAt })
      if (JSON.stringify(asked) !== JSON.stringify(extended.samples.map((s) => s.startMs))) return false
      const kept = extended.samples.filter((s) => s.endMs <= cutoffMs)
      return JSON.stringify(kept) === JSON.stringify(base.samples) // trades after a window never change it
    }
  ), { seed: 12, numRuns: 300 })
  t.pass('samples of earlier windows are unchanged by later trades; marketAt only sees window starts')
})
