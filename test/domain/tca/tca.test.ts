import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { sqrtImpactCost } from '../../../src/domain/impact/sqrt-impact.js'
import { analyseTrade, analyseTrades, resolveSpreadAndMid, summariseTca, type ImpactCostEstimator, type TcaTradeInput, type TcaTradeResult } from '../../../src/domain/tca/tca.js'

const close = (actual: number | null, expected: number, tol = 1e-9): boolean => actual !== null && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected))
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}

/** eta = 0.5, delta = 0.5 square-root model, evaluated on the trade's own participation and vol. */
const sqrtEstimator: ImpactCostEstimator = (participation, volDaily) => sqrtImpactCost({ impactCoef: 0.5, impactExponent: 0.5 }, participation, volDaily)

// Buy 2 @ 101, arrival 100, VWAP 100.5, bid/ask 99.9/100.1, fee 0.101 quote, ADV 1000, vol 2 %/day
const BUY: TcaTradeInput = {
  side: 'buy',
  qtyBase: 2,
  execPriceQuote: 101,
  arrivalPriceQuote: 100,
  vwapQuote: 100.5,
  spreadQuote: 0.2,
  midQuote: 100,
  feeQuote: 0.101,
  advBase: 1000,
  volDaily: 0.02
}

t.test('a buy, computed by hand (1e-9 relative)', async (t) => {
  const r = analyseTrade(BUY, sqrtEstimator)
  const impactFraction = 0.5 * 0.02 * Math.sqrt(0.002) // 4.4721e-4
  t.ok(close(r.notionalQuote, 202), 'notional 2 * 101')
  t.ok(close(r.participation, 0.002), 'participation 2 / 1000')
  t.ok(close(r.implementationShortfallBps, 100), 'IS (101 - 100) / 100 = 100 bps')
  t.ok(close(r.implementationShortfallQuote, 2), 'IS quote (101 - 100) * 2')
  t.ok(close(r.vwapSlippageBps, 1e4 * 0.5 / 100.5), 'VWAP slippage 0.5 / 100.5 = 49.75 bps')
  t.ok(close(r.vwapSlippageQuote, 1), 'VWAP slippage quote 0.5 * 2')
  t.ok(close(r.spreadCostBps, 10), 'spread cost 0.2 / (2 * 100) = 10 bps')
  t.ok(close(r.spreadCostQuote, 0.2), 'spread cost quote = half spread * qty = 0.1 * 2')
  t.ok(close(r.feeBps, 5), 'fee 0.101 / 202 = 5 bps')
  t.ok(close(r.feeQuote, 0.101), 'fee quote passes through')
  t.ok(close(r.estimatedImpactBps, 1e4 * impactFraction), 'estimated impact 0.5 * 0.02 * sqrt(0.002) = 4.47 bps')
  t.ok(close(r.estimatedImpactQuote, impactFraction * 200), 'estimated impact quote on the arrival notional 200')
  t.ok(close(r.totalCostBps, 105), 'total = IS + fee = 105 bps')
  t.ok(close(r.totalCostQuote, 2.101), 'total quote = 2 + 0.101')
})

t.test('the mirrored sell has the same bps', async (t) => {
  // sell 2 @ 99 (mirror of 101 around arrival 100), VWAP at arrival, fee 5 bps of each notional
  const buy = analyseTrade({ ...BUY, vwapQuote: 100, feeQuote: 0.0005 * 202 }, sqrtEstimator)
  const sell = analyseTrade({ ...BUY, side: 'sell', execPriceQuote: 99, vwapQuote: 100, feeQuote: 0.0005 * 198 }, sqrtEstimator)
  for (const key of ['implementationShortfallBps', 'vwapSlippageBps', 'spreadCostBps', 'feeBps', 'estimatedImpactBps', 'totalCostBps', 'implementationShortfallQuote', 'spreadCostQuote', 'estimatedImpactQuote'] as const) {
    t.ok(close(sell[key], buy[key] as number, 1e-12), `${key}: sell ${sell[key]} = buy ${buy[key]}`)
  }
  t.ok(close(sell.implementationShortfallBps, 100), 'sell IS (99 - 100) * -1 / 100 = +100 bps (a cost)')
  t.ok(close(sell.notionalQuote, 198), 'sell notional 2 * 99')
  const better = analyseTrade({ ...BUY, side: 'sell', execPriceQuote: 100.5, vwapQuote: undefined }, sqrtEstimator)
  t.ok(close(better.implementationShortfallBps, -50), 'selling above arrival is a negative cost (-50 bps)')
  t.equal(better.vwapSlippageBps, null, 'no VWAP given: no VWAP slippage')
  t.equal(better.vwapSlippageQuote, null)
})

