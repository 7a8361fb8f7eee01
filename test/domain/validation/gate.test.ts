import t from 'tap'
import { gateCandidate, type GateBenchmarks } from '../../../src/domain/validation/gate.js'
import { linearPredictor, zeroPredictor } from '../../../src/domain/validation/candidates.js'
import { shapeGridOf } from '../../../src/domain/validation/shape.js'
import { IMPACT_FEATURE_NAMES } from '../../../src/domain/learn/impact-features.js'
import type { LinearModel } from '../../../src/domain/learn/linear-regression.js'
import { MS_PER_DAY, type Predictor, type TimedSample } from '../../../src/domain/validation/walk-forward.js'
import { createRng } from '../../../src/domain/learn/rng.js'

const DAY0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z
const DAYS = 5
const PER_DAY = 40

/**
 * Synthetic test set (seed 7): on every day the true signed return is
 * truth = 0.01 * sign(Q) * sqrt(|Q| / 1000) plus N(0, 0.0005^2) noise, Q uniform in +-[1, 100].
 */
function makeTest (seed = 7): TimedSample[] {
  const rng = createRng(seed)
  const out: TimedSample[] = []
  for (let d = 0; d < DAYS; d++) {
    for (let i = 0; i < PER_DAY; i++) {
      const qty = (1 + 99 * rng.next()) * (rng.next() < 0.5 ? -1 : 1)
      const startMs = DAY0_MS + d * MS_PER_DAY + i * 1_800_000
      out.push({ startMs, endMs: startMs + 300_000, signedQtyBase: qty, advBase: 1000, volDaily: 0.02, relSpread: 0.0001, signedReturn: truth(qty) + 0.0005 * rng.normal() })
    }
  }
  return out
}

function truth (qty: number): number {
  return 0.01 * Math.sign(qty) * Math.sqrt(Math.abs(qty) / 1000)
}

const test = makeTest()
const perfect: Predictor = (s) => truth(s.signedQtyBase)
const scaled = (factor: number): Predictor => (s) => factor * truth(s.signedQtyBase)
const benchmarks: GateBenchmarks = { zero: zeroPredictor, refit05: scaled(0.5) }

t.test('accepts a clearly better candidate and says why', async (t) => {
  const v = gateCandidate({ candidate: { name: 'good', predictor: perfect, params: { impactCoef: 0.6, impactExponent: 0.5 } }, benchmarks, test })
  t.equal(v.publish, true, v.reasons.join('; '))
  t.equal(v.candidate, 'good')
  t.equal(v.samples, DAYS * PER_DAY)
  t.equal(v.metrics.days, DAYS)
  t.equal(v.metrics.winsVsZero, DAYS)
  t.equal(v.metrics.winsVsRefit05, DAYS)
  t.equal(v.metrics.publishedMse, undefined, 'no published model, no published metrics')
  // the perfect predictor's MSE is the noise variance 0.0005^2 = 2.5e-7 up to sampling error (200 draws: +-20 % is > 4 s.e.)
  t.ok(Math.abs(v.metrics.candidateMse / 2.5e-7 - 1) < 0.2, `candidate MSE ${v.metrics.candidateMse} ~ 2.5e-7`)
  t.ok(Math.abs(v.metrics.outOfSampleR2 - (1 - v.metrics.candidateMse / v.metrics.zeroMse)) <= 1e-15, 'R^2 = 1 - mse / zeroMse')
  t.same(v.testWindow, { fromMs: DAY0_MS, toMs: DAY0_MS + 4 * MS_PER_DAY + 39 * 1_800_000 + 300_000 })
  t.match(v.reasons.join('; '), /beats zero.*5 of 5 days.*beats the delta = 0.5 refit on 5 of 5 days.*no published model/)
})

