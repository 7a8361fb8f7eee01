/**
 * The one place that turns impact samples into the candidate models the gate judges (each a
 * CandidateSpec; src/models/kinds lists which compete for which model slot), and models into
 * predictors of the signed return dP/P:
 * - logLinear: the chapter's log-linear OLS ln(|dP/P|/sigma) = ln eta + delta ln(|Q|/V) with the
 *   Duan smearing factor (calibrateSqrtImpact);
 * - refit05: delta fixed at 0.5, eta by least squares of dP/P on sign(Q) sigma sqrt(|Q|/V)
 *   (refitImpactCoef), the benchmark every other candidate must beat;
 * - linear and mlp: the learned predictors on impactFeatures (participation = |Q|/V, relSpread,
 *   volDaily; no side feature, so buys and sells cost the same by construction), target
 *   sign(Q) * dP/P (the cost in the trade's direction).
 * A sqrt predictor predicts sign(Q) eta sigma (|Q|/V)^delta smearing; a learned one
 * sideSign * predicted cost. Pure: the MLP's randomness comes from the given seed.
 */
import { calibrateSqrtImpact, refitImpactCoef, type ImpactSample, type ImpactCoefRefit, type SqrtCalibration } from '../impact/calibrate-sqrt.js'
import { sqrtImpactSignedReturn, type SqrtImpactParams } from '../impact/sqrt-impact.js'
import { impactFeatures, IMPACT_FEATURE_NAMES, SIZE_FEATURE_INDICES, type ImpactFeatureInput } from '../learn/impact-features.js'
import { fitNonNegativeLinear, predictLinear, type LinearModel } from '../learn/linear-regression.js'
import { trainMlp, predictMlp, type MlpModel, type MlpTrainOptions } from '../learn/mlp.js'
import { createRng, shuffleInPlace } from '../learn/rng.js'
import type { GateCandidate } from './gate.js'
import type { Predictor, TimedSample } from './walk-forward.js'

/** Q != 0 (a direction exists), finite positive ADV and volatility, finite return, relSpread >= 0: what every model can use. */
export function isUsableSample (s: TimedSample): boolean {
  return s.signedQtyBase !== 0 && Number.isFinite(s.signedQtyBase) && s.advBase > 0 && s.advBase < Infinity &&
    s.volDaily > 0 && s.volDaily < Infinity && Number.isFinite(s.signedReturn) && s.relSpread >= 0 && s.relSpread < Infinity
}

/** The market inputs of a sample as the serving models see them. */
export function sampleFeatureInput (s: TimedSample): ImpactFeatureInput {
  return { participation: Math.abs(s.signedQtyBase) / s.advBase, relSpread: s.relSpread, volDaily: s.volDaily, sideSign: s.signedQtyBase > 0 ? 1 : -1 }
}

/** Feature row (IMPACT_FEATURE_NAMES order) of a sample. @throws DomainRangeError for an unusable sample (see impactFeatures). */
export function sampleFeatures (s: TimedSample): number[] {
  return impactFeatures(sampleFeatureInput(s))
}

/** The learned predictors' target: cost in the trade direction, sign(Q) * dP/P. */
export function sampleTarget (s: ImpactSample): number {
  return Math.sign(s.signedQtyBase) * s.signedReturn
}

/** Predicts no move. */
export const zeroPredictor: Predictor = () => 0

/** sign(Q) eta sigma (|Q|/V)^delta smearing. @throws DomainRangeError (when called) on invalid params or inputs. */
export function sqrtPredictor (params: SqrtImpactParams): Predictor {
  return (s) => sqrtImpactSignedReturn(params, s.signedQtyBase, s.advBase, s.volDaily)
}

/**
 * Turns any cost model (a served ImpactModel's predictCost: cost fraction, positive = cost, in
 * the trade's direction) into a predictor of dP/P: sign(Q) * cost; 0 when Q = 0.
 */
export function predictorFromCost (predictCost: (input: ImpactFeatureInput) => number): Predictor {
  return (s) => s.signedQtyBase === 0 ? 0 : Math.sign(s.signedQtyBase) * predictCost(sampleFeatureInput(s))
}

export function linearPredictor (model: LinearModel): Predictor {
  return predictorFromCost((input) => predictLinear(model, impactFeatures(input)))
}

