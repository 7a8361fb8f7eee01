/**
 * Is the predicted cost distribution calibrated? (issue 15). Each executed trade is scored by
 * z = (realised implementation shortfall - predicted mean cost) / predicted std; if the
 * predictions are right (execution/cost-distribution.ts: cost ~ N(mean, std^2)) the z are draws of
 * a standard normal: mean 0, standard deviation 1, 90 % of them inside the predicted p05-p95
 * band (|z| <= z_0.95 = 1.6449). This is the probability integral transform check of forecast
 * calibration (Dawid 1984, "Statistical theory: the prequential approach", JRSS A 147(2);
 * Gneiting, Balabdaoui & Raftery 2007, "Probabilistic forecasts, calibration and sharpness",
 * JRSS B 69(2)) on the z scale, per trade size and overall.
 */
import { failRange, requireFiniteOutput, requireNonNegative, requireNumber, requirePositive } from '../guards.js'
import { standardNormalCdf, Z_95 } from '../normal.js'

/** One executed trade with its prediction, as the TCA scores it. */
export interface ScoredFill {
  /** |Q| / ADV of the trade, >= 0 */
  participation: number
  /** executed notional, quote units, > 0 (weights biasBps) */
  notionalQuote: number
  /** realised implementation shortfall, bps, cost-positive for buys and sells (tca.ts analyseTrade) */
  implementationShortfallBps: number
  /** predicted mean cost, bps */
  predictedCostBps: number
  /** predicted cost standard deviation, bps, > 0 */
  predictedStdBps: number
  /** (implementationShortfallBps - predictedCostBps) / predictedStdBps; finite */
  zScore: number
}

export type CalibrationVerdict = 'insufficient-data' | 'biased' | 'overconfident' | 'underconfident' | 'calibrated'

/** The calibration statistics of a group of fills. Every number is finite; null where undefined (too few fills). */
export interface CalibrationCell {
  n: number
  /** mean z; null for n = 0 */
  meanZ: number | null
  /** stdZ / sqrt(n); null for n < 2 */
  meanZStdErr: number | null
  /** sample standard deviation of z (divisor n - 1); null for n < 2 */
  stdZ: number | null
  /** share of fills with |z| <= z_0.95, i.e. inside the predicted p05-p95 band (nominal 0.90); null for n = 0 */
  bandCoverage: number | null
  /** notional-weighted mean of implementationShortfallBps - predictedCostBps; null for n = 0 */
  biasBps: number | null
  verdict: CalibrationVerdict
  /** the limits the verdict applied to this cell (they widen with sampling noise for small n); null for n < 2 */
  limits: { meanZAbsMax: number, stdZLow: number, stdZHigh: number, coverageLow: number, coverageHigh: number } | null
}

export type ParticipationDecileCell = CalibrationCell & {
  /** 1..10, by participation, equal-count */
  decile: number
  /** smallest and largest participation in the decile; null when empty */
  participationMin: number | null
  participationMax: number | null
}

export interface ZHistogram {
  /** k + 1 edges; the first and the last bin are open-ended: bin 0 holds every z < binEdges[1], bin k-1 every z >= binEdges[k-1] */
  binEdges: number[]
  /** fills per bin (k); sums to n */
  counts: number[]
  /** n (Phi(b_{i+1}) - Phi(b_i)) with Phi(b_0) := 0 and Phi(b_k) := 1 for the open ends: what a standard normal z would give; sums to n */
  normalCounts: number[]
  /** fills beyond the outer edges (already inside the end bins), and what a standard normal z would give */
  beyondEdges: { below: number, above: number, normalBelow: number, normalAbove: number }
}

export interface CalibrationReport {
  thresholds: CalibrationThresholds
  overall: CalibrationCell
  byParticipationDecile: ParticipationDecileCell[]
  zHistogram: ZHistogram
}