t.test('spread from bid/ask vs spread given', async (t) => {
  const fromQuotes = resolveSpreadAndMid({ bidQuote: 99.9, askQuote: 100.1, arrivalPriceQuote: 100.05 })
  t.ok(close(fromQuotes.spreadQuote, 0.2, 1e-12) && close(fromQuotes.midQuote, 100, 1e-15), 'ask - bid and (bid + ask) / 2; arrival is not the mid')
  const given = resolveSpreadAndMid({ spreadQuote: 0.2, arrivalPriceQuote: 100.05 })
  t.same(given, { spreadQuote: 0.2, midQuote: 100.05 }, 'given spread: the arrival price is the mid')
  t.same(resolveSpreadAndMid({ bidQuote: 99.9, askQuote: 100.1, spreadQuote: 5, arrivalPriceQuote: 100 }).spreadQuote, fromQuotes.spreadQuote, 'bid/ask take precedence')

  const trade = { ...BUY, arrivalPriceQuote: 100.05 }
  const a = analyseTrade({ ...trade, ...fromQuotes }, sqrtEstimator)
  const b = analyseTrade({ ...trade, ...given }, sqrtEstimator)
  t.ok(close(a.spreadCostBps, 1e4 * 0.2 / 200, 1e-12), 'bid/ask: 0.2 / (2 * 100) = 10 bps')
  t.ok(close(b.spreadCostBps, 1e4 * 0.2 / 200.1, 1e-12), 'given: 0.2 / (2 * 100.05) = 9.995 bps')
  t.ok(close(a.spreadCostQuote, 0.2, 1e-12) && close(b.spreadCostQuote, 0.2, 1e-12), 'both are half the spread * qty in quote')

  const cases: Array<[string, () => unknown]> = [
    ['askQuote', () => resolveSpreadAndMid({ bidQuote: 99.9, arrivalPriceQuote: 100 })],
    ['bidQuote', () => resolveSpreadAndMid({ askQuote: 99.9, arrivalPriceQuote: 100 })],
    ['askQuote', () => resolveSpreadAndMid({ bidQuote: 100.1, askQuote: 99.9, arrivalPriceQuote: 100 })],
    ['bidQuote', () => resolveSpreadAndMid({ bidQuote: 0, askQuote: 99.9, arrivalPriceQuote: 100 })],
    ['spreadQuote', () => resolveSpreadAndMid({ arrivalPriceQuote: 100 })],
    ['spreadQuote', () => resolveSpreadAndMid({ spreadQuote: -0.1, arrivalPriceQuote: 100 })],
    ['arrivalPriceQuote', () => resolveSpreadAndMid({ spreadQuote: 0.1, arrivalPriceQuote: NaN })]
  ]
  for (const [param, call] of cases) {
    const err = thrown(call)
    t.ok(err instanceof DomainRangeError && err.param === param, `rejects ${param}: ${String(err)}`)
  }
})

t.test('fees and rebates', async (t) => {
  const rebate = analyseTrade({ ...BUY, feeQuote: -0.0202 }, sqrtEstimator)
  t.ok(close(rebate.feeBps, -1), 'a rebate of 0.0202 on 202 is -1 bp')
  t.ok(close(rebate.totalCostBps, 99), 'total 100 - 1')
  t.ok(close(rebate.totalCostQuote, 2 - 0.0202), 'total quote 2 - 0.0202')
  const noFee = analyseTrade({ ...BUY, feeQuote: undefined }, sqrtEstimator)
  t.equal(noFee.feeBps, 0, 'no fee given: 0')
  t.ok(close(noFee.totalCostBps, 100), 'total = IS')
})