export function mlpPredictor (model: MlpModel): Predictor {
  return predictorFromCost((input) => predictMlp(model, impactFeatures(input)))
}

/** A sqrt parameter set, a LinearModel or an MlpModel as a predictor of dP/P. */
export function predictorFor (model: ({ kind: 'sqrt' } & SqrtImpactParams) | LinearModel | MlpModel): Predictor {
  if (model.kind === 'linear') return linearPredictor(model)
  if (model.kind === 'mlp') return mlpPredictor(model)
  return sqrtPredictor(model)
}

export interface FitCandidatesOptions {
  /** MLP seed (weights, split, shuffles, subsample) */
  seed: number
  /** MLP options other than seed and featureNames; trainMlp defaults otherwise */
  mlp?: Omit<MlpTrainOptions, 'seed' | 'featureNames' | 'monotoneInputs' | 'anchoredInputs'>
  /** the MLP trains on at most this many usable samples (deterministic subsample, time order kept); default all */
  mlpMaxTrainRows?: number
}

/**
 * One candidate the gate judges: its name (unique among the candidates) and how it is fitted on
 * the usable training samples (isUsableSample). `fit` may throw: the candidate then becomes a FailedFit.
 */
export interface CandidateSpec<N extends string = string, C extends GateCandidate = GateCandidate> {
  readonly name: N
  readonly fit: (usable: readonly TimedSample[], options: FitCandidatesOptions) => C
}
export type CandidateSpecs = readonly CandidateSpec[]
/** The names of a list of candidate specs. */
export type NamesOf<S extends CandidateSpecs> = S[number]['name']
/** What fitCandidates returns for a list of specs: each fitted candidate (or why it failed) by name. */
export type FitsOf<S extends CandidateSpecs> = { trainSamples: number } & { [C in S[number] as C['name']]: ReturnType<C['fit']> | FailedFit }

export type LogLinearCandidate = GateCandidate & { name: 'logLinear', calibration: SqrtCalibration, sqrtParams: Required<SqrtImpactParams> }
export type Refit05Candidate = GateCandidate & { name: 'refit05', isRefit05: true, refit: ImpactCoefRefit, sqrtParams: Required<SqrtImpactParams> }
export type LinearCandidate = GateCandidate & { name: 'linear', model: LinearModel }
export type MlpCandidate = GateCandidate & { name: 'mlp', model: MlpModel, trainRows: number }
/** A fit that threw: the job keeps the published model, the eval prints why. */
export type FailedFit = { name: string, failed: true, error: string }

export function isFailedFit (fit: GateCandidate | FailedFit): fit is FailedFit {
  return 'failed' in fit
}

/** Deterministic subsample of at most maxRows items (seeded shuffle of indices, then time order restored). */
function subsample<T> (items: readonly T[], maxRows: number, seed: number): readonly T[] {
  if (items.length <= maxRows) return items
  const order = shuffleInPlace(Int32Array.from({ length: items.length }, (_, i) => i), createRng(seed))
  return Array.from(order.subarray(0, maxRows)).sort((a, b) => a - b).map((i) => items[i])
}

/** The chapter's log-linear OLS with the Duan smearing factor (calibrateSqrtImpact). */
export const logLinearCandidate: CandidateSpec<'logLinear', LogLinearCandidate> = {
  name: 'logLinear',
  fit: (usable) => {
    const calibration = calibrateSqrtImpact(usable)
    const sqrtParams = { impactCoef: calibration.impactCoef, impactExponent: calibration.impactExponent, smearingFactor: calibration.smearingFactor }
    return { name: 'logLinear', calibration, sqrtParams, params: { ...sqrtParams }, predictor: sqrtPredictor(sqrtParams) }
  }
}

/** delta fixed at 0.5, eta by least squares (refitImpactCoef): also the benchmark every candidate must beat. */
export const refit05Candidate: CandidateSpec<'refit05', Refit05Candidate> = {
  name: 'refit05',
  fit: (usable) => {
    const refit = refitImpactCoef(usable, 0.5)
    const sqrtParams = { impactCoef: refit.impactCoef, impactExponent: 0.5, smearingFactor: 1 }
    return { name: 'refit05', isRefit05: true, refit, sqrtParams, params: { ...sqrtParams }, predictor: sqrtPredictor(sqrtParams) }
  }
}