export interface CalibrationThresholds {
  /** below this many fills the verdict is 'insufficient-data' (the statistics are still reported) */
  minFills: number
  /** z_0.95: |z| <= bandZ is inside the predicted p05-p95 band */
  bandZ: number
  /** the band's nominal coverage, 0.90 */
  nominalCoverage: number
  /** sampling limits are this many standard errors wide */
  samplingSigmas: number
  /** |mean z| must exceed this as well as samplingSigmas standard errors to be 'biased' */
  biasMinMeanZ: number
  /** std z above this (or above 1 + samplingSigmas / sqrt(2 (n - 1)), whichever is larger) is 'overconfident' */
  stdZHigh: number
  /** std z below this (or below 1 - samplingSigmas / sqrt(2 (n - 1)), whichever is smaller) is 'underconfident' */
  stdZLow: number
  /** coverage below this (or below 0.90 - samplingSigmas sqrt(0.09 / n), whichever is smaller) is 'overconfident' */
  coverageLow: number
  /** coverage above this (or above 0.90 + samplingSigmas sqrt(0.09 / n), whichever is larger) is 'underconfident' */
  coverageHigh: number
}

/**
 * The verdict rules, in this order:
 * 1. n < minFills: 'insufficient-data' (20 fills: below that a 3-sigma band on the coverage is
 *    wider than +-0.2 and says nothing).
 * 2. |mean z| > max(3 * meanZStdErr, 0.1): 'biased'. The mean of z is off zero beyond sampling
 *    noise (3 standard errors, a two-sided 0.27 % false alarm under the normal) and by a
 *    material amount: a shift of 0.1 std moves the band's coverage by less than 0.2 points.
 * 3. std z > max(1.25, 1 + 3 / sqrt(2 (n - 1))) or coverage < min(0.80, 0.90 - 3 sqrt(0.09 / n)):
 *    'overconfident' (the realised costs spread wider than predicted). 1 / sqrt(2 (n - 1)) is the
 *    normal-theory standard error of a sample SD of 1, sqrt(0.09 / n) the binomial one of a
 *    coverage of 0.90: a verdict needs a deviation that is both material and beyond 3 standard
 *    errors. 0.80 is about the coverage of the band when z has std 1.25 (2 Phi(1.6449 / 1.25) - 1 = 0.81).
 * 4. std z < min(0.75, 1 - 3 / sqrt(2 (n - 1))) or coverage > max(0.97, 0.90 + 3 sqrt(0.09 / n)):
 *    'underconfident' (the predicted band is too wide). 0.97 is about the band's coverage when z
 *    has std 0.75 (2 Phi(1.6449 / 0.75) - 1 = 0.972), the mirror of rule 3.
 * 5. otherwise 'calibrated'.
 * Fat tails are the usual failure of a normal band on market data: most z near 0 and a few far
 * out give a std z above 1 with a coverage at or above 0.90; rule 3 reports that as 'overconfident'
 * (the predicted std understates the realised spread), and the histogram shows the tails.
 */
export const CALIBRATION_THRESHOLDS: Readonly<CalibrationThresholds> = Object.freeze({
  minFills: 20,
  bandZ: Z_95,
  nominalCoverage: 0.9,
  samplingSigmas: 3,
  biasMinMeanZ: 0.1,
  stdZHigh: 1.25,
  stdZLow: 0.75,
  coverageLow: 0.8,
  coverageHigh: 0.97
})

/** Default histogram: -4 .. 4 in steps of 0.5 (16 bins, the end bins open). */
export const DEFAULT_Z_HISTOGRAM = Object.freeze({ fromZ: -4, toZ: 4, stepZ: 0.5 })

export interface CalibrationReportOptions {
  /** default CALIBRATION_THRESHOLDS.minFills (20); an integer >= 2 */
  minFills?: number
  /** histogram edges fromZ, fromZ + stepZ, .., toZ; default DEFAULT_Z_HISTOGRAM; 1 to 1000 bins */
  histogram?: { fromZ: number, toZ: number, stepZ: number }
}

const FN = 'calibrationReport'

function checkFills (fills: readonly ScoredFill[]): void {
  if (!Array.isArray(fills)) failRange(FN, 'fills', 'an array of scored fills', fills)
  fills.forEach((f, i) => {
    const at = `fills[${i}]`
    if (typeof f !== 'object' || f === null) failRange(FN, at, 'an object', f)
    requireNonNegative(FN, `${at}.participation`, f.participation)
    requirePositive(FN, `${at}.notionalQuote`, f.notionalQuote)
    requireNumber(FN, `${at}.implementationShortfallBps`, f.implementationShortfallBps, true, 'finite')
    requireNumber(FN, `${at}.predictedCostBps`, f.predictedCostBps, true, 'finite')
    requirePositive(FN, `${at}.predictedStdBps`, f.predictedStdBps)
    requireNumber(FN, `${at}.zScore`, f.zScore, true, 'finite')
  })
}

