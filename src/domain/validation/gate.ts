/**
 * The model-publication gate shared by the recalibration job and `npm run eval`: a candidate
 * impact model is published only if it predicts the signed return dP/P better, out of sample
 * and day by day, than the models it would replace or that cost nothing to have.
 *
 * The metric is the out-of-sample squared error of the predicted signed return dP/P (not the
 * fit's own log-space R^2: the log-linear fit only sees windows whose price moved with the flow,
 * and on real data its log R^2 ranks models backwards). Days are compared separately so that a
 * few volatile days cannot carry a model that is worse on most days.
 *
 * The split and daily errors are in walk-forward.ts, the candidate fits in candidates.ts and the
 * whole evaluation (split, fit, gate) in evaluate.ts.
 */
import { DomainRangeError } from '../errors.js'
import { shapeProblems, type ShapeGrid } from './shape.js'
import { dailySquaredErrorsOf, MS_PER_DAY, timeSpanOf, type DailyError, type Predictor, type TimedSample } from './walk-forward.js'

export interface GateCandidate {
  name: string
  predictor: Predictor
  /** fitted parameters; every value must be finite; `impactExponent` (delta) must lie in the sane range */
  params?: Record<string, number>
  /** true when the candidate IS the delta = 0.5 refit (the refit rule is then vacuous) */
  isRefit05?: boolean
}

export interface GateBenchmarks {
  /** predicts no move: dP/P = 0 */
  zero: Predictor
  /** the square-root law with delta = 0.5 and eta refit by least squares on dP/P */
  refit05: Predictor
  /** the model being served now, if any */
  published?: Predictor
}

export interface GateSanity {
  /** inclusive [lo, hi] for impactExponent (delta); default [0.2, 1.0] */
  impactExponentRange: [number, number]
}

export interface GateInput {
  candidate: GateCandidate
  benchmarks: GateBenchmarks
  /** test samples (after the training period); each must have Q != 0 and finite, positive advBase and volDaily */
  test: readonly TimedSample[]
  /** comparison bucket in ms; default one UTC day */
  bucketMs?: number
  sanity?: GateSanity
  /**
   * The candidate's validity grid (shape.ts shapeGridOf of the training samples): when given, a
   * candidate that is not symmetric (buy cost == sell cost) or not monotone non-decreasing in
   * size on it is rejected. evaluateCandidates always gives it.
   */
  shape?: ShapeGrid
}

export interface GateMetrics {
  /** mean squared error of dP/P over all test samples */
  candidateMse: number
  zeroMse: number
  refit05Mse: number
  publishedMse?: number
  /** 1 - candidateMse / zeroMse (0 for the zero model, 1 for a perfect one) */
  outOfSampleR2: number
  /** buckets (days) with at least one test sample */
  days: number
  /** days on which the candidate's MSE is strictly below the benchmark's */
  winsVsZero: number
  winsVsRefit05: number
  winsVsPublished?: number
}

export interface GateVerdict {
  candidate: string
  publish: boolean
  /** every failed rule when rejected; on success, why each rule passed */
  reasons: string[]
  /** NaN where the candidate's predictions could not be scored (serialises as null) */
  metrics: GateMetrics
  testWindow: { fromMs: number, toMs: number }
  samples: number
}

export const DEFAULT_IMPACT_EXPONENT_RANGE: readonly [number, number] = Object.freeze([0.2, 1.0]) as readonly [number, number]

function fmt (x: number): string {
  if (!Number.isFinite(x)) return String(x)
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(3) : Number(x.toPrecision(4)).toString()
}

function meanSquaredError (values: ArrayLike<number>, actual: readonly TimedSample[]): number {
  let sse = 0
  for (let i = 0; i < actual.length; i++) { const e = actual[i].signedReturn - values[i]; sse += e * e }
  return sse / actual.length
}

/** Predictions of one predictor, or why they are unusable. */
function predictAll (predictor: Predictor, test: readonly TimedSample[]): { values: Float64Array, problem?: string } {
  const values = new Float64Array(test.length)
  try {
    for (let i = 0; i < test.length; i++) values[i] = predictor(test[i])
  } catch (err) {
    return { values, problem: `threw ${err instanceof Error ? err.message : String(err)}` }
  }
  let bad = 0
  for (const v of values) if (!Number.isFinite(v)) bad++
  return bad > 0 ? { values, problem: `gave ${bad} non-finite of ${test.length} predictions` } : { values }
}

