import { DomainRangeError } from '../errors.js'
import { requireFiniteOutput, requireNonNegative, requireNumber, requirePositive } from '../guards.js'
import type { ExecutionSchedule } from './almgren-chriss.js'
import { MAX_PERIODS } from './almgren-chriss-params.js'
import { solveNormalized } from './power-law-solver.js'

/**
 * Inputs of optimal execution with a power-law temporary impact (Almgren 2003, "Optimal execution
 * with nonlinear impact functions and trading-enhanced risk", Applied Mathematical Finance 10; the
 * linear case is Almgren & Chriss 2000). Sell X > 0 (or buy, X < 0: the mirror image) over N periods
 * of tau = T/N days; holdings x_0 = X, x_N = 0, trades n_j = x_{j-1} - x_j, POV_j = |n_j|/v_j.
 *   E = P * sum_j |n_j| * (k * POV_j^a + c0) + gamma*X^2/2   (quote)
 *   V = sigma^2 * tau * sum_{j=1..N} x_j^2                     (quote^2, as in almgren-chriss.ts)
 * k*POV^a is the rate-driven part of Kissell's I-Star (b1*I*), c0 its size-only part ((1-b1)*I*),
 * both fractions of notional; Almgren (2003) writes the temporary impact as eta*v^k (his k is a4).
 */
export interface PowerLawMarketParams {
  /** X: holdings at t = 0, signed (> 0 sells, < 0 buys), != 0. */
  initialHoldingsBase: number
  /** T: horizon, days, > 0. */
  horizonDays: number
  /** N: number of periods, integer in [1, 10000]. */
  periods: number
  /** sigma: absolute volatility, quote per base per sqrt(day), >= 0 (volDaily * priceQuote). */
  volQuote: number
  /** P: arrival price, quote per base, > 0. */
  priceQuote: number
  /** v_j: market volume in period j = 1..N (N entries), base, each > 0. */
  periodVolumeBase: readonly number[]
  /** k: rate-driven cost per unit notional at POV = 1, a fraction (not bps), > 0 (I-Star's b1*I*). */
  rateImpactCoef: number
  /** a: exponent of POV, > 0 (I-Star's a4; Almgren 2003's k). a = 1 is Almgren-Chriss linear impact. */
  rateImpactExponent: number
  /** c0: size-only cost per unit notional, a fraction, >= 0 (I-Star's (1-b1)*I*, or a half spread); default 0. */
  fixedImpactRate?: number
  /** gamma: linear permanent impact, quote per base^2, >= 0; costs gamma*X^2/2 whatever the trajectory; default 0. */
  permanentImpact?: number
  /** Cap on every period's POV = |n_j|/v_j, > 0; absent means uncapped. */
  maxParticipation?: number
}

export interface PowerLawScheduleParams extends PowerLawMarketParams {
  /** lambda: risk aversion, per quote, >= 0. */
  riskAversion: number
}

export interface PowerLawSolveOptions {
  /** Converged when the Newton step is at most this fraction of |X|; default 1e-13. */
  stepTolerance?: number
  /** ... or when the reduced gradient is at most this relative to the gradient's scale; default 1e-12. */
  gradientTolerance?: number
  /** Newton iterations allowed in all; default 2000. */
  maxIterations?: number
  /**
   * Start Newton from the KKT conditions solved backwards (one scalar equation; power-law-warm-start.ts),
   * default true; false starts from VWAP and bisects on the capped prefix (slower, kept as a cross-check).
   */
  warmStart?: boolean
}

export const POWER_LAW_SOLVE_DEFAULTS: Readonly<Required<PowerLawSolveOptions>> = Object.freeze({
  stepTolerance: 1e-13,
  gradientTolerance: 1e-12,
  maxIterations: 2000,
  warmStart: true
})