t.test('rejects non-finite parameters and predictions', async (t) => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const v = gateCandidate({ candidate: { name: 'nan', predictor: perfect, params: { impactCoef: bad, impactExponent: 0.5 } }, benchmarks, test })
    t.equal(v.publish, false)
    t.match(v.reasons, [/parameter impactCoef = .* is not finite/])
  }
  const nanAt = (k: number): Predictor => (s) => s === test[k] ? NaN : perfect(s)
  const v = gateCandidate({ candidate: { name: 'nanPrediction', predictor: nanAt(17) }, benchmarks, test })
  t.equal(v.publish, false)
  t.match(v.reasons, [/gave 1 non-finite of 200 predictions/])
  t.ok(Number.isNaN(v.metrics.candidateMse), 'no score for unscorable predictions')
  const throwing: Predictor = () => { throw new RangeError('impactExponent must be in (0, 2]') }
  t.match(gateCandidate({ candidate: { name: 'throws', predictor: throwing }, benchmarks, test }).reasons, [/threw impactExponent must be in/])
  const badBenchmark = gateCandidate({ candidate: { name: 'good', predictor: perfect }, benchmarks: { ...benchmarks, published: () => Infinity }, test })
  t.equal(badBenchmark.publish, false)
  t.match(badBenchmark.reasons, [/benchmark published gave 200 non-finite/])
})

t.test('rejects delta outside the sane range (inclusive [0.2, 1.0] by default)', async (t) => {
  for (const delta of [0.1, 0.19, 1.01, 1.5]) {
    const v = gateCandidate({ candidate: { name: 'delta', predictor: perfect, params: { impactExponent: delta } }, benchmarks, test })
    t.equal(v.publish, false, `delta ${delta}`)
    t.match(v.reasons[0], /impactExponent \(delta\) .* is outside the sane range \[0.2, 1\]/)
  }
  for (const delta of [0.2, 1.0]) {
    t.equal(gateCandidate({ candidate: { name: 'delta', predictor: perfect, params: { impactExponent: delta } }, benchmarks, test }).publish, true, `delta ${delta} is inside`)
  }
  const custom = gateCandidate({ candidate: { name: 'delta', predictor: perfect, params: { impactExponent: 0.9 } }, benchmarks, test, sanity: { impactExponentRange: [0.3, 0.7] } })
  t.equal(custom.publish, false, 'custom range applies')
  t.throws(() => gateCandidate({ candidate: { name: 'x', predictor: perfect }, benchmarks, test, sanity: { impactExponentRange: [1, 0.5] } }), { name: 'DomainRangeError', param: 'sanity.impactExponentRange' })
  t.throws(() => gateCandidate({ candidate: { name: 'x', predictor: perfect }, benchmarks, test, bucketMs: -1 }), { name: 'DomainRangeError', param: 'bucketMs' })
})

t.test('rejects a candidate that loses to zero', async (t) => {
  const v = gateCandidate({ candidate: { name: 'wrongSign', predictor: scaled(-1) }, benchmarks, test })
  t.equal(v.publish, false)
  t.ok(v.metrics.outOfSampleR2 < 0, `R^2 ${v.metrics.outOfSampleR2} < 0`)
  t.match(v.reasons, [/does not beat zero overall/, /refit on only 0 of 5 days/])
})

t.test('rejects a candidate that wins overall but loses on most days', async (t) => {
  // Day 0 returns are 100x larger: the candidate predicts them exactly, so it wins overall;
  // on days 1-4 it is off by 0.01 while |return| <= ~0.004, so zero is better there.
  const loud = test.map((s) => s.startMs < DAY0_MS + MS_PER_DAY ? { ...s, signedReturn: 100 * s.signedReturn } : s)
  const predictor: Predictor = (s) => s.startMs < DAY0_MS + MS_PER_DAY ? s.signedReturn : s.signedReturn + 0.01
  const v = gateCandidate({ candidate: { name: 'oneDayWonder', predictor }, benchmarks: { zero: zeroPredictor, refit05: zeroPredictor }, test: loud })
  t.ok(v.metrics.candidateMse < v.metrics.zeroMse, 'wins overall')
  t.equal(v.metrics.winsVsZero, 1)
  t.equal(v.publish, false)
  t.match(v.reasons[0], /beats zero overall .* but only on 1 of 5 days/)
})

