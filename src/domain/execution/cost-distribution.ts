/**
 * The cost of an execution as a distribution (issue 15), not a point estimate.
 *
 * Assumption: the cost C of one execution, in bps of the arrival price, cost-positive, is normal,
 *   C ~ N(mean, std^2),  mean = expected cost (impact + half spread + fees),
 *   std = sqrt(timingRisk^2 + modelRisk^2),
 * - timing risk: the standard deviation of the cost from price moves while the order is worked,
 *   normal price diffusion over the horizon (Almgren & Chriss 2000, their V[x]; istar.ts
 *   timingRiskFraction); 0 for an immediate order;
 * - model risk: the standard deviation of the expected impact from the uncertainty of the fitted
 *   parameters, by the delta method (modelRiskFraction below);
 * the two are independent (the parameters were estimated on other data than this execution's
 * price path), so their variances add. The normal is an approximation: crypto returns have fat
 * tails, so the p99 of a real cost is typically further out than the normal's (the calibration
 * table of `npm run eval` measures how far; tca/calibration-report.ts scores it on fills).
 */
import { failRange, requireFiniteOutput, requireNonNegative, requireNumber } from '../guards.js'
import { deltaMethodStdErr, ISTAR_PARAM_ORDER } from '../impact/istar-covariance.js'
import { validateIStarParams, type IStarParams } from '../impact/istar.js'
import { standardNormalQuantile } from '../normal.js'

/**
 * Relative step of the central finite differences: h_j = FD_RELATIVE_STEP * max(|theta_j|, 1)
 * (a1: FD_RELATIVE_STEP * a1, as a1 has no natural scale). About eps^(1/3) ~ 6e-6, the step that
 * balances the O(h^2) truncation error of a central difference against its O(eps / h) rounding
 * error (Press et al., "Numerical Recipes", 3rd ed. 2007, section 5.7): about 1e-10 relative on
 * a smooth impact.
 */
export const FD_RELATIVE_STEP = 1e-5

/**
 * An unidentified parameter (covariance row null or NaN) counts as not moving the impact when a
 * step of h changes it by no more than this share of the impact: rounding noise, as in
 * d/d b1 of b1 I* POV^0 + (1 - b1) I* = 0 or d/d a4 of anything when b1 = 0.
 */
export const UNIDENTIFIED_ZERO_RELATIVE_CHANGE = 1e-12

/** The parameter box of validateIStarParams, as [lower, upper] and whether each end is attainable. */
const BOX: ReadonlyArray<{ lower: number, upper: number, lowerOpen: boolean }> = [
  { lower: 0, upper: Infinity, lowerOpen: true }, // a1 > 0
  { lower: 0, upper: 2, lowerOpen: true }, // 0 < a2 <= 2
  { lower: 0, upper: Infinity, lowerOpen: false }, // a4 >= 0
  { lower: 0, upper: 1, lowerOpen: false } // 0 <= b1 <= 1
]

function toParams (theta: readonly number[]): IStarParams {
  return { a1: theta[0], a2: theta[1], a4: theta[2], b1: theta[3] }
}

/** The covariance entry, NaN when null (unidentified). */
function entry (covariance: ReadonlyArray<ReadonlyArray<number | null>>, i: number, j: number): number {
  const v = covariance[i][j]
  return v === null ? NaN : v
}

function checkCovariance (fn: string, covariance: ReadonlyArray<ReadonlyArray<number | null>>): boolean[] {
  const k = ISTAR_PARAM_ORDER.length
  if (!Array.isArray(covariance) || covariance.length !== k || covariance.some((row) => !Array.isArray(row) || row.length !== k)) {
    failRange(fn, 'covariance', `a ${k} x ${k} matrix in ISTAR_PARAM_ORDER (a1, a2, a4, b1)`, covariance)
  }
  const unidentified = ISTAR_PARAM_ORDER.map((_, j) => Number.isNaN(entry(covariance, j, j)))
  for (let i = 0; i < k; i++) {
    if (unidentified[i]) continue
    requireNumber(fn, `covariance[${i}][${i}]`, entry(covariance, i, i), entry(covariance, i, i) >= 0, 'finite and >= 0, or null/NaN (unidentified)')
    for (let j = 0; j < k; j++) {
      if (i === j || unidentified[j]) continue
      requireNumber(fn, `covariance[${i}][${j}]`, entry(covariance, i, j), true, 'finite where both parameters are identified')
    }
  }
  return unidentified
}