/** The optimal trajectory, in the shape of almgren-chriss.ts's ExecutionSchedule, with the solver's report. */
export interface PowerLawSchedule extends Pick<ExecutionSchedule,
'tauDays' | 'timesDays' | 'holdingsBase' | 'tradesBase' | 'expectedCostQuote' | 'varianceQuote2' | 'stdCostQuote'> {
  /** POV_j = |n_j|/v_j, j = 1..N (N entries). */
  participation: number[]
  /** E + lambda*V, quote. */
  objectiveQuote: number
  /** m: periods 1..m trade at maxParticipation (the cap binds on a prefix only; see power-law-solver.ts). */
  cappedPeriods: number
  /** True when the Newton iteration met its tolerance with every KKT multiplier of sign >= 0. */
  converged: boolean
  /** Newton iterations used (the warm start's scalar root-finding, <= 100 O(N) passes, is not counted). */
  iterations: number
  /** Largest KKT residual (reduced gradient, negative cap multipliers) relative to the gradient's scale. */
  kktResidual: number
}

interface Checked { tauDays: number, absHoldings: number, fixedImpactRate: number, permanentImpact: number }

/**
 * Checks the market inputs of the power-law model.
 * @throws DomainRangeError naming the first offending parameter
 */
export function validatePowerLawParams (params: PowerLawMarketParams, fn = 'validatePowerLawParams'): Checked {
  if (params === null || typeof params !== 'object') throw new TypeError(`${fn}: params must be an object`)
  const { initialHoldingsBase, horizonDays, periods, volQuote, priceQuote, periodVolumeBase } = params
  requireNumber(fn, 'initialHoldingsBase', initialHoldingsBase, initialHoldingsBase !== 0, 'finite and != 0')
  requirePositive(fn, 'horizonDays', horizonDays)
  requireNumber(fn, 'periods', periods, Number.isInteger(periods) && periods >= 1 && periods <= MAX_PERIODS,
    `an integer in [1, ${MAX_PERIODS}]`)
  requireNonNegative(fn, 'volQuote', volQuote)
  requirePositive(fn, 'priceQuote', priceQuote)
  if (!Array.isArray(periodVolumeBase)) throw new TypeError(`${fn}: periodVolumeBase must be an array`)
  requireNumber(fn, 'periodVolumeBase', periodVolumeBase.length, periodVolumeBase.length === periods,
    `an array of periods = ${periods} entries`)
  for (const volume of periodVolumeBase) requirePositive(fn, 'periodVolumeBase', volume)
  requirePositive(fn, 'rateImpactCoef', params.rateImpactCoef)
  requirePositive(fn, 'rateImpactExponent', params.rateImpactExponent)
  const fixedImpactRate = params.fixedImpactRate ?? 0
  const permanentImpact = params.permanentImpact ?? 0
  requireNonNegative(fn, 'fixedImpactRate', fixedImpactRate)
  requireNonNegative(fn, 'permanentImpact', permanentImpact)
  if (params.maxParticipation !== undefined) requirePositive(fn, 'maxParticipation', params.maxParticipation)
  const tauDays = horizonDays / periods
  requireNumber(fn, 'horizonDays', tauDays, tauDays > 0, 'large enough that horizonDays/periods > 0')
  return { tauDays, absHoldings: Math.abs(initialHoldingsBase), fixedImpactRate, permanentImpact }
}

/** E and V of a trajectory given as holdings / |X| in the sell frame (sums of the model's definitions). */
function costOf (fn: string, params: PowerLawMarketParams, checked: Checked, normalized: ArrayLike<number>): { expectedCostQuote: number, varianceQuote2: number } {
  const { absHoldings, tauDays, fixedImpactRate, permanentImpact } = checked
  const a = params.rateImpactExponent
  let rateSum = 0 // sum |d_j| * POV_j^a
  let absSum = 0
  let holdingSq = 0
  for (let j = 1; j <= params.periods; j++) {
    const trade = Math.abs(normalized[j - 1] - normalized[j])
    rateSum += trade * ((trade * absHoldings) / params.periodVolumeBase[j - 1]) ** a
    absSum += trade
    holdingSq += normalized[j] * normalized[j]
  }
  const notional = params.priceQuote * absHoldings
  const expectedCostQuote = notional * (params.rateImpactCoef * rateSum + fixedImpactRate * absSum) +
    (permanentImpact / 2) * absHoldings * absHoldings // Almgren 2003's continuous-time permanent cost; see the test's AC mapping
  const volTimesHoldings = params.volQuote * absHoldings
  const varianceQuote2 = (volTimesHoldings * (tauDays * holdingSq)) * volTimesHoldings
  requireFiniteOutput(fn, 'initialHoldingsBase', expectedCostQuote + varianceQuote2, params.initialHoldingsBase,
    'small enough that expected cost and variance stay finite')
  return { expectedCostQuote, varianceQuote2 }
}