t.test('rejects a candidate that loses to the delta = 0.5 refit; the refit passes that rule vacuously', async (t) => {
  // half the true impact beats zero but loses to the refit benchmark that has it right
  const v = gateCandidate({ candidate: { name: 'half', predictor: scaled(0.5) }, benchmarks: { zero: zeroPredictor, refit05: perfect }, test })
  t.equal(v.publish, false)
  t.equal(v.metrics.winsVsZero, DAYS)
  t.equal(v.metrics.winsVsRefit05, 0)
  t.same(v.reasons.length, 1)
  t.match(v.reasons[0], /beats the delta = 0.5 refit on only 0 of 5 days/)
  const refit = gateCandidate({ candidate: { name: 'refit05', predictor: perfect, isRefit05: true, params: { impactCoef: 0.5, impactExponent: 0.5 } }, benchmarks: { zero: zeroPredictor, refit05: perfect }, test })
  t.equal(refit.publish, true, refit.reasons.join('; '))
  t.equal(refit.metrics.winsVsRefit05, 0, 'it ties itself every day')
  t.match(refit.reasons, [/parameters finite, delta 0.5/, /beats zero/, /refit rule vacuous/, /incumbent rule vacuous/])
})

t.test('rejects a candidate that loses to the published model', async (t) => {
  const v = gateCandidate({ candidate: { name: 'near', predictor: scaled(0.8) }, benchmarks: { ...benchmarks, published: perfect }, test })
  t.equal(v.publish, false)
  t.equal(v.metrics.winsVsRefit05, DAYS, 'beats the refit')
  t.equal(v.metrics.winsVsPublished, 0)
  t.ok((v.metrics.publishedMse ?? 0) > 0)
  t.match(v.reasons, [/beats the published model on only 0 of 5 days/])
  const better = gateCandidate({ candidate: { name: 'perfect', predictor: perfect }, benchmarks: { ...benchmarks, published: scaled(0.8) }, test })
  t.equal(better.publish, true)
  t.match(better.reasons, [/^parameters finite$/, /beats zero/, /refit on 5 of 5/, /published model on 5 of 5 days/])
})

t.test('a strict majority: 2 wins of 4 days is not enough, 3 is', async (t) => {
  const fourDays = test.filter((s) => s.startMs < DAY0_MS + 4 * MS_PER_DAY)
  const goodOn = (days: number): Predictor => (s) => s.startMs < DAY0_MS + days * MS_PER_DAY ? perfect(s) : scaled(0.2)(s)
  const two = gateCandidate({ candidate: { name: 'two', predictor: goodOn(2) }, benchmarks: { zero: zeroPredictor, refit05: scaled(0.5) }, test: fourDays })
  t.equal(two.metrics.winsVsRefit05, 2)
  t.equal(two.publish, false, 'a tie of days is not a majority')
  const three = gateCandidate({ candidate: { name: 'three', predictor: goodOn(3) }, benchmarks: { zero: zeroPredictor, refit05: scaled(0.5) }, test: fourDays })
  t.equal(three.metrics.winsVsRefit05, 3)
  t.equal(three.publish, true, three.reasons.join('; '))
})

