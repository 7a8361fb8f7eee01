import { DomainRangeError } from '../errors.js'
import { validateAlmgrenChrissParams, type AlmgrenChrissParams } from './almgren-chriss-params.js'
import { combineCost, computeDiscreteKappa, fillNormalizedTrajectory } from './almgren-chriss-core.js'

export type { AlmgrenChrissParams, AlmgrenChrissMarketParams } from './almgren-chriss-params.js'
export { validateAlmgrenChrissParams } from './almgren-chriss-params.js'
export { efficientFrontier, riskAversionGrid, type FrontierPoint } from './efficient-frontier.js'

/**
 * Optimal (or TWAP) liquidation schedule on the grid t_j = j*tau, j = 0..N, with its
 * expected cost E and variance V (Almgren & Chriss 2000, section 2.2).
 */
export interface ExecutionSchedule {
  /** kappa: discrete urgency, per day; solves (2/tau^2)(cosh(kappa*tau) - 1) = kappaTilde^2. 0 for TWAP. */
  kappa: number
  /** kappaTilde = sqrt(lambda*sigma^2/etaTilde), per day (the continuous-time limit of kappa). 0 for TWAP. */
  kappaTilde: number
  /** etaTilde = eta - gamma*tau/2, quote*day per base^2. */
  etaTilde: number
  /** tau = T/N, days. */
  tauDays: number
  /** t_j = j*tau, j = 0..N (N+1 entries, last exactly T). */
  timesDays: number[]
  /** x_j: holdings after the j-th trade, j = 0..N (x_0 = X, x_N = 0 exactly). */
  holdingsBase: number[]
  /** n_j = x_{j-1} - x_j: quantity sold in interval j, j = 1..N (N entries; negative for a buy). */
  tradesBase: number[]
  /** E: expected implementation shortfall, quote. */
  expectedCostQuote: number
  /** V: variance of the implementation shortfall, quote^2. */
  varianceQuote2: number
  /** sqrt(V), quote. */
  stdCostQuote: number
  /** 1/kappa, days; absent when kappa = 0 (TWAP: no decay). */
  halfLifeDays?: number
}

export type ExecutionStrategy = 'optimal' | 'twap'

/**
 * Almgren-Chriss (2000) optimal liquidation of X over T days in N intervals, minimising
 * E + lambda*V with linear permanent (gamma) and temporary (epsilon, eta) impact:
 *   x_j = X * sinh(kappa(T - t_j)) / sinh(kappa T), t_j = j*tau, j = 0..N,
 * with the paper's discrete kappa; kappa = 0 (lambda = 0 or sigma = 0) is TWAP, x_j = X(1 - j/N).
 * A buy (X < 0) mirrors a sell: holdings and trades negate, E and V are unchanged.
 *
 * O(N) time, one pass, preallocated arrays.
 * @param strategy 'twap' returns the lambda = 0 trajectory with its own E and V (kappa fields 0)
 * @throws DomainRangeError for invalid inputs (see validateAlmgrenChrissParams) or overflowing outputs
 * @example optimalSchedule({ initialHoldingsBase: 1e6, horizonDays: 5, periods: 5, riskAversion: 1e-6,
 *   volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 0.0625 }).kappa
 *   // ~0.6067 per day
 */
export function optimalSchedule (params: AlmgrenChrissParams, strategy: ExecutionStrategy = 'optimal'): ExecutionSchedule {
  const fn = 'optimalSchedule'
  const { tauDays, etaTilde } = validateAlmgrenChrissParams(params, fn)
  if (strategy !== 'optimal' && strategy !== 'twap') throw new TypeError(`${fn}: strategy must be 'optimal' or 'twap'`)
  const { initialHoldingsBase, periods, horizonDays } = params

  let kappaTilde = 0
  let kappaTau = 0
  let kappa = 0
  if (strategy === 'optimal') ({ kappaTilde, kappaTau, kappa } = computeDiscreteKappa(fn, params.riskAversion, params.volQuote, etaTilde, tauDays))

  const holdingsBase = new Array<number>(periods + 1)
  const sums = fillNormalizedTrajectory(periods, kappaTau, holdingsBase)
  const { expectedCostQuote, varianceQuote2 } = combineCost(fn, params, etaTilde, tauDays, sums)

  const timesDays = new Array<number>(periods + 1)
  const tradesBase = new Array<number>(periods)
  timesDays[0] = 0
  holdingsBase[0] = initialHoldingsBase
  for (let j = 1; j <= periods; j++) {
    timesDays[j] = j * tauDays
    const holding = initialHoldingsBase * holdingsBase[j]
    holdingsBase[j] = holding
    tradesBase[j - 1] = holdingsBase[j - 1] - holding
  }
  timesDays[periods] = horizonDays
  holdingsBase[periods] = 0 // X * 0 would be -0 for a buy

  const schedule: ExecutionSchedule = {
    kappa,
    kappaTilde,
    etaTilde,
    tauDays,
    timesDays,
    holdingsBase,
    tradesBase,
    expectedCostQuote,
    varianceQuote2,
    stdCostQuote: Math.sqrt(varianceQuote2)
  }
  const halfLifeDays = 1 / kappa
  if (kappa > 0 && Number.isFinite(halfLifeDays)) schedule.halfLifeDays = halfLifeDays
  return schedule
}

/**
 * E and V (paper section 1.5) of any trajectory x_0 = X, x_1, ..., x_N = 0 on the grid tau = T/N:
 *   E = gamma*X^2/2 + epsilon*sum|n_j| + (etaTilde/tau)*sum n_j^2, V = sigma^2 tau sum_{j=1..N} x_j^2.
 * riskAversion is validated but not used. O(N).
 * @throws DomainRangeError (param holdingsBase) unless holdingsBase has N+1 finite entries,
 *   holdingsBase[0] === initialHoldingsBase and holdingsBase[N] === 0; or for invalid params / overflow
 */
export function trajectoryCost (
  params: AlmgrenChrissParams,
  holdingsBase: readonly number[]
): { expectedCostQuote: number, varianceQuote2: number } {
  const fn = 'trajectoryCost'
  const { tauDays, etaTilde } = validateAlmgrenChrissParams(params, fn)
  const { initialHoldingsBase, periods } = params
  const fail = (rule: string): never => {
    throw new DomainRangeError(`${fn}: holdingsBase must ${rule}`, 'holdingsBase', rule)
  }
  if (!Array.isArray(holdingsBase)) throw new TypeError(`${fn}: holdingsBase must be an array`)
  if (holdingsBase.length !== periods + 1) fail(`have periods + 1 = ${periods + 1} entries (got ${holdingsBase.length})`)
  if (holdingsBase[0] !== initialHoldingsBase) fail(`start at initialHoldingsBase = ${initialHoldingsBase} (got ${holdingsBase[0]})`)
  if (holdingsBase[periods] !== 0) fail(`end at 0 (got ${holdingsBase[periods]})`)

  let previous = 1
  let sumAbsTrade = 0
  let sumSqTrade = 0
  let sumSqHolding = 0
  for (let j = 1; j <= periods; j++) {
    const value = holdingsBase[j]
    if (!Number.isFinite(value)) fail(`contain only finite numbers (index ${j} is ${value})`)
    const holding = value / initialHoldingsBase
    const trade = previous - holding
    sumAbsTrade += Math.abs(trade)
    sumSqTrade += trade * trade
    sumSqHolding += holding * holding
    previous = holding
  }
  return combineCost(fn, params, etaTilde, tauDays, { sumAbsTrade, sumSqTrade, sumSqHolding })
}
