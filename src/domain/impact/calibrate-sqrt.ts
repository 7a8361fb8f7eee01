import { DomainRangeError } from '../errors.js'

/** One observed trade (or metaorder) and the price move over the same window. */
export interface ImpactSample {
  /** Q, base units: positive for buys, negative for sells */
  signedQtyBase: number
  /** V, average daily volume in base units */
  advBase: number
  /** sigma, daily volatility as a fraction */
  volDaily: number
  /** dP/P over the same window, as the market moved (positive = price went up) */
  signedReturn: number
}

/**
 * Why samples were left out. Each sample is counted once, under the first reason that applies,
 * in this order: nonFinite, nonPositiveAdvOrVol, zeroQty, zeroImpact, priceImprovement.
 * (A sample whose |Q|/V or |dP/P|/sigma under/overflows to 0 or Infinity counts as nonFinite.)
 */
export interface SamplesDropped {
  zeroQty: number
  zeroImpact: number
  priceImprovement: number
  nonFinite: number
  nonPositiveAdvOrVol: number
}

export interface Range { min: number, max: number }

/** Result of the log-linear fit ln(|dP/P| / sigma) = ln(eta) + delta * ln(|Q| / V). */
export interface SqrtCalibration {
  /** eta = exp(a) */
  impactCoef: number
  /** delta = b; not clamped, so check it before serving (sqrtImpactCost needs (0, 2]) */
  impactExponent: number
  /** delta-method standard error of eta: eta * se(a) */
  impactCoefStdErr: number
  /** OLS standard error of b */
  impactExponentStdErr: number
  /** OLS standard error of a = ln(eta) */
  interceptStdErr: number
  /** R^2 of the log fit, in [0, 1] (1 when every y is equal, so there is nothing to explain) */
  logR2: number
  /** residual standard deviation of the log fit, sqrt(SSE / (n - 2)) */
  residualStdLog: number
  /** Duan (1983) smearing mean(exp(residual)): expected impact = eta * p^delta * sigma * smearing */
  smearingFactor: number
  samplesUsed: number
  samplesDropped: SamplesDropped
  /** range of the used |Q| / V */
  participationRange: Range
  /** range of the used volDaily */
  volDailyRange: Range
}

export type CalibrationErrorCode = 'INSUFFICIENT_SAMPLES' | 'DEGENERATE_SIZES'

/**
 * The samples cannot identify the model. A DomainRangeError on param 'samples' (routes map it
 * to a 422), with a stable `code` and the drop counts so callers can say why.
 */
export class CalibrationError extends DomainRangeError {
  readonly code: CalibrationErrorCode
  readonly samplesUsed: number
  readonly samplesDropped: SamplesDropped

  constructor (message: string, code: CalibrationErrorCode, samplesUsed: number, samplesDropped: SamplesDropped) {
    super(message, 'samples', code === 'INSUFFICIENT_SAMPLES' ? 'enough usable samples' : 'sizes |Q|/V that vary')
    this.code = code
    this.samplesUsed = samplesUsed
    this.samplesDropped = { ...samplesDropped }
  }
}

/**
 * Relative degeneracy threshold on var(x), x = ln(|Q|/V): the sizes are "all equal" when
 * var(x) < DEGENERATE_LOG_SIZE_VARIANCE * (1 + mean(x)^2). Rounding alone puts noise of about
 * 2.2e-16 * (1 + |x|) on x (variance ~5e-32 * (1 + x^2)); 1e-20 leaves a margin of 1e11 above
 * that, while sizes that differ by 1e-6 relative (variance >= ~1e-13) still count as informative.
 */
export const DEGENERATE_LOG_SIZE_VARIANCE = 1e-20

function emptyDropped (): SamplesDropped {
  return { zeroQty: 0, zeroImpact: 0, priceImprovement: 0, nonFinite: 0, nonPositiveAdvOrVol: 0 }
}

function droppedSummary (d: SamplesDropped): string {
  return `zeroQty=${d.zeroQty}, zeroImpact=${d.zeroImpact}, priceImprovement=${d.priceImprovement}, nonFinite=${d.nonFinite}, nonPositiveAdvOrVol=${d.nonPositiveAdvOrVol}`
}

/** Compensated (Neumaier) sum of a Float64Array prefix; used for means and moment sums. */
function neumaierMean (values: Float64Array, n: number): number {
  let sum = 0
  let compensation = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    const t = sum + v
    compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum
    sum = t
  }
  return (sum + compensation) / n
}