t.test('daily metrics by hand on a two-day set', async (t) => {
  // day 0: returns 0.01, -0.01; day 1: return 0.02. Candidate predicts 0.01 for every sample.
  // candidate daily MSE: day 0 (0 + 0.02^2)/2 = 2e-4, day 1 0.01^2 = 1e-4; overall (0 + 4e-4 + 1e-4)/3 = 1.6667e-4
  // zero daily MSE: day 0 1e-4, day 1 4e-4; overall 6e-4/3 = 2e-4 -> wins vs zero: day 1 only (1 of 2)
  const mk = (startMs: number, signedReturn: number): TimedSample => ({ startMs, endMs: startMs + 1, signedQtyBase: 1, advBase: 1, volDaily: 1, relSpread: 0, signedReturn })
  const two = [mk(DAY0_MS, 0.01), mk(DAY0_MS + 1000, -0.01), mk(DAY0_MS + MS_PER_DAY, 0.02)]
  const v = gateCandidate({ candidate: { name: 'flat', predictor: () => 0.01 }, benchmarks: { zero: zeroPredictor, refit05: zeroPredictor }, test: two })
  t.ok(Math.abs(v.metrics.candidateMse - 5e-4 / 3) <= 1e-18, `candidate MSE ${v.metrics.candidateMse} (hand, abs tol 1e-18)`)
  t.ok(Math.abs(v.metrics.zeroMse - 2e-4) <= 1e-18, `zero MSE ${v.metrics.zeroMse}`)
  t.equal(v.metrics.days, 2)
  t.equal(v.metrics.winsVsZero, 1)
  t.equal(v.publish, false, '1 of 2 days is not a strict majority')
  t.match(gateCandidate({ candidate: { name: 'x', predictor: perfect }, benchmarks, test: [] }).reasons, [/no test samples/])
})

t.test('issue 14: the shape rule refuses a non-monotone or asymmetric candidate, with the reason', async (t) => {
  const grid = shapeGridOf(test)
  if (grid === undefined) throw new Error('no grid')
  // grid from the test set itself: participation |Q| / 1000 with |Q| in [1, 100], volDaily 0.02, relSpread 0.0001
  t.ok(grid.participationRange[0] >= 0.001 && grid.participationRange[1] <= 0.1, `participation range ${grid.participationRange.join(', ')}`)
  t.same(grid.volDaily, [0.02])
  t.same(grid.relSpread, [0.0001])
  t.equal(grid.points, 50)
  const linear = (coefficients: number[]): LinearModel => ({
    kind: 'linear', featureNames: [...IMPACT_FEATURE_NAMES], standardiser: { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }, coefficients, intercept: 0, trainingRows: 100
  })
  // cost = 0.5 * volDaily * sqrt(p) = 0.01 sqrt(p): the truth of makeTest (hand), monotone and symmetric
  const good = gateCandidate({ candidate: { name: 'linear', predictor: linearPredictor(linear([0, 0.5, 0, 0])) }, benchmarks, test, shape: grid })
  t.equal(good.publish, true, good.reasons.join('; '))
  t.match(good.reasons, [/^parameters finite$/, /^symmetric and monotone non-decreasing in size on a 50-point log grid/])
  // cost = -1 * p + 0.01 sqrt(p): d cost / dp = 0.005 / sqrt(p) - 1 < 0 for p > 2.5e-5 (hand), so it falls over the whole grid
  const falling = gateCandidate({ candidate: { name: 'linear', predictor: linearPredictor(linear([-1, 0.5, 0, 0])) }, benchmarks, test, shape: grid })
  t.equal(falling.publish, false)
  t.match(falling.reasons, [/^candidate linear is not monotone non-decreasing in size: cost falls from .* bps at participation .* to .* bps at .*, volDaily 0\.02000, relSpread 0\.0001000 on a 50-point log grid of participation/])
  t.notOk(falling.reasons.some((r) => /not symmetric/.test(r)), 'a linear model on the side-free features is symmetric')
  // a drift the side feature used to learn: dP/P = truth + 1e-4, so a buy costs 2 bps more than a sell (hand)
  const drift = gateCandidate({ candidate: { name: 'drift', predictor: (s) => truth(s.signedQtyBase) + 1e-4 }, benchmarks, test, shape: grid })
  t.equal(drift.publish, false)
  t.match(drift.reasons, [/^candidate drift is not symmetric: buy .* bps vs sell .* bps at participation/])
  const unchecked = gateCandidate({ candidate: { name: 'drift', predictor: (s) => truth(s.signedQtyBase) + 1e-4 }, benchmarks, test })
  t.notOk(unchecked.reasons.some((r) => /symmetric/.test(r)), 'no grid, no shape rule')
})
