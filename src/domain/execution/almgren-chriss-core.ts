import { DomainRangeError } from '../errors.js'
import type { AlmgrenChrissMarketParams } from './almgren-chriss-params.js'

/*
 * Shared numerical core of the discrete Almgren-Chriss (2000) model: discrete kappa,
 * normalised optimal trajectory, and E/V from trajectory sums. Used by almgren-chriss.ts
 * and efficient-frontier.ts.
 */

/** Below this kappa*T the sinh ratio equals the linear one to better than 1e-17 relative. */
const LINEAR_LIMIT_KAPPA_T = 1e-8

/** Sums over a trajectory normalised by X: r_j = x_j/X, d_j = r_{j-1} - r_j. */
export interface NormalizedSums {
  /** sum_{j=1..N} |d_j| */
  sumAbsTrade: number
  /** sum_{j=1..N} d_j^2 */
  sumSqTrade: number
  /** sum_{j=1..N} r_j^2 (x_0 excluded: the paper's V sums x_1..x_N) */
  sumSqHolding: number
}

/**
 * Discrete kappa of the paper (section 2.2): solves (2/tau^2)(cosh(kappa*tau) - 1) = kappaTilde^2.
 * Computed as kappa*tau = 2*asinh(kappaTilde*tau/2), algebraically identical to
 * acosh(1 + kappaTilde^2 tau^2/2) (cosh(a) - 1 = 2 sinh^2(a/2)) but free of cancellation.
 * The chapter uses the continuous kappaTilde as kappa; the paper uses this discrete kappa.
 * @throws DomainRangeError (param riskAversion) if kappaTilde or kappa overflow
 */
export function computeDiscreteKappa (
  fn: string,
  riskAversion: number,
  volQuote: number,
  etaTilde: number,
  tauDays: number
): { kappaTilde: number, kappaTau: number, kappa: number } {
  // sqrt(lambda) * (sigma / sqrt(etaTilde)) avoids overflowing lambda*sigma^2 when the result is finite.
  const kappaTilde = Math.sqrt(riskAversion) * (volQuote / Math.sqrt(etaTilde))
  const halfArg = kappaTilde * (tauDays / 2)
  // asinh(y) = ln(2y) + O(1/y^2): used only when y itself overflows.
  const kappaTau = halfArg === Infinity
    ? 2 * (Math.LN2 + Math.log(kappaTilde) + Math.log(tauDays / 2))
    : 2 * Math.asinh(halfArg)
  const kappa = kappaTau / tauDays // paper's discrete kappa; the chapter uses the continuous kappaTilde here
  if (!Number.isFinite(kappaTilde) || !Number.isFinite(kappa)) {
    const rule = 'kappaTilde = sqrt(riskAversion*volQuote^2/etaTilde) and kappa must be finite'
    throw new DomainRangeError(
      `${fn}: ${rule}; got riskAversion=${riskAversion}, volQuote=${volQuote}, etaTilde=${etaTilde}, tauDays=${tauDays}`,
      'riskAversion', rule)
  }
  return { kappaTilde, kappaTau, kappa }
}

/**
 * Normalised optimal holdings r_j = sinh(kappa(T - t_j))/sinh(kappa T), j = 0..N, and the
 * sums E and V need. Written as exp(-kappa t_j) * expm1(-2 kappa (T - t_j)) / expm1(-2 kappa T),
 * which never overflows (kappa*T = 1e5 is fine) and keeps full relative precision for small
 * arguments; below kappa*T = 1e-8 the exact linear limit (N - j)/N is used (continuous to 1e-17).
 * kappa*(T - t_j) is evaluated as (kappa*tau)*(N - j), so r_N = 0 exactly.
 * The chapter's sinh(kappa(T - t_j)tau)/sinh(kappa T tau) has a spurious factor tau.
 * @param out if given, receives r_0..r_N (length >= N+1)
 */
export function fillNormalizedTrajectory (periods: number, kappaTau: number, out: number[] | null): NormalizedSums {
  const linear = kappaTau * periods < LINEAR_LIMIT_KAPPA_T
  const denominator = linear ? 1 : Math.expm1(-2 * kappaTau * periods)
  let previous = 1
  let sumAbsTrade = 0
  let sumSqTrade = 0
  let sumSqHolding = 0
  if (out !== null) out[0] = 1
  for (let j = 1; j <= periods; j++) {
    const remaining = periods - j
    let holding: number
    if (remaining === 0) holding = 0
    else if (linear) holding = remaining / periods
    else holding = Math.exp(-kappaTau * j) * (Math.expm1(-2 * kappaTau * remaining) / denominator)
    if (out !== null) out[j] = holding
    const trade = previous - holding
    sumAbsTrade += Math.abs(trade)
    sumSqTrade += trade * trade
    sumSqHolding += holding * holding // paper: V sums x_j for j = 1..N; the chapter sums x_(j-1)
    previous = holding
  }
  return { sumAbsTrade, sumSqTrade, sumSqHolding }
}

/**
 * E and V from normalised sums (paper section 1.5, linear impact):
 *   E = gamma*X^2/2 + epsilon*sum|n_j| + (etaTilde/tau)*sum n_j^2
 *   V = sigma^2 * tau * sum_{j=1..N} x_j^2
 * (The chapter writes the permanent term as gamma*sum(n_j^2)/2 and sums x_{j-1} in V: both wrong.)
 * @throws DomainRangeError (param initialHoldingsBase) if E or V overflow
 */
export function combineCost (
  fn: string,
  params: AlmgrenChrissMarketParams,
  etaTilde: number,
  tauDays: number,
  sums: NormalizedSums
): { expectedCostQuote: number, varianceQuote2: number } {
  const absHoldings = Math.abs(params.initialHoldingsBase)
  // quote per base^2; multiplied by |X| twice so that a huge |X| and a tiny coefficient do not overflow X^2 first
  // paper: permanent cost gamma*X^2/2; the chapter writes gamma*sum(n_j^2)/2
  const quadraticCoef = params.permanentImpact / 2 + (etaTilde / tauDays) * sums.sumSqTrade
  const expectedCostQuote = (absHoldings * quadraticCoef) * absHoldings +
    params.halfSpreadQuote * (absHoldings * sums.sumAbsTrade)
  const volTimesHoldings = params.volQuote * absHoldings
  const varianceQuote2 = (volTimesHoldings * (tauDays * sums.sumSqHolding)) * volTimesHoldings
  if (!Number.isFinite(expectedCostQuote) || !Number.isFinite(varianceQuote2)) {
    const rule = 'expected cost and variance must be finite (< 1.7e308)'
    throw new DomainRangeError(
      `${fn}: ${rule}; got E=${expectedCostQuote}, V=${varianceQuote2} for initialHoldingsBase=` +
      `${params.initialHoldingsBase}, volQuote=${params.volQuote}, permanentImpact=${params.permanentImpact}, ` +
      `temporaryImpact=${params.temporaryImpact}, horizonDays=${params.horizonDays}, periods=${params.periods}`,
      'initialHoldingsBase', rule)
  }
  return { expectedCostQuote, varianceQuote2 }
}
