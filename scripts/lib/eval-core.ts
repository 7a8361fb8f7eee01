/**
 * One row of `npm run eval`: the recalibration job's own evaluation (evaluateCandidates: the
 * walk-forward split, fitCandidates and gateCandidate of src/domain/validation) run on one
 * set of real samples, reduced to the figures the table prints.
 */
import { CANDIDATE_NAMES, isFailedFit, isUsableSample, zeroPredictor, type CandidateName } from '../../src/domain/validation/candidates.js'
import { evaluateCandidates, type WalkForwardEvaluation } from '../../src/domain/validation/evaluate.js'
import { MS_PER_DAY, walkForwardSplit, type Predictor, type TimedSample } from '../../src/domain/validation/walk-forward.js'
import type { MlpTrainOptions } from '../../src/domain/learn/mlp.js'
import { scoreForecast } from './stats.js'

export const MODEL_COLUMNS = [...CANDIDATE_NAMES, 'zero'] as const
export type ModelColumn = typeof MODEL_COLUMNS[number]

export interface EvalSettings {
  seed: number
  testFraction: number
  mlp: Omit<MlpTrainOptions, 'seed' | 'featureNames'>
  /** the MLP trains on a deterministic subsample of at most this many training samples */
  mlpMaxTrainRows: number
}

export interface ValueWithStdErr { value: number, stdErr: number }

export interface EvalRow {
  dataset: string
  /** window length of one sample, e.g. "5 min" or "30 s" */
  window: string
  windowMs: number
  gapMs: number
  samples: { usable: number, train: number, test: number }
  trainWindow: { fromMs: number, toMs: number }
  testWindow: { fromMs: number, toMs: number }
  testDays: number
  /** log-linear OLS ln(|dP/P|/sigma) = ln eta + delta ln(|Q|/V): delta and eta with standard errors; error text if it failed */
  logLinear: { impactExponent: ValueWithStdErr, impactCoef: ValueWithStdErr, smearingFactor: number, samplesUsed: number, logR2: number } | { error: string }
  /** eta with delta = 0.5, least squares on dP/P */
  refit05: { impactCoef: ValueWithStdErr, samplesUsed: number } | { error: string }
  /** out-of-sample MSE of dP/P per model (null when the fit failed or its predictions could not be computed) */
  mse: Record<ModelColumn, number | null>
  /** 1 - mse / mse(zero): the gate's out-of-sample R^2 (zero is 0 by definition) */
  outOfSampleR2: Record<ModelColumn, number | null>
  /** 1 - SSE / SST about the test mean (as in embedded/models.json); the zero model scores ~0 */
  r2AboutMean: Record<ModelColumn, number | null>
  /** each candidate's gate verdict against zero and the delta = 0.5 refit, no incumbent */
  gate: Record<CandidateName, { publish: boolean, reasons: string[], days: number, winsVsZero: number, winsVsRefit05: number }>
  /** the passing candidate with the lowest MSE, or null */
  publishes: CandidateName | null
}

function predictorOf (evaluation: WalkForwardEvaluation, name: ModelColumn): Predictor | undefined {
  if (name === 'zero') return zeroPredictor
  const fit = evaluation.fits[name]
  return isFailedFit(fit) ? undefined : fit.predictor
}

/** Predictions, or undefined when the predictor throws (e.g. a fitted delta <= 0: the gate rejects that model too). */
function predictOrUndefined (test: readonly TimedSample[], predictor: Predictor): number[] | undefined {
  try {
    return test.map(predictor)
  } catch {
    return undefined
  }
}

/** Finite number or null (JSON has no NaN). */
function finiteOrNull (x: number): number | null {
  return Number.isFinite(x) ? x : null
}

/**
 * Evaluates one sample set exactly as the recalibration job would (no published model: every
 * candidate must beat zero and the delta = 0.5 refit fitted on the same training part).
 * @throws DomainRangeError from walkForwardSplit when train or test would be empty.
 */
export function evaluateSampleSet (dataset: string, window: string, windowMs: number, gapMs: number, samples: readonly TimedSample[], settings: EvalSettings): EvalRow {
  const evaluation = evaluateCandidates(samples, { seed: settings.seed, gapMs, testFraction: settings.testFraction, mlp: settings.mlp, mlpMaxTrainRows: settings.mlpMaxTrainRows })
  // the same split again, for the test samples themselves (walkForwardSplit is deterministic)
  const usable = samples.filter(isUsableSample)
  const test = walkForwardSplit(usable, { gapMs, testFraction: settings.testFraction }).test
  const actual = test.map((s) => s.signedReturn)
  const mse = {} as Record<ModelColumn, number | null>
  const outOfSampleR2 = {} as Record<ModelColumn, number | null>
  const r2AboutMean = {} as Record<ModelColumn, number | null>
  const zeroMse = scoreForecast(actual, test.map(zeroPredictor)).mse
  for (const name of MODEL_COLUMNS) {
    const predictor = predictorOf(evaluation, name)
    if (predictor === undefined) { mse[name] = null; outOfSampleR2[name] = null; r2AboutMean[name] = null; continue }
    const predictions = predictOrUndefined(test, predictor)
    if (predictions === undefined) { mse[name] = null; outOfSampleR2[name] = null; r2AboutMean[name] = null; continue }
    const score = scoreForecast(actual, predictions)
    mse[name] = finiteOrNull(score.mse)
    outOfSampleR2[name] = finiteOrNull(1 - score.mse / zeroMse)
    r2AboutMean[name] = finiteOrNull(score.r2)
  }
  const { fits, verdicts } = evaluation
  const gate = {} as EvalRow['gate']
  for (const name of CANDIDATE_NAMES) {
    const v = verdicts[name]
    gate[name] = { publish: v.publish, reasons: v.reasons, days: v.metrics.days, winsVsZero: v.metrics.winsVsZero, winsVsRefit05: v.metrics.winsVsRefit05 }
  }
  const ll = fits.logLinear
  const rf = fits.refit05
  return {
    dataset,
    window,
    windowMs,
    gapMs,
    samples: { usable: usable.length, train: evaluation.split.trainSamples, test: evaluation.split.testSamples },
    trainWindow: { fromMs: evaluation.split.trainFromMs, toMs: evaluation.split.trainToMs },
    testWindow: { fromMs: evaluation.split.testFromMs, toMs: evaluation.split.testToMs },
    testDays: new Set(test.map((s) => Math.floor(s.startMs / MS_PER_DAY))).size,
    logLinear: isFailedFit(ll)
      ? { error: ll.error }
      : {
          impactExponent: { value: ll.calibration.impactExponent, stdErr: ll.calibration.impactExponentStdErr },
          impactCoef: { value: ll.calibration.impactCoef, stdErr: ll.calibration.impactCoefStdErr },
          smearingFactor: ll.calibration.smearingFactor,
          samplesUsed: ll.calibration.samplesUsed,
          logR2: ll.calibration.logR2
        },
    refit05: isFailedFit(rf) ? { error: rf.error } : { impactCoef: { value: rf.refit.impactCoef, stdErr: rf.refit.impactCoefStdErr }, samplesUsed: rf.refit.samplesUsed },
    mse,
    outOfSampleR2,
    r2AboutMean,
    gate,
    publishes: evaluation.chosen ?? null
  }
}