/** The verdict's limits for n >= 2 fills whose mean z has standard error meanZStdErr (rules: CALIBRATION_THRESHOLDS). */
function limitsFor (n: number, meanZStdErr: number, th: CalibrationThresholds): NonNullable<CalibrationCell['limits']> {
  const sdNoise = th.samplingSigmas / Math.sqrt(2 * (n - 1))
  const coverageNoise = th.samplingSigmas * Math.sqrt(th.nominalCoverage * (1 - th.nominalCoverage) / n)
  return {
    meanZAbsMax: Math.max(th.samplingSigmas * meanZStdErr, th.biasMinMeanZ),
    stdZLow: Math.min(th.stdZLow, 1 - sdNoise),
    stdZHigh: Math.max(th.stdZHigh, 1 + sdNoise),
    coverageLow: Math.min(th.coverageLow, th.nominalCoverage - coverageNoise),
    coverageHigh: Math.max(th.coverageHigh, th.nominalCoverage + coverageNoise)
  }
}

/** The statistics and verdict of the fills at `indices`. O(indices). */
function cellOf (fills: readonly ScoredFill[], indices: readonly number[], th: CalibrationThresholds): CalibrationCell {
  const n = indices.length
  if (n === 0) return { n, meanZ: null, meanZStdErr: null, stdZ: null, bandCoverage: null, biasBps: null, verdict: 'insufficient-data', limits: null }
  let sumZ = 0; let inside = 0; let maxAbsZ = 0; let maxNotional = 0
  for (const i of indices) {
    const z = fills[i].zScore
    sumZ += z
    if (Math.abs(z) <= th.bandZ) inside++
    maxAbsZ = Math.max(maxAbsZ, Math.abs(z))
    maxNotional = Math.max(maxNotional, fills[i].notionalQuote)
  }
  const meanZ = sumZ / n
  requireFiniteOutput(FN, 'fills[].zScore', meanZ, maxAbsZ, 'small enough that the mean z stays finite')
  // notional weights scaled by the largest notional, so their sum cannot overflow
  let weighted = 0; let weightSum = 0; let sumSq = 0; let maxAbsMiss = 0
  for (const i of indices) {
    const f = fills[i]
    const w = f.notionalQuote / maxNotional
    const miss = f.implementationShortfallBps - f.predictedCostBps
    requireFiniteOutput(FN, `fills[${i}].implementationShortfallBps`, miss, f.implementationShortfallBps, 'small enough that IS - predicted stays finite')
    weighted += w * miss
    maxAbsMiss = Math.max(maxAbsMiss, Math.abs(miss))
    weightSum += w
    sumSq += (f.zScore - meanZ) ** 2
  }
  const biasBps = weighted / weightSum
  requireFiniteOutput(FN, 'fills[].implementationShortfallBps', biasBps, maxAbsMiss, 'small enough that the bias stays finite')
  const bandCoverage = inside / n
  if (n < 2) return { n, meanZ, meanZStdErr: null, stdZ: null, bandCoverage, biasBps, verdict: 'insufficient-data', limits: null }
  const stdZ = Math.sqrt(sumSq / (n - 1))
  requireFiniteOutput(FN, 'fills[].zScore', stdZ, maxAbsZ, 'small enough that the std of z stays finite')
  const meanZStdErr = stdZ / Math.sqrt(n)
  const limits = limitsFor(n, meanZStdErr, th)
  let verdict: CalibrationVerdict
  if (n < th.minFills) verdict = 'insufficient-data'
  else if (Math.abs(meanZ) > limits.meanZAbsMax) verdict = 'biased'
  else if (stdZ > limits.stdZHigh || bandCoverage < limits.coverageLow) verdict = 'overconfident'
  else if (stdZ < limits.stdZLow || bandCoverage > limits.coverageHigh) verdict = 'underconfident'
  else verdict = 'calibrated'
  return { n, meanZ, meanZStdErr, stdZ, bandCoverage, biasBps, verdict, limits }
}

