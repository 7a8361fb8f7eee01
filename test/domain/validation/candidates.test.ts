import t from 'tap'
import { fitCandidates, isFailedFit, isUsableSample, sqrtPredictor, predictorFor, predictorFromCost, sampleFeatures, sampleTarget, zeroPredictor } from '../../../src/domain/validation/candidates.js'
import { evaluateCandidates } from '../../../src/domain/validation/evaluate.js'
import { MS_PER_DAY, type TimedSample } from '../../../src/domain/validation/walk-forward.js'
import { IMPACT_FEATURE_NAMES } from '../../../src/domain/learn/impact-features.js'
import { createRng } from '../../../src/domain/learn/rng.js'

const DAY0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z
const ETA = 0.8
const DELTA = 0.6

/**
 * Samples from a known law (seed given): participation p log-uniform in [1e-5, 1e-2], sign random,
 * dP/P = sign(Q) * ETA * sigma * p^DELTA * exp(0.1 z) (multiplicative noise, so every sample is usable
 * by the log-linear fit), one sample every 20 minutes over `days` days.
 */
function lawSamples (days: number, seed: number): TimedSample[] {
  const rng = createRng(seed)
  const out: TimedSample[] = []
  for (let k = 0; k < days * 72; k++) {
    const p = Math.pow(10, -5 + 3 * rng.next())
    const sign = rng.next() < 0.5 ? -1 : 1
    const volDaily = 0.02 + 0.02 * rng.next()
    const startMs = DAY0_MS + k * 1_200_000
    out.push({ startMs, endMs: startMs + 300_000, signedQtyBase: sign * p * 5000, advBase: 5000, volDaily, relSpread: 0.0002, signedReturn: sign * ETA * volDaily * Math.pow(p, DELTA) * Math.exp(0.1 * rng.normal()) })
  }
  return out
}

const MLP = { maxEpochs: 15, patience: 5, hidden1: 8, hidden2: 4 }

t.test('fitCandidates recovers a known law and builds predictors', async (t) => {
  const train = lawSamples(6, 11)
  const fits = fitCandidates([...train, { ...train[0], signedQtyBase: 0 }, { ...train[1], advBase: 0 }], { seed: 3, mlp: MLP, mlpMaxTrainRows: 200 })
  t.equal(fits.trainSamples, train.length, 'unusable samples (Q = 0, ADV = 0) left out')
  if (isFailedFit(fits.logLinear) || isFailedFit(fits.refit05) || isFailedFit(fits.linear) || isFailedFit(fits.mlp)) throw new Error('a fit failed')
  // 432 samples, log noise sd 0.1 over ln p spanning 6.9: s.e. of delta ~ 0.1 / (2 * sqrt(432)) ~ 0.0024; +-0.02 is > 8 s.e.
  t.ok(Math.abs(fits.logLinear.calibration.impactExponent - DELTA) < 0.02, `delta ${fits.logLinear.calibration.impactExponent} ~ 0.6`)
  t.ok(Math.abs(fits.logLinear.calibration.impactCoef / ETA - 1) < 0.1, `eta ${fits.logLinear.calibration.impactCoef} ~ 0.8 (10 %)`)
  t.same(Object.keys(fits.logLinear.params ?? {}), ['impactCoef', 'impactExponent', 'smearingFactor'])
  t.equal(fits.refit05.params?.impactExponent, 0.5)
  t.equal(fits.refit05.isRefit05, true)
  t.equal(fits.mlp.trainRows, 200, 'MLP subsampled to mlpMaxTrainRows')
  t.same(fits.linear.model.featureNames, [...IMPACT_FEATURE_NAMES])
  t.ok(Object.values(fits.linear.params ?? {}).every(Number.isFinite), 'linear params finite')
  t.ok(Number.isFinite(fits.mlp.params?.maxAbsWeight), 'mlp maxAbsWeight finite')
  const s = train[5]
  const p = Math.abs(s.signedQtyBase) / s.advBase
  const expected = Math.sign(s.signedQtyBase) * fits.logLinear.sqrtParams.impactCoef * s.volDaily * Math.pow(p, fits.logLinear.sqrtParams.impactExponent) * fits.logLinear.sqrtParams.smearingFactor
  t.ok(Math.abs(fits.logLinear.predictor(s) - expected) <= 1e-15 * Math.abs(expected), 'sqrt predictor = sign(Q) eta sigma p^delta smearing (rel tol 1e-15)')
  const again = fitCandidates([...train, { ...train[0], signedQtyBase: 0 }, { ...train[1], advBase: 0 }], { seed: 3, mlp: MLP, mlpMaxTrainRows: 200 })
  if (isFailedFit(again.mlp)) throw new Error('mlp failed')
  t.same(Array.from(again.mlp.model.weights), Array.from(fits.mlp.model.weights), 'same seed, same MLP')
})