/**
 * Derivative of `impactOf` in parameter j by finite differences that stay inside the box of
 * validateIStarParams: central (f(x + h) - f(x - h)) / 2h inside, the second-order one-sided
 * (-3 f(x) + 4 f(x + h) - f(x + 2h)) / 2h (mirrored at an upper bound) when x - h or x + h
 * leaves the box (Fornberg 1988, "Generation of finite difference formulas on arbitrarily spaced
 * grids", Math. Comp. 51(184), 699-706, table 1). Both are exact for quadratics.
 */
function partialDerivative (fn: string, theta: readonly number[], j: number, f0: number, impactOf: (params: IStarParams) => number): { derivative: number, maxChange: number } {
  const h = FD_RELATIVE_STEP * (j === 0 ? theta[0] : Math.max(Math.abs(theta[j]), 1))
  const at = (offset: number): number => {
    const shifted = [...theta]
    shifted[j] = theta[j] + offset
    const value = impactOf(toParams(shifted))
    requireNumber(fn, 'impactOf', value, true, `a function returning a finite impact (got a non-finite one at ${ISTAR_PARAM_ORDER[j]} = ${shifted[j]})`)
    return value
  }
  const { lower, upper, lowerOpen } = BOX[j]
  const x = theta[j]
  const belowOk = lowerOpen ? x - h > lower : x - h >= lower
  if (belowOk && x + h <= upper) {
    const up = at(h); const down = at(-h)
    return { derivative: (up - down) / (2 * h), maxChange: Math.max(Math.abs(up - f0), Math.abs(down - f0)) }
  }
  const sign = belowOk ? -1 : 1 // at the upper bound step down, else up
  const one = at(sign * h); const two = at(sign * 2 * h)
  return { derivative: sign * (-3 * f0 + 4 * one - two) / (2 * h), maxChange: Math.max(Math.abs(one - f0), Math.abs(two - f0)) }
}

/**
 * Gradient of an execution's expected impact (a fraction of notional) with respect to the I-Star
 * parameters, in ISTAR_PARAM_ORDER, by finite differences (FD_RELATIVE_STEP; one-sided at a
 * bound of validateIStarParams's box: a2 near 0 or 2, a4 or b1 at 0, b1 at 1). Only the
 * parameters flagged in `which` are differentiated; the others get 0.
 * O(evaluations of impactOf): 2 per flagged parameter.
 * @param impactOf the execution's expected impact under other parameters, e.g.
 *   (p) => repriceTrades(p, plan, volDaily, advBase, plan.tradesBase).impactFraction
 * @param which which parameters to differentiate (default all four)
 * @throws DomainRangeError naming an I-Star parameter, 'which' or 'impactOf' (non-finite value)
 */
export function impactGradient (params: IStarParams, impactOf: (params: IStarParams) => number, which: readonly boolean[] = [true, true, true, true]): number[] {
  return gradientWithChanges('impactGradient', params, impactOf, which).gradient
}

function gradientWithChanges (fn: string, params: IStarParams, impactOf: (params: IStarParams) => number, which: readonly boolean[]): { gradient: number[], maxChanges: number[], f0: number } {
  validateIStarParams(params, fn)
  if (typeof impactOf !== 'function') failRange(fn, 'impactOf', 'a function of the I-Star parameters', impactOf)
  if (!Array.isArray(which) || which.length !== ISTAR_PARAM_ORDER.length) failRange(fn, 'which', `an array of ${ISTAR_PARAM_ORDER.length} booleans`, which)
  const theta = [params.a1, params.a2, params.a4, params.b1]
  const f0 = impactOf(params)
  requireNumber(fn, 'impactOf', f0, true, 'a function returning a finite impact')
  const gradient = [0, 0, 0, 0]
  const maxChanges = [0, 0, 0, 0]
  for (let j = 0; j < theta.length; j++) {
    if (which[j] !== true) continue
    const d = partialDerivative(fn, theta, j, f0, impactOf)
    gradient[j] = d.derivative
    maxChanges[j] = d.maxChange
  }
  return { gradient, maxChanges, f0 }
}

