import { failRange, requireFinite, requireFiniteOutput, requirePositive } from '../guards.js'

/**
 * Parameters of the square-root impact law
 *   dP/P = sign(Q) * eta * sigma * (|Q| / V)^delta
 * (Almgren, Thum, Hauptmann & Li 2005, "Direct estimation of equity market impact";
 * Toth et al. 2011, "Anomalous price impact and the critical nature of liquidity").
 */
export interface SqrtImpactParams {
  /** eta: impact coefficient, dimensionless, >= 0 (typically 0.1 to 1) */
  impactCoef: number
  /** delta: exponent on participation, in (0, 2]; empirically close to 0.5 */
  impactExponent: number
  /**
   * Duan (1983) smearing factor mean(exp(residual)) from the log-linear fit, > 0. The log
   * fit estimates the MEDIAN impact; multiplying by this gives the MEAN. Default 1.
   */
  smearingFactor?: number
}

/**
 * Checks eta, delta and the smearing factor; shared by the cost functions and by callers that
 * want to reject a model once, when it is loaded.
 * @throws DomainRangeError naming 'impactCoef', 'impactExponent' or 'smearingFactor'.
 */
export function validateSqrtImpactParams (params: SqrtImpactParams, fn = 'validateSqrtImpactParams'): void {
  const { impactCoef, impactExponent, smearingFactor } = params
  // conditions inline, the throw out of line: this runs on every estimate (bench: a guard call per check cost 3-7x here)
  if (!(impactCoef >= 0 && impactCoef < Infinity)) failRange(fn, 'impactCoef', 'finite and >= 0', impactCoef)
  if (!(impactExponent > 0 && impactExponent <= 2)) failRange(fn, 'impactExponent', 'in (0, 2]', impactExponent)
  if (smearingFactor !== undefined && !(smearingFactor > 0 && smearingFactor < Infinity)) failRange(fn, 'smearingFactor', 'finite and > 0', smearingFactor)
}

/** participation^delta without allocation; Math.sqrt for the common delta = 0.5. */
function participationPower (participation: number, impactExponent: number): number {
  return impactExponent === 0.5 ? Math.sqrt(participation) : Math.pow(participation, impactExponent)
}

/**
 * Expected impact COST of an order as a fraction of the arrival price (positive = cost),
 *   cost = eta * sigma * p^delta * smearing,   p = |Q| / ADV.
 * Zero when participation is 0. Allocation-free (HTTP hot path). O(1).
 * @param params eta (impactCoef), delta (impactExponent), smearing (smearingFactor, default 1)
 * @param participation |Q| / V, dimensionless, >= 0
 * @param volDaily sigma, daily volatility as a fraction (0.02 = 2 %/day), >= 0
 * @throws DomainRangeError naming 'participation', 'volDaily', 'impactCoef', 'impactExponent'
 *   or 'smearingFactor' when an input is non-finite or out of range, or 'participation' when
 *   the cost would overflow.
 * @example sqrtImpactCost({ impactCoef: 0.5, impactExponent: 0.5 }, 0.01, 0.02) // 0.001 (10 bps)
 */
export function sqrtImpactCost (params: SqrtImpactParams, participation: number, volDaily: number): number {
  validateSqrtImpactParams(params, 'sqrtImpactCost')
  if (!(participation >= 0 && participation < Infinity)) failRange('sqrtImpactCost', 'participation', 'finite and >= 0', participation)
  if (!(volDaily >= 0 && volDaily < Infinity)) failRange('sqrtImpactCost', 'volDaily', 'finite and >= 0', volDaily)
  if (participation === 0) return 0
  const cost = params.impactCoef * volDaily * participationPower(participation, params.impactExponent) * (params.smearingFactor ?? 1)
  if (!(cost < Infinity)) failRange('sqrtImpactCost', 'participation', 'small enough that the impact cost stays finite', participation)
  return cost
}

/**
 * Predicted signed return dP/P of a trade: sign(Q) * sqrtImpactCost(|Q| / ADV): positive for
 * buys (price pushed up), negative for sells. Allocation-free. O(1).
 * @param signedQtyBase Q, base units, positive for buys, negative for sells
 * @param advBase V, average daily volume in base units, > 0
 * @param volDaily sigma, daily volatility fraction, >= 0
 * @throws DomainRangeError naming 'signedQtyBase', 'advBase', 'volDaily' or a parameter name
 *   (see sqrtImpactCost); 'signedQtyBase' when |Q| / V overflows.
 */
export function sqrtImpactSignedReturn (params: SqrtImpactParams, signedQtyBase: number, advBase: number, volDaily: number): number {
  requireFinite('sqrtImpactSignedReturn', 'signedQtyBase', signedQtyBase)
  requirePositive('sqrtImpactSignedReturn', 'advBase', advBase)
  const participation = Math.abs(signedQtyBase) / advBase
  requireFiniteOutput('sqrtImpactSignedReturn', 'signedQtyBase', participation, signedQtyBase, 'small enough that |Q| / advBase stays finite')
  const cost = sqrtImpactCost(params, participation, volDaily)
  if (signedQtyBase === 0) return 0
  return signedQtyBase > 0 ? cost : -cost
}
