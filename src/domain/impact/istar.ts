import { failRange, requireFiniteOutput, requireNonNegative, requireNumber, requirePositive } from '../guards.js'

/**
 * Kissell's I-Star execution cost model (Kissell & Glantz, "Optimal Trading Strategies", 2003;
 * Kissell, Glantz & Malamut, "A practical framework for estimating transaction costs and
 * developing optimal trading strategies to achieve best execution", Finance Research Letters
 * 2004; Kissell, "The Science of Algorithmic Trading and Portfolio Management", 2013):
 *   I*  = a1 * sigma * (|Q| / ADV)^a2                  instantaneous impact (whole order at once)
 *   MI  = b1 * I* * POV^a4 + (1 - b1) * I*             market impact when worked at rate POV
 * All impacts are fractions of the arrival price (0.001 = 10 bps), costs for either side.
 * Kissell's I* is a1 (Q/ADV)^a2 sigma^a3 in bps with an annualised sigma; here a3 = 1 (as in
 * issue 13 and the square-root law), sigma is daily (volDaily) and I* a fraction, so a1 is on
 * another scale (a2, a4, b1 are unit-free and keep their meaning).
 */
export interface IStarParams {
  /** a1: scale of the instantaneous impact, per unit of daily volatility; > 0 */
  a1: number
  /** a2: exponent on the size |Q|/ADV; in (0, 2] (0.5 is the square-root law) */
  a2: number
  /** a4: exponent on the participation rate POV; >= 0 */
  a4: number
  /** b1: share of I* that depends on the trading rate (Kissell's temporary share); in [0, 1] */
  b1: number
}

/**
 * Checks the I-Star parameters, so every cost below is finite, >= 0 and monotone:
 * - a1 > 0: impact is a cost paid by the trader (a1 = 0 would be a model of no impact at all);
 * - 0 < a2 <= 2: I* rises with size (a2 > 0); above 2 the curve is more convex than any
 *   published fit (the square-root law has a2 = 0.5) and overflows quickly;
 * - a4 >= 0: MI never falls when the order is worked faster (POV^a4 non-decreasing);
 * - 0 <= b1 <= 1: b1 and 1 - b1 split I* into a rate-driven and a size-only part, both >= 0.
 * @throws DomainRangeError naming 'a1', 'a2', 'a4' or 'b1'.
 */
export function validateIStarParams (params: IStarParams, fn = 'validateIStarParams'): void {
  const { a1, a2, a4, b1 } = params
  requirePositive(fn, 'a1', a1)
  requireNumber(fn, 'a2', a2, a2 > 0 && a2 <= 2, 'in (0, 2]')
  requireNonNegative(fn, 'a4', a4)
  requireNumber(fn, 'b1', b1, b1 >= 0 && b1 <= 1, 'in [0, 1]')
}

function requirePov (fn: string, param: string, pov: number): void {
  requireNumber(fn, param, pov, pov >= 0 && pov <= 1, 'in [0, 1]')
}

/**
 * Instantaneous impact I* = a1 * volDaily * (|Q|/ADV)^a2 (Kissell's I-Star with a3 = 1), the
 * impact cost if the whole order hit the market at once, as a fraction of price. O(1).
 * @param sizeFractionOfAdv |Q| / ADV, >= 0 (a size, not signed: buys and sells cost alike)
 * @param volDaily sigma, daily volatility as a fraction, >= 0
 * @throws DomainRangeError naming a parameter, 'sizeFractionOfAdv' or 'volDaily'.
 * @example instantaneousImpact({ a1: 0.5, a2: 0.5, a4: 0.5, b1: 0.9 }, 0.01, 0.02) // 0.001
 */
export function instantaneousImpact (params: IStarParams, sizeFractionOfAdv: number, volDaily: number): number {
  const fn = 'instantaneousImpact'
  validateIStarParams(params, fn)
  requireNonNegative(fn, 'sizeFractionOfAdv', sizeFractionOfAdv)
  requireNonNegative(fn, 'volDaily', volDaily)
  if (sizeFractionOfAdv === 0) return 0
  const power = params.a2 === 0.5 ? Math.sqrt(sizeFractionOfAdv) : Math.pow(sizeFractionOfAdv, params.a2)
  const istar = params.a1 * volDaily * power
  requireFiniteOutput(fn, 'sizeFractionOfAdv', istar, sizeFractionOfAdv, 'small enough that I* stays finite')
  return istar
}

/**
 * Market impact of an order worked at participation rate POV (Kissell & Glantz 2003; Kissell 2013):
 *   MI = b1 * I* * POV^a4 + (1 - b1) * I*,
 * a fraction of price, between (1 - b1) I* (POV -> 0, a4 > 0) and I* (POV = 1). O(1).
 * POV = |Q| / (volume traded while the order is worked, the order included), so it lies in
 * [0, 1]; from a market volume V that excludes the order use |Q| / (|Q| + V).
 * @param istar I* from instantaneousImpact, >= 0
 * @param pov participation rate, in [0, 1] (0^0 counts as 1, the a4 -> 0 limit)
 * @throws DomainRangeError naming a parameter, 'istar' or 'pov'.
 */