/**
 * Model risk of an execution: the standard deviation of its expected impact (a fraction of
 * notional) from the estimation error of the I-Star parameters, by the delta method
 *   modelRisk = sqrt(g^T V g),  g = d impact / d (a1, a2, a4, b1),
 * (e.g. Greene, "Econometric Analysis", 7th ed. 2012, theorem D.22; deltaMethodStdErr in
 * istar-covariance.ts), V the fit's covariance. g comes from impactGradient (central finite
 * differences, one-sided at a bound of the box), over the parameters with a non-zero variance
 * only: a fixed parameter (row 0) adds nothing and is not differentiated.
 * Unidentified parameters (a row of null or NaN, as the fit reports a4 when b1 = 0): when the
 * impact does not move with the parameter (a step changes it by at most
 * UNIDENTIFIED_ZERO_RELATIVE_CHANGE of itself) it adds nothing; when it does, the risk cannot be
 * computed and the result is undefined (the caller reports the model risk as unavailable; never NaN).
 * A parameter on a bound of the box (its covariance from a fit that ended there) gets the
 * one-sided derivative; the delta method is then only a rough guide (the estimate is not
 * asymptotically normal at a bound).
 * O(evaluations of impactOf): 1 + 2 per parameter with a non-zero or unknown variance.
 * @param covariance 4 x 4 in ISTAR_PARAM_ORDER (as embedded/models.json istar.calibration.covariance.matrix
 *   or IStarCalibration's covariance): symmetric, diagonal >= 0, rows of fixed parameters 0, rows
 *   (and columns) of unidentified ones null or NaN
 * @param impactOf the execution's expected impact (fraction, >= 0) under other parameters, e.g.
 *   (p) => repriceTrades(p, plan, volDaily, advBase, plan.tradesBase).impactFraction for a plan,
 *   (p) => instantaneousImpact(p, qtyBase / advBase, volDaily) for an immediate order
 * @returns the model risk as a fraction of notional (>= 0), or undefined when an unidentified
 *   parameter moves the impact
 * @throws DomainRangeError naming an I-Star parameter, 'covariance', 'covariance[i][j]' or 'impactOf'
 * @example
 * // square-root law, only a1 uncertain: the risk is impact * se(a1) / a1
 * modelRiskFraction({ a1: 1.764, a2: 0.5, a4: 0, b1: 0 }, [[0.0057, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
 *   (p) => instantaneousImpact(p, 0.01, 0.03)) // ~ 0.0053 * 0.0755 / 1.764 ~ 2.27e-4
 */
export function modelRiskFraction (params: IStarParams, covariance: ReadonlyArray<ReadonlyArray<number | null>>, impactOf: (params: IStarParams) => number): number | undefined {
  const fn = 'modelRiskFraction'
  validateIStarParams(params, fn)
  const unidentified = checkCovariance(fn, covariance)
  const which = ISTAR_PARAM_ORDER.map((_, j) => unidentified[j] || entry(covariance, j, j) > 0)
  const { gradient, maxChanges, f0 } = gradientWithChanges(fn, params, impactOf, which)
  for (let j = 0; j < gradient.length; j++) {
    if (!unidentified[j]) continue
    if (maxChanges[j] > UNIDENTIFIED_ZERO_RELATIVE_CHANGE * Math.abs(f0)) return undefined
    gradient[j] = 0
  }
  // unidentified rows no longer used (their gradient is 0): zero them so no NaN reaches the sum
  const clean = ISTAR_PARAM_ORDER.map((_, i) => ISTAR_PARAM_ORDER.map((__, j) => (which[i] && which[j] && !unidentified[i] && !unidentified[j] ? entry(covariance, i, j) : 0)))
  const risk = deltaMethodStdErr(gradient, clean)
  requireFiniteOutput(fn, 'covariance', risk, Math.max(...clean.map((row, i) => row[i])), 'small enough that the model risk stays finite')
  return risk
}