function requireArray (fn: string, samples: unknown): asserts samples is readonly ImpactSample[] {
  if (!Array.isArray(samples)) throw new TypeError(`${fn}: samples must be an array of ImpactSample`)
}

/** Checks the fields every fit needs; returns the drop reason or undefined. */
function basicDropReason (s: ImpactSample): keyof SamplesDropped | undefined {
  if (!Number.isFinite(s.signedQtyBase) || !Number.isFinite(s.advBase) || !Number.isFinite(s.volDaily) || !Number.isFinite(s.signedReturn)) return 'nonFinite'
  if (!(s.advBase > 0) || !(s.volDaily > 0)) return 'nonPositiveAdvOrVol'
  if (s.signedQtyBase === 0) return 'zeroQty'
  const participation = Math.abs(s.signedQtyBase) / s.advBase
  if (!(participation > 0 && participation < Infinity)) return 'nonFinite'
  return undefined
}

/**
 * Fits the square-root law by log-linear OLS (the chapter's calibration):
 *   y = ln(|dP/P| / sigma), x = ln(|Q| / V), y = a + b x, eta = exp(a), delta = b.
 * Samples with Q = 0, dP/P = 0 or price improvement (sign(Q) * dP/P < 0) have no logarithm
 * that means impact; they are counted and left out, never folded in as |dP/P|.
 * Sums are two-pass and centred (means by compensated summation). O(n) time and memory.
 * Reference: Almgren et al. (2005); Duan (1983) "Smearing estimate: a nonparametric
 * retransformation method", JASA 78(383).
 * @throws TypeError if samples is not an array.
 * @throws CalibrationError 'INSUFFICIENT_SAMPLES' with fewer than 3 usable samples,
 *   'DEGENERATE_SIZES' when every used |Q|/V is equal (see DEGENERATE_LOG_SIZE_VARIANCE).
 */
export function calibrateSqrtImpact (samples: readonly ImpactSample[]): SqrtCalibration {
  requireArray('calibrateSqrtImpact', samples)
  const dropped = emptyDropped()
  const xs = new Float64Array(samples.length)
  const ys = new Float64Array(samples.length)
  let n = 0
  let minP = Infinity; let maxP = -Infinity; let minVol = Infinity; let maxVol = -Infinity
  for (const s of samples) {
    let reason = basicDropReason(s)
    if (reason === undefined) {
      const directedReturn = Math.sign(s.signedQtyBase) * s.signedReturn
      if (directedReturn === 0) reason = 'zeroImpact'
      else if (directedReturn < 0) reason = 'priceImprovement'
      else {
        const participation = Math.abs(s.signedQtyBase) / s.advBase
        const scaledImpact = directedReturn / s.volDaily
        if (!(scaledImpact > 0 && scaledImpact < Infinity)) reason = 'nonFinite'
        else {
          xs[n] = Math.log(participation)
          ys[n] = Math.log(scaledImpact)
          n++
          if (participation < minP) minP = participation
          if (participation > maxP) maxP = participation
          if (s.volDaily < minVol) minVol = s.volDaily
          if (s.volDaily > maxVol) maxVol = s.volDaily
        }
      }
    }
    if (reason !== undefined) dropped[reason]++
  }

  if (n < 3) {
    throw new CalibrationError(`calibrateSqrtImpact: needs at least 3 usable samples, got ${n} of ${samples.length} (dropped: ${droppedSummary(dropped)})`, 'INSUFFICIENT_SAMPLES', n, dropped)
  }

  const meanX = neumaierMean(xs, n)
  const meanY = neumaierMean(ys, n)
  let sxx = 0; let sxy = 0; let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - meanX
    const dy = ys[i] - meanY
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  if (!(sxx / n >= DEGENERATE_LOG_SIZE_VARIANCE * (1 + meanX * meanX))) {
    throw new CalibrationError(`calibrateSqrtImpact: every used sample has the same size |Q|/V (var of ln|Q|/V = ${sxx / n}), so delta cannot be identified`, 'DEGENERATE_SIZES', n, dropped)
  }

  const slope = sxy / sxx
  const intercept = meanY - slope * meanX
  let sse = 0
  let sumExpResidual = 0
  for (let i = 0; i < n; i++) {
    const residual = ys[i] - intercept - slope * xs[i]
    sse += residual * residual
    sumExpResidual += Math.exp(residual)
  }
  const residualVariance = sse / (n - 2)
  const impactExponentStdErr = Math.sqrt(residualVariance / sxx)
  const interceptStdErr = Math.sqrt(residualVariance * (1 / n + meanX * meanX / sxx))
  const impactCoef = Math.exp(intercept)
  const logR2 = syy > 0 ? Math.min(1, Math.max(0, 1 - sse / syy)) : 1

  return {
    impactCoef,
    impactExponent: slope,
    impactCoefStdErr: impactCoef * interceptStdErr,
    impactExponentStdErr,
    interceptStdErr,
    logR2,
    residualStdLog: Math.sqrt(residualVariance),
    smearingFactor: sumExpResidual / n,
    samplesUsed: n,
    samplesDropped: dropped,
    participationRange: { min: minP, max: maxP },
    volDailyRange: { min: minVol, max: maxVol }
  }
}

