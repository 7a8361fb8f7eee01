import t, { type Test } from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { CALIBRATION_THRESHOLDS, calibrationReport, type CalibrationReport, type ScoredFill } from '../../../src/domain/tca/calibration-report.js'
import { analyseTrade } from '../../../src/domain/tca/tca.js'
import { createRng } from '../../../src/domain/learn/rng.js'
import type { Side } from '../../../src/domain/units.js'

/**
 * Synthetic fills from a known model, seeded. Each trade: participation |Q|/ADV log-uniform in
 * [1e-5, 0.05], volDaily in [0.02, 0.06], a horizon of 15 min to 4 h, half spread 0.5-3 bps, fee
 * 2 bps (of the arrival notional). Predicted: impact = 1.76 volDaily sqrt(participation) (the square-root law), mean cost =
 * impact + half spread + fee, std = volDaily sqrt(T/3) (TWAP timing risk). Realised: the true
 * cost impactScale * impact + half spread + fee plus noiseScale * std * N(0, 1), turned into an
 * execution price of the given side and back into a cost-positive shortfall by analyseTrade
 * (tca.ts), so the sign convention of the TCA is the one exercised.
 */
function syntheticFills (seed: number, n: number, opts: { impactScale?: number, noiseScale?: number, side?: Side | 'mixed' } = {}): ScoredFill[] {
  const { impactScale = 1, noiseScale = 1, side = 'mixed' } = opts
  const rng = createRng(seed)
  const fills: ScoredFill[] = []
  for (let i = 0; i < n; i++) {
    const participation = 10 ** (-5 + rng.next() * Math.log10(5000))
    const volDaily = 0.02 + 0.04 * rng.next()
    const horizonDays = (15 + rng.next() * 225) / 1440
    const halfSpreadBps = 0.5 + 2.5 * rng.next()
    const feeBps = 2
    const impactBps = 1e4 * 1.76 * volDaily * Math.sqrt(participation)
    const predictedCostBps = impactBps + halfSpreadBps
    const predictedStdBps = 1e4 * volDaily * Math.sqrt(horizonDays / 3)
    const noise = rng.normal()
    const tradeSide: Side = side === 'mixed' ? (rng.next() < 0.5 ? 'buy' : 'sell') : side
    // realised price cost (impact + half spread + timing noise), excluding the fee
    const priceCostBps = impactScale * impactBps + halfSpreadBps + noiseScale * predictedStdBps * noise
    const arrival = 100
    const sign = tradeSide === 'buy' ? 1 : -1
    const qtyBase = 1 + 99 * rng.next()
    const tca = analyseTrade({
      side: tradeSide,
      qtyBase,
      execPriceQuote: arrival * (1 + sign * priceCostBps / 1e4),
      arrivalPriceQuote: arrival,
      spreadQuote: 2 * halfSpreadBps / 1e4 * arrival,
      midQuote: arrival,
      advBase: qtyBase / participation,
      volDaily
    }, () => 0)
    // the fee as bps of the arrival notional (tca.ts's feeBps divides by the executed notional)
    const isBps = tca.implementationShortfallBps + feeBps
    const predicted = predictedCostBps + feeBps
    fills.push({ participation, notionalQuote: tca.notionalQuote, implementationShortfallBps: isBps, predictedCostBps: predicted, predictedStdBps, zScore: (isBps - predicted) / predictedStdBps })
  }
  return fills
}

function noNaN (t: Test, report: CalibrationReport): void {
  const text = JSON.stringify(report)
  t.notMatch(text, /NaN|Infinity/, 'JSON-safe: no NaN or Infinity')
  t.same(JSON.parse(text), report, 'survives a JSON round trip')
}

const N = 2000