/** The quantile levels of costDistribution. */
export const COST_QUANTILE_LEVELS = { p05: 0.05, p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const

export interface CostQuantilesBps { p05: number, p50: number, p90: number, p95: number, p99: number }

export interface CostDistributionInput {
  /** expected cost (impact + half spread + fees), bps, cost-positive; finite (may be < 0 with rebates) */
  expectedCostBps: number
  /** std of the cost from price moves over the horizon, bps, >= 0 */
  timingRiskBps: number
  /** std of the expected impact from parameter uncertainty, bps, >= 0 (modelRiskFraction in bps) */
  modelRiskBps: number
}

export interface CostDistribution extends CostDistributionInput {
  /** sqrt(timingRiskBps^2 + modelRiskBps^2) */
  costStdBps: number
  /** mean + z_p * costStdBps, z_p the standard normal quantile; p50 is the mean */
  costQuantilesBps: CostQuantilesBps
}

// upper-tail z values; the lower ones are their negatives, so the quantiles are symmetric about the mean exactly
const Z_90 = standardNormalQuantile(COST_QUANTILE_LEVELS.p90)
const Z_95 = standardNormalQuantile(COST_QUANTILE_LEVELS.p95)
const Z_99 = standardNormalQuantile(COST_QUANTILE_LEVELS.p99)

/**
 * The cost of an execution as a normal distribution (assumption and sources: this file's header):
 * mean expectedCostBps, std sqrt(timingRiskBps^2 + modelRiskBps^2) (Math.hypot: no overflow of
 * the squares), and its quantiles mean + z_p std with z_p = standardNormalQuantile(p) (Wichura's
 * AS241, normal.ts): p05 = mean - z_0.95 std and p95 = mean + z_0.95 std exactly, p50 = mean
 * exactly, so the quantiles are non-decreasing (strictly when std > 0) and all equal the mean
 * when std = 0. O(1).
 * @throws DomainRangeError naming 'expectedCostBps' (not finite), 'timingRiskBps' or
 *   'modelRiskBps' (not finite or < 0), or the input behind an overflowed output
 * @example costDistribution({ expectedCostBps: 10, timingRiskBps: 3, modelRiskBps: 4 })
 * // costStdBps 5, p05 1.776, p50 10, p90 16.408, p95 18.224, p99 21.632
 */
export function costDistribution (input: CostDistributionInput): CostDistribution {
  const fn = 'costDistribution'
  const { expectedCostBps, timingRiskBps, modelRiskBps } = input
  requireNumber(fn, 'expectedCostBps', expectedCostBps, true, 'finite')
  requireNonNegative(fn, 'timingRiskBps', timingRiskBps)
  requireNonNegative(fn, 'modelRiskBps', modelRiskBps)
  const costStdBps = Math.hypot(timingRiskBps, modelRiskBps)
  requireFiniteOutput(fn, timingRiskBps >= modelRiskBps ? 'timingRiskBps' : 'modelRiskBps', costStdBps, Math.max(timingRiskBps, modelRiskBps))
  const costQuantilesBps: CostQuantilesBps = {
    p05: expectedCostBps - Z_95 * costStdBps,
    p50: expectedCostBps,
    p90: expectedCostBps + Z_90 * costStdBps,
    p95: expectedCostBps + Z_95 * costStdBps,
    p99: expectedCostBps + Z_99 * costStdBps
  }
  const rule = 'small enough, with the risks, that the cost quantiles stay finite'
  requireFiniteOutput(fn, 'expectedCostBps', costQuantilesBps.p05, expectedCostBps, rule)
  requireFiniteOutput(fn, 'expectedCostBps', costQuantilesBps.p99, expectedCostBps, rule)
  return { expectedCostBps, timingRiskBps, modelRiskBps, costStdBps, costQuantilesBps }
}
