/**
 * One execution of a parent order under the calibrated execution model (Kissell's I-Star, see
 * ../impact/istar.ts): the trajectory each strategy trades and what it costs. Estimates, schedules,
 * checks and TCA all price executions here, so they agree by construction.
 *
 * Conventions (issue 13):
 * - Quantities are unsigned: holdings are what is still to execute, from |Q| to 0; buys and sells
 *   cost alike.
 * - Period j = 1..N lasts tau = T/N days; v_j is the market's expected volume in it (ADV and the
 *   hourly profile, volume-profile.ts); POV_j = n_j / v_j, the order's share of that volume, as
 *   the calibration's |Q| / window volume.
 * - Expected impact (Kissell 2013, MI per child order): sum_j (n_j/|Q|) * b1 * I* * min(1, POV_j)^a4
 *   + (1 - b1) * I*. POV is capped at 1 because I* is the cost of the whole order at once (POV = 1
 *   in Kissell's POV = X / (X + V) as V -> 0): an execution faster than the market costs I*, never
 *   more, and an immediate execution is the limit of short horizons.
 * - Timing risk: sigma * sqrt(tau * sum_{j=1..N} x_j^2) per unit notional, x_j the fraction left
 *   after period j (Almgren & Chriss 2000's V, the one the optimiser weighs), -> sigma * sqrt(T/3)
 *   for TWAP as N grows.
 */
import { DomainRangeError } from '../errors.js'
import { failRange, requireFiniteOutput, requireNonNegative, requireNumber, requirePositive } from '../guards.js'
import { instantaneousImpact, timingRiskFraction, trajectoryImpact, validateIStarParams, type IStarParams } from '../impact/istar.js'
import { MAX_PERIODS } from './almgren-chriss-params.js'
import { powerLawSchedule } from './power-law-schedule.js'
import { daysToTradeVolume, MS_PER_DAY, periodVolumesBase, type HourlyVolumeShares } from './volume-profile.js'

export const EXECUTION_STRATEGIES = ['immediate', 'twap', 'vwap', 'pov', 'optimal'] as const
export type ExecutionStrategy = typeof EXECUTION_STRATEGIES[number]

/** How an order is worked. Every strategy but immediate trades in `periods` equal periods. */
export type ExecutionSpec =
  | { strategy: 'immediate' }
  | { strategy: 'twap', horizonDays: number, periods: number }
  | { strategy: 'vwap', horizonDays: number, periods: number }
  | { strategy: 'pov', participationRate: number, periods: number }
  | { strategy: 'optimal', horizonDays: number, periods: number, riskAversion: number, maxParticipation: number }

/** The market an execution meets, in the units of the names. */
export interface ExecutionMarket {
  /** arrival price, quote per base, > 0 */
  priceQuote: number
  /** sigma, daily volatility fraction, >= 0 */
  volDaily: number
  /** average daily volume, base units, > 0 */
  advBase: number
  /** share of a day's volume in each UTC hour (24, summing to 1) */
  hourlyVolumeShares: HourlyVolumeShares
  /** when the first period starts, ms since epoch */
  startMs: number
}

/** Default number of periods: one child order a minute, at least 1, at most DEFAULT_PERIODS_MAX. */
export const DEFAULT_PERIODS_MAX = 1440
export const MINUTES_PER_DAY = 1440

/** Default cap on every period's POV for the optimal strategy. */
export const DEFAULT_MAX_PARTICIPATION = 0.25

/** The documented default of `periods`: round(horizon in minutes), clamped to [1, DEFAULT_PERIODS_MAX]. */
export function defaultPeriods (horizonDays: number): number {
  return Math.min(DEFAULT_PERIODS_MAX, Math.max(1, Math.round(horizonDays * MINUTES_PER_DAY)))
}

/** An execution priced: its trajectory, market volumes and costs as fractions of notional. */
export interface ExecutionPlan {
  strategy: ExecutionStrategy
  /** T, days (0 for immediate) */
  horizonDays: number
  /** N (1 for immediate) */
  periods: number
  /** T / N, days (0 for immediate) */
  tauDays: number
  /** t_j = j * tau, j = 0..N, days */
  timesDays: number[]
  /** x_j, base units still to execute at t_j, j = 0..N: |Q| down to 0 */
  holdingsBase: number[]
  /** n_j = x_(j-1) - x_j, j = 1..N, base units, >= 0 */
  tradesBase: number[]
  /** v_j, expected market volume of period j, base units (empty for immediate) */
  periodVolumeBase: number[]
  /** POV_j = n_j / v_j (empty for immediate) */
  participation: number[]
  /** |Q| / sum_j v_j (1 for immediate, the I* convention) */
  averageParticipation: number
  /** I* = a1 sigma (|Q|/ADV)^a2, fraction */
  istarFraction: number
  /** expected impact cost of the trajectory, fraction of notional */
  impactFraction: number
  /** standard deviation of the cost from price moves while worked, fraction of notional */
  timingRiskFraction: number
  /** the optimiser's report (strategy optimal) */
  optimiser?: { riskAversion: number, maxParticipation: number, cappedPeriods: number, converged: boolean, iterations: number, rateTermFree: boolean }
}

