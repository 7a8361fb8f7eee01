import { DomainRangeError } from '../errors.js'
import { requireNumber, requirePositive } from '../guards.js'
import { validateMarketParams, validateRiskAversion, type AlmgrenChrissMarketParams } from './almgren-chriss-params.js'
import { combineCost, computeDiscreteKappa, fillNormalizedTrajectory } from './almgren-chriss-core.js'

/** One point of the Almgren-Chriss efficient frontier. */
export interface FrontierPoint {
  /** lambda, per unit of quote currency */
  riskAversion: number
  /** E of the optimal trajectory for this lambda, quote */
  expectedCostQuote: number
  /** V of the optimal trajectory for this lambda, quote^2 */
  varianceQuote2: number
  /** sqrt(V), quote */
  stdCostQuote: number
}

export const MAX_FRONTIER_POINTS = 1000

/**
 * The efficient frontier (Almgren & Chriss 2000, section 2.4): (E, V) of the optimal
 * trajectory for each lambda. Larger lambda gives higher E and lower V. No trajectory
 * arrays are allocated: O(N) time and O(1) memory per point.
 * @param riskAversions lambdas, each finite and >= 0; 1 to 1000 of them, any order (output keeps it)
 * @throws DomainRangeError for invalid market params, an empty or too long list (param riskAversions),
 *   a bad lambda (param riskAversions, index in the message) or an overflowing E or V
 */
export function efficientFrontier (
  params: AlmgrenChrissMarketParams,
  riskAversions: readonly number[]
): FrontierPoint[] {
  const fn = 'efficientFrontier'
  const { tauDays, etaTilde } = validateMarketParams(params, fn)
  if (!Array.isArray(riskAversions)) throw new TypeError(`${fn}: riskAversions must be an array`)
  if (riskAversions.length < 1 || riskAversions.length > MAX_FRONTIER_POINTS) {
    const rule = `between 1 and ${MAX_FRONTIER_POINTS} entries`
    throw new DomainRangeError(`${fn}: riskAversions must have ${rule} (got ${riskAversions.length})`, 'riskAversions', rule)
  }
  for (let i = 0; i < riskAversions.length; i++) validateRiskAversion(riskAversions[i], `${fn} (index ${i})`, 'riskAversions')

  const points = new Array<FrontierPoint>(riskAversions.length)
  for (let i = 0; i < riskAversions.length; i++) {
    const riskAversion = riskAversions[i]
    const { kappaTau } = computeDiscreteKappa(fn, riskAversion, params.volQuote, etaTilde, tauDays)
    const sums = fillNormalizedTrajectory(params.periods, kappaTau, null)
    const { expectedCostQuote, varianceQuote2 } = combineCost(fn, params, etaTilde, tauDays, sums)
    points[i] = { riskAversion, expectedCostQuote, varianceQuote2, stdCostQuote: Math.sqrt(varianceQuote2) }
  }
  return points
}

/**
 * `count` risk aversions spaced evenly in log between minRiskAversion and maxRiskAversion
 * (both included exactly), increasing.
 * @throws DomainRangeError unless 0 < minRiskAversion < maxRiskAversion (finite) and count is an integer in [2, 1000]
 * @example riskAversionGrid(1e-8, 1e-4, 5) // [1e-8, 1e-7, 1e-6, 1e-5, 1e-4] (to rounding)
 */
export function riskAversionGrid (minRiskAversion: number, maxRiskAversion: number, count: number): number[] {
  const fn = 'riskAversionGrid'
  requirePositive(fn, 'minRiskAversion', minRiskAversion)
  requireNumber(fn, 'maxRiskAversion', maxRiskAversion, maxRiskAversion > minRiskAversion, 'finite and > minRiskAversion')
  requireNumber(fn, 'count', count, Number.isInteger(count) && count >= 2 && count <= MAX_FRONTIER_POINTS,
    `an integer in [2, ${MAX_FRONTIER_POINTS}]`)

  const logMin = Math.log(minRiskAversion)
  const logStep = (Math.log(maxRiskAversion) - logMin) / (count - 1)
  const grid = new Array<number>(count)
  grid[0] = minRiskAversion
  // clamped so rounding in exp/log can never step outside [min, max] when the ratio is within an ulp of 1
  for (let k = 1; k < count - 1; k++) {
    grid[k] = Math.min(maxRiskAversion, Math.max(minRiskAversion, Math.exp(logMin + k * logStep)))
  }
  grid[count - 1] = maxRiskAversion
  return grid
}