function wins (candidate: readonly DailyError[], benchmark: readonly DailyError[]): number {
  let n = 0
  for (let d = 0; d < candidate.length; d++) if (candidate[d].mse < benchmark[d].mse) n++
  return n
}

function checkParams (candidate: GateCandidate, range: readonly [number, number]): string[] {
  const reasons: string[] = []
  for (const [key, value] of Object.entries(candidate.params ?? {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) reasons.push(`parameter ${key} = ${String(value)} is not finite`)
  }
  const delta = candidate.params?.impactExponent
  if (delta !== undefined && Number.isFinite(delta) && !(delta >= range[0] && delta <= range[1])) {
    reasons.push(`impactExponent (delta) ${fmt(delta)} is outside the sane range [${range[0]}, ${range[1]}]`)
  }
  return reasons
}

/**
 * Decides whether a candidate model may be published. Rules (every failed one is reported):
 * 0. Shape (when `input.shape` is given): buy cost == sell cost, and the cost is monotone
 *    non-decreasing in size, on the grid (shape.ts shapeProblems); a violation is a reason.
 * 1. Sanity: every value in `candidate.params` is finite, and `params.impactExponent` (delta),
 *    when present, lies in `sanity.impactExponentRange` (inclusive; default [0.2, 1.0]).
 * 2. Finite predictions: the candidate predicts a finite dP/P for every test sample (a
 *    predictor that throws counts as non-finite). A benchmark that does not also rejects
 *    (nothing can be compared).
 * 3. Beats zero: MSE of dP/P over all test samples strictly below the zero predictor's, AND
 *    a strictly lower daily MSE on a strict majority of days (wins > days / 2).
 * 4. Beats the delta = 0.5 refit on a strict majority of days; vacuous when
 *    `candidate.isRefit05` (the candidate is that refit).
 * 5. Beats the published model on a strict majority of days; vacuous when none is published.
 * Days are buckets of `bucketMs` (default one UTC day) by each sample's startMs; a tie on a
 * day is not a win. With no test samples the candidate is rejected. Pure; O(n log days).
 * @throws DomainRangeError naming 'bucketMs' (not finite and > 0) or
 *   'sanity.impactExponentRange' (not finite lo < hi). Data problems never throw: they reject.
 * @example gateCandidate({ candidate: fits.refit05, benchmarks: { zero: zeroPredictor, refit05: fits.refit05.predictor }, test }).publish
 */
export function gateCandidate (input: GateInput): GateVerdict {
  const { candidate, benchmarks, test } = input
  const bucketMs = input.bucketMs ?? MS_PER_DAY
  const range = input.sanity?.impactExponentRange ?? DEFAULT_IMPACT_EXPONENT_RANGE
  if (!(bucketMs > 0 && bucketMs < Infinity)) throw new DomainRangeError(`gateCandidate: bucketMs must be finite and > 0 (got ${bucketMs})`, 'bucketMs', 'finite, > 0')
  if (!(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] < range[1])) {
    throw new DomainRangeError(`gateCandidate: sanity.impactExponentRange must be finite [lo, hi] with lo < hi (got [${range.join(', ')}])`, 'sanity.impactExponentRange', 'finite, lo < hi')
  }
  const hasPublished = benchmarks.published !== undefined
  const metrics: GateMetrics = {
    candidateMse: NaN,
    zeroMse: NaN,
    refit05Mse: NaN,
    outOfSampleR2: NaN,
    days: 0,
    winsVsZero: 0,
    winsVsRefit05: 0,
    ...(hasPublished ? { publishedMse: NaN, winsVsPublished: 0 } : {})
  }
  const verdict = (reasons: string[], publish: boolean): GateVerdict =>
    ({ candidate: candidate.name, publish, reasons, metrics, testWindow: timeSpanOf(test), samples: test.length })

  const failed = checkParams(candidate, range)
  const shape = input.shape === undefined ? [] : shapeProblems(candidate.predictor, input.shape)
  for (const problem of shape) failed.push(`candidate ${candidate.name} ${problem}`)
  if (test.length === 0) return verdict([...failed, 'no test samples: nothing to compare'], false)

  const own = predictAll(candidate.predictor, test)
  if (own.problem !== undefined) failed.push(`candidate ${candidate.name} ${own.problem}`)
  const named: Array<[string, Predictor]> = [['zero', benchmarks.zero], ['refit05', benchmarks.refit05]]
  if (benchmarks.published !== undefined) named.push(['published', benchmarks.published])
  const bench = named.map(([name, p]) => ({ name, ...predictAll(p, test) }))
  for (const b of bench) if (b.problem !== undefined) failed.push(`benchmark ${b.name} ${b.problem}: cannot compare`)
  if (own.problem !== undefined || bench.some((b) => b.problem !== undefined)) return verdict(failed, false)

  const ownDaily = dailySquaredErrorsOf(test, own.values, bucketMs)
  const [zero, refit, published] = bench.map((b) => ({ mse: meanSquaredError(b.values, test), daily: dailySquaredErrorsOf(test, b.values, bucketMs) }))
  const days = ownDaily.length
  metrics.candidateMse = meanSquaredError(own.values, test)
  metrics.zeroMse = zero.mse
  metrics.refit05Mse = refit.mse
  metrics.outOfSampleR2 = 1 - metrics.candidateMse / zero.mse
  metrics.days = days
  metrics.winsVsZero = wins(ownDaily, zero.daily)
  metrics.winsVsRefit05 = wins(ownDaily, refit.daily)
  if (published !== undefined) {
    metrics.publishedMse = published.mse
    metrics.winsVsPublished = wins(ownDaily, published.daily)
  }
  const majority = (w: number): boolean => 2 * w > days
  const passed: string[] = []
  const mseText = `MSE ${fmt(metrics.candidateMse)} vs ${fmt(zero.mse)}`
  if (!(metrics.candidateMse < zero.mse)) failed.push(`does not beat zero overall: ${mseText}`)
  else if (!majority(metrics.winsVsZero)) failed.push(`beats zero overall (${mseText}) but only on ${metrics.winsVsZero} of ${days} days (needs a strict majority)`)
  else passed.push(`beats zero: ${mseText} (out-of-sample R^2 ${fmt(metrics.outOfSampleR2)}), on ${metrics.winsVsZero} of ${days} days`)
  if (candidate.isRefit05 === true) passed.push('is the delta = 0.5 refit: refit rule vacuous')
  else if (!majority(metrics.winsVsRefit05)) failed.push(`beats the delta = 0.5 refit on only ${metrics.winsVsRefit05} of ${days} days (MSE ${fmt(metrics.candidateMse)} vs ${fmt(refit.mse)})`)
  else passed.push(`beats the delta = 0.5 refit on ${metrics.winsVsRefit05} of ${days} days (MSE ${fmt(metrics.candidateMse)} vs ${fmt(refit.mse)})`)
  if (published === undefined) passed.push('no published model: incumbent rule vacuous')
  else if (!majority(metrics.winsVsPublished ?? 0)) failed.push(`beats the published model on only ${metrics.winsVsPublished ?? 0} of ${days} days (MSE ${fmt(metrics.candidateMse)} vs ${fmt(published.mse)})`)
  else passed.push(`beats the published model on ${metrics.winsVsPublished ?? 0} of ${days} days (MSE ${fmt(metrics.candidateMse)} vs ${fmt(published.mse)})`)
  if (failed.length > 0) return verdict(failed, false)
  const deltaText = candidate.params?.impactExponent !== undefined ? `, delta ${fmt(candidate.params.impactExponent)} in [${range[0]}, ${range[1]}]` : ''
  const shapeText = input.shape === undefined ? [] : [`symmetric and monotone non-decreasing in size on a ${input.shape.points}-point log grid of participation [${input.shape.participationRange.map((x) => fmt(x)).join(', ')}]`]
  return verdict([`parameters finite${deltaText}`, ...shapeText, ...passed], true)
}