const FN = 'planExecution'

function checkPeriods (periods: number): void {
  requireNumber(FN, 'periods', periods, Number.isInteger(periods) && periods >= 1 && periods <= MAX_PERIODS, `an integer in [1, ${MAX_PERIODS}]`)
}

function checkMarket (market: ExecutionMarket): void {
  requirePositive(FN, 'priceQuote', market.priceQuote)
  requireNonNegative(FN, 'volDaily', market.volDaily)
  requirePositive(FN, 'advBase', market.advBase)
  requireNumber(FN, 'startMs', market.startMs, Number.isFinite(market.startMs), 'finite')
}

/** Trajectory from trades: holdings |Q| - cumulative trades, the last exactly 0. */
function holdingsFrom (qty: number, trades: readonly number[]): number[] {
  const holdings = new Array<number>(trades.length + 1)
  holdings[0] = qty
  for (let j = 1; j <= trades.length; j++) holdings[j] = j === trades.length ? 0 : Math.max(0, holdings[j - 1] - trades[j - 1])
  return holdings
}

/** Trades in proportion to `weights` (summing to anything > 0), the last one taking the rounding. */
function proportionalTrades (qty: number, weights: readonly number[]): number[] {
  let total = 0
  for (const w of weights) total += w
  const trades = weights.map((w) => qty * (w / total))
  let done = 0
  for (let j = 0; j < trades.length - 1; j++) done += trades[j]
  trades[trades.length - 1] = Math.max(0, qty - done)
  return trades
}

/**
 * The fastest execution the cap allows: every period trades maxParticipation * v_j until the
 * order is done. This is the optimum when the impact does not depend on speed (b1 = 0 or a4 = 0:
 * the cost is the same for every trajectory, so only the timing risk is left to minimise).
 */
function capFrontLoaded (qty: number, volumes: readonly number[], maxParticipation: number): number[] {
  let remaining = qty
  return volumes.map((v, j) => {
    const n = j === volumes.length - 1 ? remaining : Math.min(remaining, maxParticipation * v)
    remaining -= n
    return n
  })
}

function requireFitsUnderCap (qty: number, volumes: readonly number[], maxParticipation: number): void {
  let total = 0
  for (const v of volumes) total += v
  if (qty > maxParticipation * total) {
    const rule = '>= qtyBase / (expected market volume over the horizon), so the order fits under the cap'
    throw new DomainRangeError(`${FN}: maxParticipation must be ${rule}; got maxParticipation=${maxParticipation}, qtyBase=${qty}, expected volume over the horizon=${total}; lengthen horizonDays or raise maxParticipation`, 'maxParticipation', rule)
  }
}

/**
 * Plans and prices one execution of |Q| = qtyBase under the I-Star parameters. O(N) for
 * twap, vwap and pov, O(N * Newton iterations) for optimal (power-law-schedule.ts).
 * @throws DomainRangeError naming the parameter ('qtyBase', 'horizonDays', 'periods',
 *   'participationRate', 'riskAversion', 'maxParticipation', a market field, or an I-Star parameter).
 */