function histogramOf (fills: readonly ScoredFill[], spec: { fromZ: number, toZ: number, stepZ: number }): ZHistogram {
  const { fromZ, toZ, stepZ } = spec
  requireNumber(FN, 'options.histogram.fromZ', fromZ, true, 'finite')
  requireNumber(FN, 'options.histogram.toZ', toZ, toZ > fromZ, '> fromZ')
  requirePositive(FN, 'options.histogram.stepZ', stepZ)
  const bins = Math.round((toZ - fromZ) / stepZ)
  const rule = 'such that (toZ - fromZ) / stepZ is a whole number of bins, 1 to 1000'
  requireNumber(FN, 'options.histogram.stepZ', stepZ, bins >= 1 && bins <= 1000 && Math.abs(fromZ + bins * stepZ - toZ) <= 1e-9 * Math.max(1, Math.abs(toZ)), rule)
  const binEdges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? toZ : fromZ + i * stepZ))
  const counts = new Array<number>(bins).fill(0)
  let below = 0; let above = 0
  for (const f of fills) {
    const z = f.zScore
    if (z < fromZ) below++
    if (z > toZ) above++
    // bins are [b_i, b_{i+1}); the division may land one off at an edge: the edges decide
    let bin = Math.min(bins - 1, Math.max(0, Math.floor((z - fromZ) / stepZ)))
    if (bin + 1 < bins && z >= binEdges[bin + 1]) bin++
    else if (bin > 0 && z < binEdges[bin]) bin--
    counts[bin]++
  }
  const n = fills.length
  const cdf = binEdges.map((b, i) => (i === 0 ? 0 : i === bins ? 1 : standardNormalCdf(b)))
  const normalCounts = counts.map((_, i) => n * (cdf[i + 1] - cdf[i]))
  return { binEdges, counts, normalCounts, beyondEdges: { below, above, normalBelow: n * standardNormalCdf(fromZ), normalAbove: n * standardNormalCdf(-toZ) } }
}

/**
 * Calibration report of scored fills: overall, by participation decile, and the histogram of z
 * against the standard normal's (verdict rules: CALIBRATION_THRESHOLDS).
 * Deciles are equal-count groups by participation: the fills sorted by participation (ties in
 * input order), decile d holding positions floor((d - 1) n / 10) to floor(d n / 10) - 1, so fills
 * of equal participation may straddle two deciles; with fewer than 10 fills some deciles are empty
 * (n 0, nulls). The report does not depend on the side: implementationShortfallBps is already
 * cost-positive for buys and sells (tca.ts). zScore is taken as given
 * ((IS - predicted) / predictedStd); biasBps uses IS - predicted directly. Every number in the
 * report is finite (null where undefined), so it serialises to JSON as is. O(n log n).
 * @throws DomainRangeError naming 'fills', 'fills[i].<field>', 'options.minFills' or
 *   'options.histogram.<field>'
 */
export function calibrationReport (fills: readonly ScoredFill[], options: CalibrationReportOptions = {}): CalibrationReport {
  checkFills(fills)
  const minFills = options.minFills ?? CALIBRATION_THRESHOLDS.minFills
  requireNumber(FN, 'options.minFills', minFills, Number.isInteger(minFills) && minFills >= 2, 'an integer >= 2')
  const thresholds: CalibrationThresholds = { ...CALIBRATION_THRESHOLDS, minFills }
  const n = fills.length
  const all = Array.from({ length: n }, (_, i) => i)
  const sorted = [...all].sort((i, j) => fills[i].participation - fills[j].participation)
  const byParticipationDecile = Array.from({ length: 10 }, (_, d): ParticipationDecileCell => {
    const indices = sorted.slice(Math.floor((d * n) / 10), Math.floor(((d + 1) * n) / 10))
    return {
      decile: d + 1,
      participationMin: indices.length === 0 ? null : fills[indices[0]].participation,
      participationMax: indices.length === 0 ? null : fills[indices[indices.length - 1]].participation,
      ...cellOf(fills, indices, thresholds)
    }
  })
  return {
    thresholds,
    overall: cellOf(fills, all, thresholds),
    byParticipationDecile,
    zHistogram: histogramOf(fills, options.histogram ?? DEFAULT_Z_HISTOGRAM)
  }
}