/**
 * The cost as a non-negative combination of the size features, through the origin:
 * cost = b_p |Q|/ADV + b_s volDaily sqrt(|Q|/ADV), b >= 0 (fitNonNegativeLinear). Zero at zero size,
 * never negative and non-decreasing in size by construction (issue 14: the unconstrained fit with an
 * intercept priced a 25 BTC buy at -3.02 bps). Params are per raw unit of each feature.
 */
export const linearCandidate: CandidateSpec<'linear', LinearCandidate> = {
  name: 'linear',
  fit: (usable) => {
    const model = fitNonNegativeLinear(usable.map(sampleFeatures), usable.map(sampleTarget), { featureNames: [...IMPACT_FEATURE_NAMES], columns: SIZE_FEATURE_INDICES })
    const params: Record<string, number> = { intercept: model.intercept }
    model.featureNames.forEach((name, j) => { params[`coefficient.${name}`] = model.coefficients[j] / model.standardiser.std[j] })
    return { name: 'linear', model, params, predictor: linearPredictor(model) }
  }
}

/**
 * The MLP on the same features and target, monotone in the size features and anchored at zero size
 * (SIZE_FEATURE_INDICES): zero cost for a zero-size order, never negative, non-decreasing in size by
 * construction (mlp.ts 4b, 4c). On at most `mlpMaxTrainRows` samples.
 */
export const mlpCandidate: CandidateSpec<'mlp', MlpCandidate> = {
  name: 'mlp',
  fit: (usable, options) => {
    const rows = subsample(usable, options.mlpMaxTrainRows ?? Infinity, options.seed)
    const model = trainMlp(rows.map(sampleFeatures), rows.map(sampleTarget), { ...options.mlp, seed: options.seed, featureNames: [...IMPACT_FEATURE_NAMES], monotoneInputs: SIZE_FEATURE_INDICES, anchoredInputs: SIZE_FEATURE_INDICES })
    let maxAbsWeight = 0
    for (const w of model.weights) maxAbsWeight = Number.isNaN(w) || Number.isNaN(maxAbsWeight) ? NaN : Math.max(maxAbsWeight, Math.abs(w))
    return { name: 'mlp', model, trainRows: rows.length, params: { targetMean: model.targetMean, targetStd: model.targetStd, maxAbsWeight }, predictor: mlpPredictor(model) }
  }
}

/** The four candidates of the square-root law and the learned predictors, in the order they are judged. */
export const DEFAULT_CANDIDATES = [logLinearCandidate, refit05Candidate, linearCandidate, mlpCandidate] as const
type NameTuple<S extends CandidateSpecs> = { readonly [I in keyof S]: S[I] extends CandidateSpec<infer N> ? N : never }
export const CANDIDATE_NAMES = DEFAULT_CANDIDATES.map((c) => c.name) as unknown as NameTuple<typeof DEFAULT_CANDIDATES>
export type CandidateName = NamesOf<typeof DEFAULT_CANDIDATES>
export type CandidateFits = FitsOf<typeof DEFAULT_CANDIDATES>

/**
 * Fits each candidate (default: DEFAULT_CANDIDATES) on the usable training samples (isUsableSample;
 * others are left out). A fit that throws (too few samples, degenerate sizes, a diverging MLP)
 * becomes a FailedFit with the message; the others are unaffected. Deterministic for a given seed.
 * Cost: O(n) for the sqrt fits, O(n f^2) linear, O(epochs m (f h1 + h1 h2)) MLP, m = min(n, mlpMaxTrainRows).
 * @example const fits = fitCandidates(split.train, { seed: 42 }); isFailedFit(fits.refit05) // false
 */
export function fitCandidates<S extends CandidateSpecs = typeof DEFAULT_CANDIDATES> (train: readonly TimedSample[], options: FitCandidatesOptions, candidates: S = DEFAULT_CANDIDATES as unknown as S): FitsOf<S> {
  const usable = train.filter(isUsableSample)
  const fits: Record<string, unknown> = { trainSamples: usable.length }
  for (const candidate of candidates) {
    try {
      fits[candidate.name] = candidate.fit(usable, options)
    } catch (err) {
      fits[candidate.name] = { name: candidate.name, failed: true, error: err instanceof Error ? err.message : String(err) } satisfies FailedFit
    }
  }
  return fits as FitsOf<S>
}