export function planExecution (params: IStarParams, qtyBase: number, market: ExecutionMarket, spec: ExecutionSpec): ExecutionPlan {
  validateIStarParams(params, FN)
  requirePositive(FN, 'qtyBase', qtyBase)
  checkMarket(market)
  const istar = instantaneousImpact(params, qtyBase / market.advBase, market.volDaily)
  if (spec.strategy === 'immediate') {
    return {
      strategy: 'immediate',
      horizonDays: 0,
      periods: 1,
      tauDays: 0,
      timesDays: [0, 0],
      holdingsBase: [qtyBase, 0],
      tradesBase: [qtyBase],
      periodVolumeBase: [],
      participation: [],
      averageParticipation: 1,
      istarFraction: istar,
      impactFraction: istar,
      timingRiskFraction: 0
    }
  }
  checkPeriods(spec.periods)
  let horizonDays: number
  if (spec.strategy === 'pov') {
    requireNumber(FN, 'participationRate', spec.participationRate, spec.participationRate > 0 && spec.participationRate <= 1, 'in (0, 1]')
    horizonDays = daysToTradeVolume(market.advBase, market.hourlyVolumeShares, market.startMs, qtyBase / spec.participationRate)
    requireNumber(FN, 'participationRate', horizonDays, horizonDays <= 3650, 'large enough that the order completes within 3650 days')
  } else {
    horizonDays = spec.horizonDays
    requireNumber(FN, 'horizonDays', horizonDays, horizonDays > 0 && horizonDays <= 3650, 'in (0, 3650]')
  }
  const periods = spec.periods
  const tauDays = horizonDays / periods
  requireNumber(FN, 'horizonDays', tauDays, tauDays * MS_PER_DAY >= 1e-3, 'long enough that every period lasts at least 1 microsecond')
  const volumes = periodVolumesBase(market.advBase, market.hourlyVolumeShares, market.startMs, tauDays, periods)

  let trades: number[]
  let optimiser: ExecutionPlan['optimiser']
  switch (spec.strategy) {
    case 'twap': trades = proportionalTrades(qtyBase, new Array<number>(periods).fill(1)); break
    case 'vwap':
    case 'pov': trades = proportionalTrades(qtyBase, volumes); break
    case 'optimal': {
      const { riskAversion, maxParticipation } = spec
      requireNonNegative(FN, 'riskAversion', riskAversion)
      requireNumber(FN, 'maxParticipation', maxParticipation, maxParticipation > 0 && maxParticipation <= 1, 'in (0, 1]')
      requireFitsUnderCap(qtyBase, volumes, maxParticipation)
      const rateCoef = params.b1 * istar
      const rateTermFree = !(rateCoef > 0) || params.a4 === 0
      if (rateTermFree) {
        trades = capFrontLoaded(qtyBase, volumes, maxParticipation)
        optimiser = { riskAversion, maxParticipation, cappedPeriods: trades.filter((n, j) => n === maxParticipation * volumes[j]).length, converged: true, iterations: 0, rateTermFree }
      } else {
        const solved = powerLawSchedule({
          initialHoldingsBase: qtyBase,
          horizonDays,
          periods,
          riskAversion,
          volQuote: market.volDaily * market.priceQuote,
          priceQuote: market.priceQuote,
          periodVolumeBase: volumes,
          rateImpactCoef: rateCoef,
          rateImpactExponent: params.a4,
          fixedImpactRate: (1 - params.b1) * istar,
          maxParticipation
        })
        trades = solved.tradesBase
        optimiser = { riskAversion, maxParticipation, cappedPeriods: solved.cappedPeriods, converged: solved.converged, iterations: solved.iterations, rateTermFree }
      }
      break
    }
  }
  return { ...priceTrades(params, istar, qtyBase, market.volDaily, spec.strategy, horizonDays, volumes, trades), ...(optimiser !== undefined ? { optimiser } : {}) }
}

/** Prices given child orders n_j (summing to qtyBase) in the periods whose market volumes are v_j. */
function priceTrades (params: IStarParams, istar: number, qtyBase: number, volDaily: number, strategy: ExecutionStrategy, horizonDays: number, volumes: readonly number[], trades: number[]): ExecutionPlan {
  const periods = trades.length
  const tauDays = horizonDays / periods
  const holdings = holdingsFrom(qtyBase, trades)
  const timesDays = holdings.map((_, j) => j === periods ? horizonDays : j * tauDays)
  const participation = trades.map((n, j) => n / volumes[j])
  let totalVolume = 0
  for (const v of volumes) totalVolume += v
  const impactFraction = trajectoryImpact(params, istar, trades.map((n) => n / qtyBase), participation.map((p) => Math.min(1, p)))
  const risk = timingRiskFraction(volDaily, holdings.slice(1).map((x) => x / qtyBase), tauDays)
  requireFiniteOutput(FN, 'qtyBase', impactFraction + risk, qtyBase)
  return {
    strategy,
    horizonDays,
    periods,
    tauDays,
    timesDays,
    holdingsBase: holdings,
    tradesBase: trades,
    periodVolumeBase: [...volumes],
    participation,
    averageParticipation: qtyBase / totalVolume,
    istarFraction: istar,
    impactFraction,
    timingRiskFraction: risk
  }
}

/**
 * Re-prices a plan's trajectory after its child orders were changed (rounded to a lot size): the
 * order becomes sum(tradesBase), each period keeps its market volume. O(N).
 * @throws DomainRangeError naming 'tradesBase' unless there are plan.periods trades >= 0 with a positive sum.
 */
export function repriceTrades (params: IStarParams, plan: ExecutionPlan, volDaily: number, advBase: number, tradesBase: readonly number[]): ExecutionPlan {
  const fn = 'repriceTrades'
  if (!Array.isArray(tradesBase) || tradesBase.length !== plan.tradesBase.length) failRange(fn, 'tradesBase', `an array of ${plan.tradesBase.length} trades`, tradesBase)
  let qty = 0
  for (let j = 0; j < tradesBase.length; j++) { requireNonNegative(fn, `tradesBase[${j}]`, tradesBase[j]); qty += tradesBase[j] }
  requirePositive(fn, 'tradesBase', qty)
  const istar = instantaneousImpact(params, qty / advBase, volDaily)
  return { ...priceTrades(params, istar, qty, volDaily, plan.strategy, plan.horizonDays, plan.periodVolumeBase, [...tradesBase]), ...(plan.optimiser !== undefined ? { optimiser: plan.optimiser } : {}) }
}