/**
 * E and V (see PowerLawMarketParams) of any trajectory x_0 = X, ..., x_N = 0, e.g. TWAP or VWAP,
 * priced by the same law the optimiser minimises. O(N).
 * @throws DomainRangeError (param holdingsBase) unless holdingsBase has N+1 finite entries from X to 0
 */
export function powerLawTrajectoryCost (
  params: PowerLawMarketParams,
  holdingsBase: readonly number[]
): { expectedCostQuote: number, varianceQuote2: number } {
  const fn = 'powerLawTrajectoryCost'
  const checked = validatePowerLawParams(params, fn)
  const { initialHoldingsBase, periods } = params
  const fail = (rule: string): never => { throw new DomainRangeError(`${fn}: holdingsBase must ${rule}`, 'holdingsBase', rule) }
  if (!Array.isArray(holdingsBase)) throw new TypeError(`${fn}: holdingsBase must be an array`)
  if (holdingsBase.length !== periods + 1) fail(`have periods + 1 = ${periods + 1} entries (got ${holdingsBase.length})`)
  if (holdingsBase[0] !== initialHoldingsBase) fail(`start at initialHoldingsBase = ${initialHoldingsBase} (got ${holdingsBase[0]})`)
  if (holdingsBase[periods] !== 0) fail(`end at 0 (got ${holdingsBase[periods]})`)
  const normalized = holdingsBase.map((x, j) => {
    if (!Number.isFinite(x)) fail(`contain only finite numbers (index ${j} is ${x})`)
    return x / initialHoldingsBase
  })
  return costOf(fn, params, checked, normalized)
}

/**
 * Optimal execution under power-law temporary impact (Almgren 2003): minimises E + lambda*V over
 * x_1..x_{N-1} subject to 0 <= n_j <= maxParticipation*v_j in the sell frame (monotone: no buying
 * back). Convex for every a > 0, so the KKT point is the global optimum. Newton steps on the holdings
 * with a tridiagonal Hessian (Thomas algorithm), O(N) per iteration, from a start that solves the KKT
 * conditions backwards; the cap binds on a prefix of periods (see power-law-solver.ts). Tolerance:
 * Newton step <= 1e-13*|X| (and, for a < 1, every trade settled to 1e-6 of itself) or gradient <= 1e-12
 * of its scale. With a = 1, no cap binding and constant v, it is Almgren-Chriss (2000) with
 * eta = k*P*tau/v + gamma*tau/2 and epsilon = c0*P.
 * A buy mirrors a sell: holdings and trades negate, E and V are unchanged.
 * @throws DomainRangeError for invalid inputs, or (param maxParticipation) when |X| > maxParticipation * sum(v)
 * @example powerLawSchedule({ initialHoldingsBase: 12, horizonDays: 1 / 24, periods: 12, riskAversion: 1e-6,
 *   volQuote: 2400, priceQuote: 80000, periodVolumeBase: Array(12).fill(40), rateImpactCoef: 0.002,
 *   rateImpactExponent: 0.5, maxParticipation: 0.25 }).converged // true
 */