t.test('predictor helpers', async (t) => {
  const s: TimedSample = { startMs: 0, endMs: 1, signedQtyBase: -40, advBase: 1000, volDaily: 0.02, relSpread: 0.001, signedReturn: -0.001 }
  // -1 * 0.5 * 0.02 * sqrt(0.04) = -0.002 (hand)
  t.ok(Math.abs(sqrtPredictor({ impactCoef: 0.5, impactExponent: 0.5 })(s) + 0.002) < 1e-17)
  t.ok(Math.abs(predictorFor({ kind: 'sqrt', impactCoef: 0.5, impactExponent: 0.5 })(s) + 0.002) < 1e-17)
  t.equal(predictorFromCost((input) => input.participation)(s), -0.04, 'cost model: sign(Q) * cost')
  t.equal(predictorFromCost(() => 1)({ ...s, signedQtyBase: 0 }), 0, 'Q = 0 predicts no move')
  t.equal(zeroPredictor(s), 0)
  t.same(sampleFeatures(s), [0.04, 0.02 * 0.2, 0.001, 0.02], 'no side column (issue 14)')
  t.equal(sampleTarget(s), 0.001, 'target = sign(Q) dP/P: a sell that pushed the price down is a cost')
  t.equal(isUsableSample(s), true)
  t.equal(isUsableSample({ ...s, relSpread: -1 }), false)
  t.equal(isUsableSample({ ...s, signedReturn: NaN }), false)
})

t.test('a fit that fails is reported, the others still fit', async (t) => {
  const few = lawSamples(1, 5).slice(0, 2)
  const fits = fitCandidates(few, { seed: 1, mlp: MLP })
  t.ok(isFailedFit(fits.logLinear), 'log-linear needs 3 samples')
  t.match(isFailedFit(fits.logLinear) ? fits.logLinear.error : '', /at least 3 usable samples/)
  t.notOk(isFailedFit(fits.refit05), 'the refit needs only 2')
  t.ok(isFailedFit(fits.linear), 'linear needs features + 1 rows')
})

t.test('evaluateCandidates: split, fit, gate; the true law is published', async (t) => {
  const samples = lawSamples(10, 21)
  const result = evaluateCandidates(samples, { seed: 2, gapMs: MS_PER_DAY, mlp: MLP })
  // span 10 days; test = last 3 days; train ends 1 day before -> 6 days x 72
  t.equal(result.split.testSamples, 3 * 72)
  t.equal(result.split.trainSamples, 6 * 72)
  t.equal(result.verdicts.logLinear.publish, true, result.verdicts.logLinear.reasons.join('; '))
  t.equal(result.verdicts.logLinear.metrics.days, 3)
  t.equal(result.verdicts.refit05.publish, true, 'the refit beats zero; refit rule vacuous')
  t.equal(result.chosen, 'logLinear', 'the right exponent (0.6) beats the refit (0.5) out of sample')
  // issue 14: every candidate is checked for symmetry and monotonicity on the training grid
  t.ok(result.verdicts.logLinear.reasons.some((r) => r.startsWith('symmetric and monotone non-decreasing in size on a 50-point log grid')), result.verdicts.logLinear.reasons.join('; '))
  const none = evaluateCandidates(samples.slice(0, 2), { seed: 2, gapMs: 0, testFraction: 0.5, mlp: MLP })
  t.match(none.verdicts.logLinear.reasons, [/fit failed/])
  t.equal(none.chosen, undefined)
  const incumbent = evaluateCandidates(samples, { seed: 2, gapMs: MS_PER_DAY, mlp: MLP, publishedFor: () => sqrtPredictor({ impactCoef: ETA, impactExponent: DELTA, smearingFactor: Math.exp(0.005) }) })
  t.equal(incumbent.verdicts.refit05.publish, false, 'the refit cannot beat the true law when it is published')
  t.equal(incumbent.verdicts.linear.publish, false)
})
