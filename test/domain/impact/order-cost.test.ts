import t from 'tap'
import fc from 'fast-check'
import { orderCost } from '../../../src/domain/impact/order-cost.js'

const base = { side: 'buy' as const, qtyBase: 2, priceQuote: 100, advBase: 1000, spreadBps: 4, feeRate: 0.00055, impactCostFraction: 0.001 }

t.test('hand-computed breakdown (exact up to float rounding, 1e-12)', async (t) => {
  const c = orderCost(base)
  t.equal(c.notionalQuote, 200)
  t.equal(c.participation, 0.002)
  t.ok(Math.abs(c.impactBps - 10) < 1e-12)
  t.ok(Math.abs(c.impactQuote - 0.2) < 1e-12)
  t.equal(c.spreadCostBps, 2)
  t.ok(Math.abs(c.spreadCostQuote - 0.04) < 1e-12)
  t.ok(Math.abs(c.feeBps - 5.5) < 1e-12)
  t.ok(Math.abs(c.feeQuote - 0.11) < 1e-12)
  t.ok(Math.abs(c.totalCostBps - 17.5) < 1e-12)
  t.ok(Math.abs(c.totalCostQuote - 0.35) < 1e-12)
  t.ok(Math.abs(c.expectedAvgPriceQuote - 100.12) < 1e-12, 'buy: 100 * (1 + 0.001 + 0.0002)')
})

t.test('sells cost the same; the fill price mirrors around arrival', async (t) => {
  fc.assert(fc.property(
    fc.double({ min: 1e-6, max: 1e9, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
    fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true }),
    (qtyBase, priceQuote, spreadBps, impactCostFraction) => {
      const buy = orderCost({ ...base, qtyBase, priceQuote, spreadBps, impactCostFraction })
      const sell = orderCost({ ...base, side: 'sell', qtyBase, priceQuote, spreadBps, impactCostFraction })
      return buy.totalCostBps === sell.totalCostBps && buy.totalCostQuote === sell.totalCostQuote &&
        Math.abs((buy.expectedAvgPriceQuote - priceQuote) + (sell.expectedAvgPriceQuote - priceQuote)) <= 1e-9 * priceQuote
    }), { seed: 7, numRuns: 300 })
  t.pass('symmetric over 300 random orders')
})

t.test('costs in quote scale linearly with quantity at a fixed cost fraction', async (t) => {
  const one = orderCost(base)
  const ten = orderCost({ ...base, qtyBase: 20 })
  t.ok(Math.abs(ten.totalCostQuote - 10 * one.totalCostQuote) < 1e-12)
  t.equal(ten.totalCostBps, one.totalCostBps)
})

t.test('invalid inputs throw DomainRangeError naming the parameter', async (t) => {
  for (const [param, value] of [['qtyBase', 0], ['priceQuote', -1], ['advBase', Number.NaN], ['spreadBps', -1], ['feeRate', Infinity], ['impactCostFraction', Number.NaN]] as const) {
    t.throws(() => orderCost({ ...base, [param]: value }), { name: 'DomainRangeError', param }, param)
  }
  t.throws(() => orderCost({ ...base, qtyBase: 1e300, priceQuote: 1e300 }), { name: 'DomainRangeError', param: 'qtyBase' }, 'overflow')
})

t.test('issue 14: impact + half spread of 100 % or more is refused for both sides (a sell would fill at or below 0)', async (t) => {
  // half spread 2 bps = 0.0002: an impact of 0.9998 makes the move exactly 1 (refused); just below it passes
  for (const side of ['buy', 'sell'] as const) {
    t.throws(() => orderCost({ ...base, side, impactCostFraction: 0.9998 }), { name: 'DomainRangeError', param: 'impactCostFraction' })
    const below = orderCost({ ...base, side, impactCostFraction: 0.99 })
    t.ok(below.expectedAvgPriceQuote > 0, `${side}: fill price ${below.expectedAvgPriceQuote} > 0`)
  }
})