export function marketImpact (params: IStarParams, istar: number, pov: number): number {
  const fn = 'marketImpact'
  validateIStarParams(params, fn)
  requireNonNegative(fn, 'istar', istar)
  requirePov(fn, 'pov', pov)
  return params.b1 * istar * Math.pow(pov, params.a4) + (1 - params.b1) * istar
}

/** Tolerance on sum(childShares) = 1: rounding of N shares each 1/N stays far below it. */
export const CHILD_SHARES_SUM_TOL = 1e-9

/**
 * Expected impact of a trajectory, each child order paying the rate-driven part at its own
 * period's POV (issue 13 section 2, MI applied per trading period):
 *   sum_j (n_j/Q) * b1 * I* * POV_j^a4 + (1 - b1) * I*.
 * The shares are divided by their sum, so a uniform execution (every POV_j = POV) gives
 * marketImpact(params, istar, POV) up to rounding. O(N).
 * @param istar I* of the whole order, >= 0
 * @param childShares |n_j| / |Q|, each >= 0, summing to 1 within CHILD_SHARES_SUM_TOL
 * @param povs POV_j of each period, in [0, 1], same length as childShares
 * @throws DomainRangeError naming a parameter, 'istar', 'childShares', 'childShares[j]',
 *   'povs' or 'povs[j]'.
 */
export function trajectoryImpact (params: IStarParams, istar: number, childShares: readonly number[], povs: readonly number[]): number {
  const fn = 'trajectoryImpact'
  validateIStarParams(params, fn)
  requireNonNegative(fn, 'istar', istar)
  if (!Array.isArray(childShares) || childShares.length === 0) failRange(fn, 'childShares', 'a non-empty array', childShares)
  if (!Array.isArray(povs) || povs.length !== childShares.length) failRange(fn, 'povs', `an array of ${childShares.length} rates`, povs)
  let shareSum = 0
  let weightedRate = 0
  for (let j = 0; j < childShares.length; j++) {
    requireNonNegative(fn, `childShares[${j}]`, childShares[j])
    requirePov(fn, `povs[${j}]`, povs[j])
    shareSum += childShares[j]
    weightedRate += childShares[j] * Math.pow(povs[j], params.a4)
  }
  requireNumber(fn, 'childShares', shareSum, Math.abs(shareSum - 1) <= CHILD_SHARES_SUM_TOL, `summing to 1 (within ${CHILD_SHARES_SUM_TOL})`)
  return params.b1 * istar * (weightedRate / shareSum) + (1 - params.b1) * istar
}

/**
 * Timing risk per unit notional: the standard deviation of the cost from price moves while the
 * order is worked, sigma * sqrt(tau * sum_{j=1..N} x_j^2) (Almgren & Chriss 2000, "Optimal
 * execution of portfolio transactions", their V[x]; the same V as the schedule's combineCost).
 * Discretisation: x_j is the fraction still held after the j-th period's trade and is exposed
 * over the whole following interval of tauDays (a right Riemann sum of the integral of x(t)^2).
 * TWAP in N periods of tau = T/N gives sigma * sqrt(T (N-1)(2N-1) / (6 N^2)) -> sigma * sqrt(T/3).
 * Immediate execution (N = 1, x_1 = 0) has no timing risk. O(N).
 * @param volDaily sigma, daily volatility fraction, >= 0
 * @param holdingsFractions x_1..x_N, holdings after each period's trade as fractions of the
 *   order (x_0 = 1 is not passed; x_N is normally 0); finite, any sign
 * @param tauDays period length, days, > 0
 * @throws DomainRangeError naming 'volDaily', 'holdingsFractions', 'holdingsFractions[j]' or 'tauDays'.
 * @example timingRiskFraction(0.02, [0.5, 0], 0.5) // 0.02 * sqrt(0.5 * 0.25) ~= 0.00707
 */
export function timingRiskFraction (volDaily: number, holdingsFractions: readonly number[], tauDays: number): number {
  const fn = 'timingRiskFraction'
  requireNonNegative(fn, 'volDaily', volDaily)
  requirePositive(fn, 'tauDays', tauDays)
  if (!Array.isArray(holdingsFractions) || holdingsFractions.length === 0) failRange(fn, 'holdingsFractions', 'a non-empty array', holdingsFractions)
  let sumSq = 0
  for (let j = 0; j < holdingsFractions.length; j++) {
    const x = holdingsFractions[j]
    requireNumber(fn, `holdingsFractions[${j}]`, x, true, 'finite')
    sumSq += x * x
  }
  const risk = volDaily * Math.sqrt(tauDays * sumSq)
  requireFiniteOutput(fn, 'holdingsFractions', risk, sumSq, 'small enough that the timing risk stays finite')
  return risk
}