t.test('fills drawn from the predicted distribution: calibrated', async (t) => {
  const r = calibrationReport(syntheticFills(1, N))
  const o = r.overall
  t.equal(o.n, N)
  t.ok(Math.abs(o.meanZ as number) < 3 / Math.sqrt(N), `mean z ${o.meanZ} within 3/sqrt(n) of 0`)
  t.ok(Math.abs((o.stdZ as number) - 1) < 0.1, `std z ${o.stdZ} within 10 % of 1`)
  t.ok(Math.abs((o.bandCoverage as number) - 0.9) < 3 * Math.sqrt(0.09 / N), `coverage ${o.bandCoverage} within 3 binomial SEs of 0.90`)
  t.equal(o.verdict, 'calibrated')
  t.ok(Math.abs(o.meanZStdErr as number - (o.stdZ as number) / Math.sqrt(N)) < 1e-15, 'meanZStdErr = stdZ / sqrt(n)')
  t.same(r.byParticipationDecile.map((d) => d.n), new Array(10).fill(N / 10), 'equal-count deciles')
  t.equal(r.byParticipationDecile.reduce((a, d) => a + d.n, 0), N, 'decile counts sum to n')
  t.same(r.byParticipationDecile.map((d) => d.decile), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  for (let d = 1; d < 10; d++) t.ok((r.byParticipationDecile[d].participationMin as number) >= (r.byParticipationDecile[d - 1].participationMax as number), `decile ${d + 1} starts where ${d} ends`)
  t.same(r.byParticipationDecile.filter((d) => d.verdict !== 'calibrated').map((d) => d.decile), [], 'every decile (200 fills) calibrated')
  const h = r.zHistogram
  t.equal(h.binEdges.length, 17, '-4 .. 4 step 0.5: 17 edges')
  t.equal(h.counts.length, 16)
  t.equal(h.counts.reduce((a, b) => a + b, 0), N, 'histogram counts sum to n')
  t.ok(Math.abs(h.normalCounts.reduce((a, b) => a + b, 0) - N) < 1e-9, 'normal counts sum to n (open end bins)')
  // each bin within 4 Poisson SDs of the normal's count (seeded)
  t.ok(h.counts.every((c, i) => Math.abs(c - h.normalCounts[i]) <= 4 * Math.sqrt(h.normalCounts[i]) + 1), `counts ${h.counts} vs normal ${h.normalCounts.map((c) => c.toFixed(1))}`)
  t.same(r.thresholds, CALIBRATION_THRESHOLDS)
  noNaN(t, r)
})

t.test('twice the impact: biased (realised costs above prediction)', async (t) => {
  const r = calibrationReport(syntheticFills(2, N, { impactScale: 2 }))
  t.equal(r.overall.verdict, 'biased', `mean z ${r.overall.meanZ} ± ${r.overall.meanZStdErr}`)
  t.ok((r.overall.meanZ as number) > 0 && (r.overall.biasBps as number) > 0, 'costs above prediction: positive mean z and bias')
  // the impact grows with participation: the top decile is the most biased
  const top = r.byParticipationDecile[9]; const bottom = r.byParticipationDecile[0]
  t.ok((top.meanZ as number) > (bottom.meanZ as number), `top decile mean z ${top.meanZ} > bottom ${bottom.meanZ}`)
  t.equal(top.verdict, 'biased')
})

t.test('three times the noise: overconfident', async (t) => {
  const r = calibrationReport(syntheticFills(3, N, { noiseScale: 3 }))
  t.equal(r.overall.verdict, 'overconfident', `std z ${r.overall.stdZ}, coverage ${r.overall.bandCoverage}`)
  t.ok(Math.abs((r.overall.stdZ as number) - 3) < 0.3, 'std z about 3')
  t.ok((r.overall.bandCoverage as number) < 0.5, 'the band covers about 2 Phi(1.645 / 3) - 1 = 42 %')
})

t.test('half the noise: underconfident', async (t) => {
  const r = calibrationReport(syntheticFills(4, N, { noiseScale: 0.5 }))
  t.equal(r.overall.verdict, 'underconfident', `std z ${r.overall.stdZ}, coverage ${r.overall.bandCoverage}`)
  t.ok((r.overall.bandCoverage as number) > 0.99, 'the band covers about 2 Phi(3.29) - 1 = 99.9 %')
})

t.test('buys and sells: the same costs give the same report (IS is cost-positive for both)', async (t) => {
  const buys = syntheticFills(5, 500, { side: 'buy' })
  const sells = syntheticFills(5, 500, { side: 'sell' })
  // same seed and draws, only the side differs: the execution price moved the other way,
  // and analyseTrade's IS = (exec - arrival) * sign / arrival is the same cost
  const worst = Math.max(...buys.map((b, i) => Math.abs(b.implementationShortfallBps - sells[i].implementationShortfallBps)))
  t.ok(worst < 1e-8, `buy and sell IS agree to ${worst} bps (rounding of the prices)`)
  t.ok(buys.every((b, i) => b.zScore === sells[i].zScore || Math.abs(b.zScore - sells[i].zScore) < 1e-9), 'and so do the z scores')
  const rb = calibrationReport(buys); const rs = calibrationReport(sells)
  t.equal(rb.overall.verdict, 'calibrated'); t.equal(rs.overall.verdict, 'calibrated')
  t.ok(Math.abs((rb.overall.meanZ as number) - (rs.overall.meanZ as number)) < 1e-9, 'same mean z')
  t.ok(Math.abs((rb.overall.stdZ as number) - (rs.overall.stdZ as number)) < 1e-9, 'same std z')
  t.same(rb.zHistogram.counts, rs.zHistogram.counts, 'same histogram')
  // a sell scored with the buy's sign (exec - arrival) / arrival would flip its cost: the report would catch it
  const wrongSign = sells.map((f) => { const is = -f.implementationShortfallBps; return { ...f, implementationShortfallBps: is, zScore: (is - f.predictedCostBps) / f.predictedStdBps } })
  t.equal(calibrationReport(wrongSign).overall.verdict, 'biased', 'sign error: biased')
})

t.test('few fills: insufficient-data, statistics still reported where defined', async (t) => {
  const empty = calibrationReport([])
  t.same(empty.overall, { n: 0, meanZ: null, meanZStdErr: null, stdZ: null, bandCoverage: null, biasBps: null, verdict: 'insufficient-data', limits: null })
  t.same(empty.zHistogram.counts, new Array(16).fill(0))
  t.same(empty.byParticipationDecile.map((d) => [d.n, d.participationMin, d.participationMax]), new Array(10).fill([0, null, null]))
  noNaN(t, empty)
  const one = calibrationReport(syntheticFills(6, 1))
  t.equal(one.overall.n, 1)
  t.ok(Number.isFinite(one.overall.meanZ) && one.overall.stdZ === null && one.overall.meanZStdErr === null, 'n = 1: mean, no std')
  t.equal(one.overall.verdict, 'insufficient-data')
  noNaN(t, one)
  const few = calibrationReport(syntheticFills(7, 15))
  t.equal(few.overall.verdict, 'insufficient-data', 'n = 15 < 20')
  t.ok(few.overall.stdZ !== null && few.overall.limits !== null, 'n = 15: std and limits reported')
  t.same(few.byParticipationDecile.map((d) => d.n), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 'floor(d n / 10) boundaries')
  t.equal(calibrationReport(syntheticFills(7, 15), { minFills: 10 }).thresholds.minFills, 10, 'minFills option')
  noNaN(t, few)
})

t.test('verdict limits widen with sampling noise for small n', async (t) => {
  const small = calibrationReport(syntheticFills(8, 20)).overall.limits
  const large = calibrationReport(syntheticFills(8, N)).overall.limits
  t.ok(small !== null && large !== null)
  if (small === null || large === null) return
  // n = 20: 1 + 3 / sqrt(38) = 1.487, 0.90 - 3 sqrt(0.09 / 20) = 0.699; n = 2000: the fixed 1.25 and 0.80
  t.ok(Math.abs(small.stdZHigh - (1 + 3 / Math.sqrt(38))) < 1e-12 && Math.abs(small.coverageLow - (0.9 - 3 * Math.sqrt(0.09 / 20))) < 1e-12, `n = 20: ${JSON.stringify(small)}`)
  t.same([large.stdZHigh, large.stdZLow, large.coverageLow, large.coverageHigh], [1.25, 0.75, 0.8, 0.97], `n = 2000: ${JSON.stringify(large)}`)
  t.ok(large.meanZAbsMax >= 0.1)
})

t.test('histogram: edges, open end bins and beyond-edge counts', async (t) => {
  const fill = (z: number): ScoredFill => ({ participation: 0.01, notionalQuote: 1, implementationShortfallBps: z, predictedCostBps: 0, predictedStdBps: 1, zScore: z })
  const r = calibrationReport([-10, -1, -0.5, 0, 0.999, 1, 2, 7].map(fill), { histogram: { fromZ: -2, toZ: 2, stepZ: 1 } })
  t.same(r.zHistogram.binEdges, [-2, -1, 0, 1, 2])
  // bins [-inf, -1), [-1, 0), [0, 1), [1, inf): an edge belongs to the bin above it
  t.same(r.zHistogram.counts, [1, 2, 2, 3])
  t.same([r.zHistogram.beyondEdges.below, r.zHistogram.beyondEdges.above], [1, 1])
  // normal counts: 8 (Phi(-1), Phi(0) - Phi(-1), ...), values of mpmath ncdf; 1e-12
  const phi1 = 0.15865525393145705
  const expected = [8 * phi1, 8 * (0.5 - phi1), 8 * (0.5 - phi1), 8 * phi1]
  t.ok(r.zHistogram.normalCounts.every((c, i) => Math.abs(c - expected[i]) < 1e-12), `${r.zHistogram.normalCounts}`)
  t.ok(Math.abs(r.zHistogram.beyondEdges.normalBelow - 8 * 0.022750131948179209) < 1e-12)
  // biasBps is notional-weighted: weights 1, 3 on misses 2 and -2 give -1
  const w = calibrationReport([{ ...fill(2), notionalQuote: 1 }, { ...fill(-2), notionalQuote: 3 }])
  t.ok(Math.abs((w.overall.biasBps as number) + 1) < 1e-15, `biasBps ${w.overall.biasBps}`)
  t.equal(w.overall.bandCoverage, 0, '|z| = 2 > 1.645 twice')
})

t.test('bad input names the field', async (t) => {
  const ok = syntheticFills(9, 3)
  const bad = (field: keyof ScoredFill, value: number, param: string): void => {
    const fills = ok.map((f) => ({ ...f }))
    fills[1][field] = value
    let err: unknown
    try { calibrationReport(fills) } catch (e) { err = e }
    t.ok(err instanceof DomainRangeError && err.param === param, `${field} = ${value} names ${param}`)
  }
  bad('participation', -1, 'fills[1].participation')
  bad('notionalQuote', 0, 'fills[1].notionalQuote')
  bad('implementationShortfallBps', NaN, 'fills[1].implementationShortfallBps')
  bad('predictedCostBps', Infinity, 'fills[1].predictedCostBps')
  bad('predictedStdBps', 0, 'fills[1].predictedStdBps')
  bad('zScore', NaN, 'fills[1].zScore')
  const thrownParam = (call: () => unknown): string | undefined => { try { call() } catch (e) { return (e as DomainRangeError).param } return undefined }
  t.equal(thrownParam(() => calibrationReport(null as unknown as ScoredFill[])), 'fills')
  t.equal(thrownParam(() => calibrationReport(ok, { minFills: 1 })), 'options.minFills')
  t.equal(thrownParam(() => calibrationReport(ok, { histogram: { fromZ: -4, toZ: 4, stepZ: 0.3 } })), 'options.histogram.stepZ')
  t.equal(thrownParam(() => calibrationReport(ok, { histogram: { fromZ: 4, toZ: -4, stepZ: 0.5 } })), 'options.histogram.toZ')
})