t.test('the estimator gets the trade\'s own participation, vol, relative spread and side', async (t) => {
  const calls: number[][] = []
  const spy: ImpactCostEstimator = (participation, volDaily, relSpread, sign) => { calls.push([participation, volDaily, relSpread, sign]); return 0.001 }
  analyseTrade({ ...BUY, side: 'sell', advBase: 4000, volDaily: 0.035 }, spy)
  t.equal(calls.length, 1)
  t.ok(close(calls[0][0], 2 / 4000, 1e-15) && calls[0][1] === 0.035 && close(calls[0][2], 0.2 / 100, 1e-15) && calls[0][3] === -1, `args ${calls[0].join(', ')}`)
  const nan = thrown(() => analyseTrade(BUY, () => NaN))
  t.ok(nan instanceof RangeError && !(nan instanceof DomainRangeError), 'a NaN model output is a programmer error, not a 422')
})

t.test('invalid inputs throw DomainRangeError naming the field', async (t) => {
  const bad: Array<[string, Partial<TcaTradeInput>]> = [
    ['side', { side: 'hold' as unknown as 'buy' }],
    ['qtyBase', { qtyBase: 0 }], ['qtyBase', { qtyBase: NaN }], ['qtyBase', { qtyBase: 1e300, execPriceQuote: 1e10 }],
    ['execPriceQuote', { execPriceQuote: -1 }], ['arrivalPriceQuote', { arrivalPriceQuote: 0 }],
    ['vwapQuote', { vwapQuote: 0 }], ['spreadQuote', { spreadQuote: -0.01 }], ['midQuote', { midQuote: 0 }],
    ['feeQuote', { feeQuote: Infinity }], ['advBase', { advBase: 0 }], ['volDaily', { volDaily: -0.1 }],
    ['spreadQuote', { spreadQuote: 1e300, midQuote: 1e-10 }]
  ]
  for (const [param, patch] of bad) {
    const err = thrown(() => analyseTrade({ ...BUY, ...patch }, sqrtEstimator))
    t.ok(err instanceof DomainRangeError && err.param === param && err.message.includes('analyseTrade'), `rejects ${param}: ${String(err)}`)
  }
  const indexed = thrown(() => analyseTrades([BUY, { ...BUY, qtyBase: -1 }], sqrtEstimator))
  t.ok(indexed instanceof DomainRangeError && indexed.param === '1/qtyBase', 'analyseTrades prefixes the trade index')
})

/** Independent aggregation: explicit weighted means over arrays. */
function referenceSummary (rows: TcaTradeResult[]): Record<string, number> {
  const w = rows.map((r) => r.notionalQuote)
  const wsum = w.reduce((a, b) => a + b, 0)
  const wavg = (f: (r: TcaTradeResult) => number): number => rows.reduce((acc, r, i) => acc + w[i] * f(r), 0) / wsum
  const withVwap = rows.filter((r) => r.vwapSlippageBps !== null)
  const vw = withVwap.reduce((a, r) => a + r.notionalQuote, 0)
  return {
    totalNotionalQuote: wsum,
    implementationShortfallBps: wavg((r) => r.implementationShortfallBps),
    spreadCostBps: wavg((r) => r.spreadCostBps),
    feeBps: wavg((r) => r.feeBps),
    estimatedImpactBps: wavg((r) => r.estimatedImpactBps),
    totalCostBps: wavg((r) => r.totalCostBps),
    vwapSlippageBps: withVwap.reduce((a, r) => a + r.notionalQuote * (r.vwapSlippageBps as number), 0) / vw,
    vwapSlippageQuote: withVwap.reduce((a, r) => a + (r.vwapSlippageQuote as number), 0),
    implementationShortfallQuote: rows.reduce((a, r) => a + r.implementationShortfallQuote, 0),
    feeQuote: rows.reduce((a, r) => a + r.feeQuote, 0),
    shortfallMinusImpactBps: wavg((r) => r.implementationShortfallBps - r.estimatedImpactBps),
    shortfallMinusImpactQuote: rows.reduce((a, r) => a + r.implementationShortfallQuote - r.estimatedImpactQuote, 0)
  }
}