/** Result of refitImpactCoef: eta with delta held fixed. */
export interface ImpactCoefRefit {
  impactCoef: number
  /** OLS standard error of the through-origin slope, sqrt(s^2 / sum(g^2)), s^2 = SSE / (n - 1) */
  impactCoefStdErr: number
  samplesUsed: number
  /** zeroImpact and priceImprovement are always 0 here: those returns are kept */
  samplesDropped: SamplesDropped
}

/**
 * The delta-fixed benchmark: eta by least squares of dP/P on g = sign(Q) * sigma * (|Q|/V)^delta
 * through the origin, eta = sum(g r) / sum(g^2), over every sample with Q != 0 and finite,
 * positive adv and vol. Price improvement and zero returns are legitimate observations of the
 * signed return and are kept. g is scaled by max|g| before squaring (no underflow); sums are
 * compensated. O(n).
 * @param impactExponent delta, in (0, 2]; default 0.5 (the square-root law)
 * @throws TypeError if samples is not an array.
 * @throws DomainRangeError 'impactExponent' outside (0, 2].
 * @throws CalibrationError 'INSUFFICIENT_SAMPLES' with fewer than 2 usable samples,
 *   'DEGENERATE_SIZES' when every regressor underflows to 0.
 */
export function refitImpactCoef (samples: readonly ImpactSample[], impactExponent = 0.5): ImpactCoefRefit {
  requireArray('refitImpactCoef', samples)
  if (!(impactExponent > 0 && impactExponent <= 2)) {
    throw new DomainRangeError(`refitImpactCoef: impactExponent must be in (0, 2] (got ${impactExponent})`, 'impactExponent', 'in (0, 2]')
  }
  const dropped = emptyDropped()
  const gs = new Float64Array(samples.length)
  const rs = new Float64Array(samples.length)
  let n = 0
  let maxAbsG = 0
  for (const s of samples) {
    const reason = basicDropReason(s)
    if (reason !== undefined) { dropped[reason]++; continue }
    const participation = Math.abs(s.signedQtyBase) / s.advBase
    const g = Math.sign(s.signedQtyBase) * s.volDaily * Math.pow(participation, impactExponent)
    if (!Number.isFinite(g)) { dropped.nonFinite++; continue }
    gs[n] = g
    rs[n] = s.signedReturn
    n++
    if (Math.abs(g) > maxAbsG) maxAbsG = Math.abs(g)
  }
  if (n < 2) {
    throw new CalibrationError(`refitImpactCoef: needs at least 2 usable samples, got ${n} of ${samples.length} (dropped: ${droppedSummary(dropped)})`, 'INSUFFICIENT_SAMPLES', n, dropped)
  }
  if (maxAbsG === 0) {
    throw new CalibrationError('refitImpactCoef: every regressor sigma * (|Q|/V)^delta underflows to 0', 'DEGENERATE_SIZES', n, dropped)
  }
  for (let i = 0; i < n; i++) gs[i] /= maxAbsG
  const scaledGG = new Float64Array(n)
  const scaledGR = new Float64Array(n)
  for (let i = 0; i < n; i++) { scaledGG[i] = gs[i] * gs[i]; scaledGR[i] = gs[i] * rs[i] }
  const meanGG = neumaierMean(scaledGG, n)
  const meanGR = neumaierMean(scaledGR, n)
  const scaledSlope = meanGR / meanGG
  for (let i = 0; i < n; i++) { const e = rs[i] - scaledSlope * gs[i]; scaledGR[i] = e * e }
  const sse = neumaierMean(scaledGR, n) * n
  const scaledStdErr = Math.sqrt(sse / (n - 1) / (meanGG * n))
  return {
    impactCoef: scaledSlope / maxAbsG,
    impactCoefStdErr: scaledStdErr / maxAbsG,
    samplesUsed: n,
    samplesDropped: dropped
  }
}