export function powerLawSchedule (params: PowerLawScheduleParams, options: PowerLawSolveOptions = {}): PowerLawSchedule {
  const fn = 'powerLawSchedule'
  const checked = validatePowerLawParams(params, fn)
  requireNonNegative(fn, 'riskAversion', params.riskAversion)
  const opts = { ...POWER_LAW_SOLVE_DEFAULTS, ...options }
  requirePositive(fn, 'options.stepTolerance', opts.stepTolerance)
  requirePositive(fn, 'options.gradientTolerance', opts.gradientTolerance)
  requireNumber(fn, 'options.maxIterations', opts.maxIterations, Number.isInteger(opts.maxIterations) && opts.maxIterations >= 1, 'an integer >= 1')
  const { initialHoldingsBase, periods, periodVolumeBase, maxParticipation } = params
  const { absHoldings, tauDays } = checked

  // plain loops: Float64Array.from(array, mapFn) went through the iterator protocol, ~10% of a solve at N = 1000
  const volumeShare = new Float64Array(periods)
  for (let j = 0; j < periods; j++) volumeShare[j] = periodVolumeBase[j] / absHoldings
  let capShare: Float64Array | null = null
  if (maxParticipation !== undefined) {
    let totalVolume = 0
    for (const v of periodVolumeBase) totalVolume += v
    if (absHoldings > maxParticipation * totalVolume) {
      const rule = '>= |initialHoldingsBase| / sum(periodVolumeBase) (the order must fit under the cap)'
      throw new DomainRangeError(`${fn}: maxParticipation must be ${rule}; got maxParticipation=${maxParticipation}, ` +
        `|initialHoldingsBase|=${absHoldings}, sum(periodVolumeBase)=${totalVolume}`, 'maxParticipation', rule)
    }
    capShare = new Float64Array(periods)
    for (let j = 0; j < periods; j++) capShare[j] = maxParticipation * volumeShare[j]
  }
  // beta = lambda*sigma^2*tau*|X|/(P*k): the variance weight once E is divided by P*k*|X|
  const riskWeight = params.riskAversion * params.volQuote * params.volQuote * tauDays * (absHoldings / (params.priceQuote * params.rateImpactCoef))
  requireFiniteOutput(fn, 'rateImpactCoef', riskWeight, params.rateImpactCoef,
    'large enough that riskAversion*volQuote^2*tau*|X|/(priceQuote*rateImpactCoef) is finite')

  const solved = solveNormalized({ exponent: params.rateImpactExponent, riskWeight, volumeShare, capShare }, opts)
  const r = solved.holdings

  const timesDays = new Array<number>(periods + 1)
  const holdingsBase = new Array<number>(periods + 1)
  const tradesBase = new Array<number>(periods)
  const participation = new Array<number>(periods)
  timesDays[0] = 0
  holdingsBase[0] = initialHoldingsBase
  for (let j = 1; j <= periods; j++) {
    // a tail trade may end within 8 ulps below zero (see the solver): holdings are made monotone at that level
    if (j < periods) r[j] = Math.max(0, Math.min(r[j], r[j - 1]))
    timesDays[j] = j * tauDays
    holdingsBase[j] = j === periods ? 0 : initialHoldingsBase * r[j] // X * 0 would be -0 for a buy
    tradesBase[j - 1] = holdingsBase[j - 1] - holdingsBase[j]
    participation[j - 1] = Math.abs(tradesBase[j - 1]) / periodVolumeBase[j - 1]
  }
  timesDays[periods] = params.horizonDays
  const { expectedCostQuote, varianceQuote2 } = costOf(fn, params, checked, r)
  return {
    tauDays,
    timesDays,
    holdingsBase,
    tradesBase,
    expectedCostQuote,
    varianceQuote2,
    stdCostQuote: Math.sqrt(varianceQuote2),
    participation,
    objectiveQuote: expectedCostQuote + params.riskAversion * varianceQuote2,
    cappedPeriods: solved.cappedPrefix,
    converged: solved.converged,
    iterations: solved.iterations,
    kktResidual: solved.kktResidual
  }
}
