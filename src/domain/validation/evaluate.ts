/**
 * Split, fit and gate in one call: the walk-forward evaluation the recalibration job and
 * `npm run eval` both run. Pure (the MLP's randomness comes from the seed).
 */
import { DomainRangeError } from '../errors.js'
import {
  DEFAULT_CANDIDATES, fitCandidates, isFailedFit, isUsableSample, zeroPredictor,
  type CandidateSpecs, type FailedFit, type FitCandidatesOptions, type FitsOf, type NamesOf
} from './candidates.js'
import { gateCandidate, type GateCandidate, type GateSanity, type GateVerdict } from './gate.js'
import { shapeGridOf } from './shape.js'
import { timeSpanOf, walkForwardSplit, type Predictor, type TimedSample } from './walk-forward.js'

export interface WalkForwardEvaluationOptions<N extends string = NamesOf<typeof DEFAULT_CANDIDATES>> extends FitCandidatesOptions {
  /** share of the time span held out for testing; default 0.3 */
  testFraction?: number
  /** embargo between the last training window and the first test window, ms */
  gapMs: number
  /** comparison bucket, ms; default one UTC day */
  bucketMs?: number
  sanity?: GateSanity
  /** the model currently served in the slot this candidate would take, if any */
  publishedFor?: (name: N) => Predictor | undefined
}

export interface WalkForwardEvaluation<S extends CandidateSpecs = typeof DEFAULT_CANDIDATES> {
  split: { trainFromMs: number, trainToMs: number, testFromMs: number, testToMs: number, trainSamples: number, testSamples: number }
  fits: FitsOf<S>
  verdicts: Record<NamesOf<S>, GateVerdict>
  /** the published candidate with the lowest out-of-sample MSE (candidate order breaks ties); undefined if none passes */
  chosen?: NamesOf<S>
}

function rejected (name: string, reason: string, test: readonly TimedSample[]): GateVerdict {
  return {
    candidate: name,
    publish: false,
    reasons: [reason],
    metrics: { candidateMse: NaN, zeroMse: NaN, refit05Mse: NaN, outOfSampleR2: NaN, days: 0, winsVsZero: 0, winsVsRefit05: 0 },
    testWindow: timeSpanOf(test),
    samples: test.length
  }
}

/**
 * Keeps the usable samples (isUsableSample), splits them walk-forward (walkForwardSplit), fits
 * the candidates (default DEFAULT_CANDIDATES; the list must hold refit05) on the training part
 * (fitCandidates) and gates each, in list order, on the test part (gateCandidate) against zero, the delta = 0.5 refit fitted on the same training part, and the
 * published model, and on its shape (symmetric, monotone in size) over the training part's grid (shapeGridOf). A failed fit is rejected with its error; if the refit itself fails, every
 * candidate is rejected (nothing to compare against).
 * @throws DomainRangeError from walkForwardSplit ('samples' when train or test would be empty,
 *   'testFraction', 'gapMs') or gateCandidate ('bucketMs', 'sanity.impactExponentRange').
 */
export function evaluateCandidates<S extends CandidateSpecs = typeof DEFAULT_CANDIDATES> (samples: readonly TimedSample[], options: WalkForwardEvaluationOptions<NamesOf<S>>, candidates: S = DEFAULT_CANDIDATES as unknown as S): WalkForwardEvaluation<S> {
  const usable = samples.filter(isUsableSample)
  if (usable.length === 0) throw new DomainRangeError(`evaluateCandidates: none of ${samples.length} samples is usable`, 'samples', 'usable samples')
  const split = walkForwardSplit(usable, { gapMs: options.gapMs, testFraction: options.testFraction })
  const fits = fitCandidates(split.train, options, candidates)
  const byName = fits as unknown as Record<string, GateCandidate | FailedFit | undefined>
  const refit = byName.refit05 ?? { name: 'refit05', failed: true, error: 'refit05 is not among the candidates' }
  const names = candidates.map((c) => c.name as NamesOf<S>)
  const shape = shapeGridOf(split.train)
  const verdicts = {} as Record<NamesOf<S>, GateVerdict>
  for (const name of names) {
    const fit = byName[name] as GateCandidate | FailedFit
    if (isFailedFit(fit)) { verdicts[name] = rejected(name, `fit failed: ${fit.error}`, split.test); continue }
    if (isFailedFit(refit)) { verdicts[name] = rejected(name, `benchmark refit05 failed to fit: ${refit.error}`, split.test); continue }
    verdicts[name] = gateCandidate({
      candidate: fit,
      benchmarks: { zero: zeroPredictor, refit05: refit.predictor, published: options.publishedFor?.(name) },
      test: split.test,
      bucketMs: options.bucketMs,
      sanity: options.sanity,
      shape
    })
  }
  let chosen: NamesOf<S> | undefined
  for (const name of names) {
    const v = verdicts[name]
    if (v.publish && (chosen === undefined || v.metrics.candidateMse < verdicts[chosen].metrics.candidateMse)) chosen = name
  }
  return {
    split: { trainFromMs: split.trainFromMs, trainToMs: split.trainToMs, testFromMs: split.testFromMs, testToMs: split.testToMs, trainSamples: split.train.length, testSamples: split.test.length },
    fits,
    verdicts,
    chosen
  }
}