t.test('summary: notional-weighted averages and sums (1e-9 relative against an independent computation)', async (t) => {
  const rows = analyseTrades([
    BUY,
    { ...BUY, side: 'sell', qtyBase: 10, execPriceQuote: 99.2, vwapQuote: undefined, feeQuote: 0.5 },
    { ...BUY, qtyBase: 0.5, execPriceQuote: 100.02, vwapQuote: 100.1, feeQuote: -0.01, advBase: 50 },
    { ...BUY, side: 'sell', qtyBase: 3, execPriceQuote: 100.3, vwapQuote: 100.2 }
  ], sqrtEstimator)
  const s = summariseTca(rows)
  const ref = referenceSummary(rows)
  t.equal(s.tradeCount, 4); t.equal(s.buyCount, 2); t.equal(s.sellCount, 2); t.equal(s.vwapTradeCount, 3)
  t.ok(close(s.vwapNotionalQuote, 202 + 50.01 + 300.9), 'VWAP weight excludes the trade without VWAP')
  for (const [key, expected] of Object.entries(ref)) {
    t.ok(close(s[key as keyof typeof s] as number, expected), `${key}: ${String(s[key as keyof typeof s])} vs ${expected}`)
  }
  t.ok(close(s.shortfallMinusImpactBps, (s.implementationShortfallBps as number) - (s.estimatedImpactBps as number)), 'difference of the averages')

  const empty = summariseTca([])
  t.equal(empty.tradeCount, 0)
  t.equal(empty.implementationShortfallBps, null, 'no trades: averages are null, not NaN')
  t.equal(empty.totalCostQuote, 0)
  const noVwap = summariseTca([rows[1]])
  t.equal(noVwap.vwapSlippageBps, null, 'no trade with VWAP: null')
  t.equal(noVwap.vwapSlippageQuote, 0)
})

t.test('properties (fast-check, seed 42)', async (t) => {
  const trade = fc.record({
    side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
    qtyBase: fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
    execPriceQuote: fc.double({ min: 1e-4, max: 1e6, noNaN: true }),
    arrivalPriceQuote: fc.double({ min: 1e-4, max: 1e6, noNaN: true }),
    vwapQuote: fc.option(fc.double({ min: 1e-4, max: 1e6, noNaN: true }), { nil: undefined }),
    spreadQuote: fc.double({ min: 0, max: 100, noNaN: true }),
    midQuote: fc.double({ min: 1e-4, max: 1e6, noNaN: true }),
    feeQuote: fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { nil: undefined }),
    advBase: fc.double({ min: 1e-3, max: 1e10, noNaN: true }),
    volDaily: fc.double({ min: 0, max: 0.5, noNaN: true })
  })
  fc.assert(fc.property(fc.array(trade, { minLength: 1, maxLength: 8 }), (trades) => {
    const rows = analyseTrades(trades, sqrtEstimator)
    const values = [...rows.flatMap((r) => Object.values(r)), ...Object.values(summariseTca(rows))]
    return values.every((v) => typeof v === 'string' || v === null || Number.isFinite(v))
  }), { seed: 42, numRuns: 500 })
  t.pass('every per-trade and summary number is finite on valid random inputs')

  fc.assert(fc.property(trade, fc.double({ min: -0.5, max: 0.5, noNaN: true }), (base, move) => {
    const buy = analyseTrade({ ...base, side: 'buy', execPriceQuote: base.arrivalPriceQuote * (1 + move) }, sqrtEstimator)
    const sell = analyseTrade({ ...base, side: 'sell', execPriceQuote: base.arrivalPriceQuote * (1 - move) }, sqrtEstimator)
    return Math.abs(buy.implementationShortfallBps - sell.implementationShortfallBps) <= 1e-9 * Math.max(1, Math.abs(buy.implementationShortfallBps))
  }), { seed: 42, numRuns: 500 })
  t.pass('a buy at arrival * (1 + m) and a sell at arrival * (1 - m) have the same IS bps (1e-9)')

  fc.assert(fc.property(trade, fc.double({ min: 1, max: 100, noNaN: true }), (base, factor) => {
    const small = analyseTrade(base, sqrtEstimator)
    const large = analyseTrade({ ...base, qtyBase: base.qtyBase * factor }, sqrtEstimator)
    return large.estimatedImpactBps >= small.estimatedImpactBps
  }), { seed: 42, numRuns: 500 })
  t.pass('estimated impact bps is non-decreasing in qty')
})
