import { DomainRangeError } from '../errors.js'
import { requireNonNegative, requireNumber, requirePositive } from '../guards.js'

/**
 * Inputs of the discrete-time Almgren-Chriss model with linear impact.
 *
 * Reference: R. Almgren and N. Chriss (2000), "Optimal Execution of Portfolio
 * Transactions", Journal of Risk 3(2), 5-39, sections 1.5 and 2.2.
 * Units: time in days, quantities in base asset, prices in quote currency.
 */
export interface AlmgrenChrissParams {
  /**
   * X: holdings at t = 0, signed. The paper liquidates X > 0 (a sell); a buy is the
   * mirror image, X < 0 (holdings and trades flip sign, E and V are identical). Must be != 0.
   */
  initialHoldingsBase: number
  /** T: time by which the position must be flat, days, > 0. */
  horizonDays: number
  /** N: number of trading intervals, integer in [1, 10000]; tau = T/N. */
  periods: number
  /** lambda: risk aversion, per unit of quote currency, >= 0 (0 gives TWAP). */
  riskAversion: number
  /** sigma: absolute price volatility, quote per base per sqrt(day), >= 0. */
  volQuote: number
  /** gamma: permanent impact, quote per base^2 (price moves gamma per base traded), >= 0. */
  permanentImpact: number
  /** eta: temporary impact, quote*day per base^2 (price concession eta * tradingRate), > 0. */
  temporaryImpact: number
  /** epsilon: fixed cost of selling per base (half spread plus fees), quote per base, >= 0. */
  halfSpreadQuote: number
}

/** The market and order inputs without lambda (what an efficient frontier sweeps over). */
export type AlmgrenChrissMarketParams = Omit<AlmgrenChrissParams, 'riskAversion'>

export const MAX_PERIODS = 10_000

/** The rule text reported when etaTilde = eta - gamma*tau/2 is not positive. */
export const ETA_TILDE_RULE = 'etaTilde = temporaryImpact - permanentImpact*tauDays/2 must be > 0'

/**
 * Checks every input except riskAversion and returns the derived step and
 * adjusted temporary impact.
 * @param fn name of the public function, quoted in error messages
 * @returns tauDays = T/N and etaTilde = eta - gamma*tau/2 (paper eq. for E with linear impact)
 * @throws DomainRangeError naming the first offending parameter
 */
export function validateMarketParams (
  params: AlmgrenChrissMarketParams,
  fn = 'validateAlmgrenChrissParams'
): { tauDays: number, etaTilde: number } {
  if (params === null || typeof params !== 'object') throw new TypeError(`${fn}: params must be an object`)
  const { initialHoldingsBase, horizonDays, periods, volQuote, permanentImpact, temporaryImpact, halfSpreadQuote } = params
  requireNumber(fn, 'initialHoldingsBase', initialHoldingsBase, initialHoldingsBase !== 0, 'finite and != 0')
  requirePositive(fn, 'horizonDays', horizonDays)
  requireNumber(fn, 'periods', periods, Number.isInteger(periods) && periods >= 1 && periods <= MAX_PERIODS,
    `an integer in [1, ${MAX_PERIODS}]`)
  requireNonNegative(fn, 'volQuote', volQuote)
  requireNonNegative(fn, 'permanentImpact', permanentImpact)
  requirePositive(fn, 'temporaryImpact', temporaryImpact)
  requireNonNegative(fn, 'halfSpreadQuote', halfSpreadQuote)

  const tauDays = horizonDays / periods
  // horizonDays is finite and > 0, but a subnormal horizon can underflow T/N to 0.
  requireNumber(fn, 'horizonDays', tauDays, tauDays > 0, 'large enough that horizonDays/periods > 0')

  const etaTilde = temporaryImpact - permanentImpact * tauDays / 2
  if (!(etaTilde > 0)) {
    throw new DomainRangeError(
      `${fn}: ${ETA_TILDE_RULE}; got temporaryImpact=${temporaryImpact}, permanentImpact=${permanentImpact}, ` +
      `horizonDays=${horizonDays}, periods=${periods} (tauDays=${tauDays}, etaTilde=${etaTilde}); ` +
      'raise temporaryImpact or periods, or shorten horizonDays',
      'temporaryImpact', ETA_TILDE_RULE)
  }
  return { tauDays, etaTilde }
}

/** Checks one risk aversion lambda (finite, >= 0). @throws DomainRangeError naming `param`. */
export function validateRiskAversion (riskAversion: number, fn: string, param = 'riskAversion'): void {
  requireNonNegative(fn, param, riskAversion)
}

/**
 * Checks every Almgren-Chriss input: all finite; X != 0; N an integer in [1, 10000];
 * T > 0; lambda, sigma, gamma, epsilon >= 0; eta > 0; etaTilde = eta - gamma*tau/2 > 0.
 * @returns tauDays = T/N and etaTilde
 * @throws DomainRangeError whose `param` names the offending field and `rule` what it must satisfy
 * @example validateAlmgrenChrissParams({ ...p, periods: 0 }) // throws, err.param === 'periods'
 */
export function validateAlmgrenChrissParams (
  params: AlmgrenChrissParams,
  fn = 'validateAlmgrenChrissParams'
): { tauDays: number, etaTilde: number } {
  const derived = validateMarketParams(params, fn)
  validateRiskAversion(params.riskAversion, fn)
  return derived
}
