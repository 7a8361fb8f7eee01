import { efficientFrontier, optimalSchedule, riskAversionGrid, trajectoryCost, type AlmgrenChrissParams, type ExecutionSchedule } from '../domain/execution/almgren-chriss.js'
import { bpsToFraction, fractionToBps } from '../domain/units.js'
import { unknownSymbol, unprocessable } from '../errors.js'
import type { MarketStateProvider } from '../market/market-state.js'
import type { FrontierRequest, ScheduleRequest } from '../schemas/schedule.js'
import { costRiskOf } from './cost-risk.js'
import { asUnprocessable, type EstimatorDeps } from './estimator.js'
import { runExecutionFrontier, runExecutionSchedule, scheduleRiskAversion } from './execution-schedule.js'
import { roundToLotSize } from './lot-size.js'

type ScheduleInputs = Omit<ScheduleRequest, 'riskAversion'>

/** Domain parameter names that the request spells otherwise. */
const DOMAIN_FIELDS = { initialHoldingsBase: 'qtyBase' }

const EXPLICIT = ['volQuote', 'permanentImpact', 'temporaryImpact', 'halfSpreadQuote'] as const

/** The Almgren-Chriss (2000) rules of thumb used when the request leaves a parameter out (section "construction of the example"). */
export const RULES_OF_THUMB = {
  volQuote: 'market state: volDaily * priceQuote',
  permanentImpact: 'market state: spreadQuote / (0.1 * advBase) (trading 10% of ADV moves the price one spread permanently)',
  temporaryImpact: 'market state: spreadQuote / (0.01 * advBase) (trading at 1% of ADV per day costs one spread)',
  halfSpreadQuote: 'market state: spreadQuote / 2'
} as const

export interface ResolvedSchedule {
  params: Omit<AlmgrenChrissParams, 'riskAversion'>
  priceQuote: number | undefined
  parameters: {
    volQuote: number
    permanentImpact: number
    temporaryImpact: number
    halfSpreadQuote: number
    etaTilde: number
    source: Record<typeof EXPLICIT[number], string>
  }
}

/**
 * Almgren-Chriss inputs from the request, with parameters it leaves out derived from the
 * symbol's market state by the paper's rules of thumb.
 * @throws 422 naming the missing field when neither the request nor a known symbol supplies it.
 */
export function resolveScheduleInputs (request: ScheduleInputs, market: MarketStateProvider): ResolvedSchedule {
  const rulesOfThumb = request.parameters === 'rules-of-thumb'
  if (!rulesOfThumb && request.temporaryImpact === undefined) {
    throw unprocessable('body/temporaryImpact', 'required with permanentImpact unless parameters is "rules-of-thumb"', 'the linear Almgren-Chriss model needs temporaryImpact; leave out both impact parameters to use the symbol\'s execution model, or set parameters "rules-of-thumb"')
  }
  if (request.strategy === 'vwap') throw unprocessable('body/strategy', 'optimal or twap with the linear model', 'strategy "vwap" needs the hour-of-day volume profile of the execution model: leave out the impact parameters')
  const missing = EXPLICIT.filter((k) => request[k] === undefined && (rulesOfThumb || k !== 'permanentImpact'))
  const state = request.symbol !== undefined ? market.get(request.symbol) : undefined
  if (missing.length > 0 && state === undefined) {
    if (request.symbol !== undefined) throw unknownSymbol('body/symbol', request.symbol, [...missing])
    throw unprocessable(`body/${missing[0]}`, 'required unless symbol is given', `send ${missing.join(', ')}, or a symbol whose market state supplies them`)
  }
  const priceQuote = request.priceQuote ?? state?.priceQuote
  const spreadQuote = state !== undefined ? bpsToFraction(state.spreadBps) * (priceQuote as number) : 0
  const derived = {
    volQuote: state !== undefined ? state.volDaily * (priceQuote as number) : 0,
    permanentImpact: state !== undefined && rulesOfThumb ? spreadQuote / (0.1 * state.advBase) : 0,
    temporaryImpact: state !== undefined ? spreadQuote / (0.01 * state.advBase) : 0,
    halfSpreadQuote: spreadQuote / 2
  }
  const value = (k: typeof EXPLICIT[number]): number => request[k] ?? derived[k]
  const source = Object.fromEntries(EXPLICIT.map((k) => [k, request[k] !== undefined ? 'request' : k === 'permanentImpact' && !rulesOfThumb ? 'default: 0 (no permanent impact given)' : RULES_OF_THUMB[k]])) as Record<typeof EXPLICIT[number], string>
  if (!(value('temporaryImpact') > 0)) {
    throw unprocessable('body/temporaryImpact', '> 0', `the market state of ${request.symbol ?? 'the symbol'} has a zero spread, so the rule of thumb gives temporaryImpact = 0; send temporaryImpact explicitly`)
  }
  const params = {
    initialHoldingsBase: request.qtyBase,
    horizonDays: request.horizonDays,
    periods: request.periods,
    volQuote: value('volQuote'),
    permanentImpact: value('permanentImpact'),
    temporaryImpact: value('temporaryImpact'),
    halfSpreadQuote: value('halfSpreadQuote')
  }
  const tauDays = request.horizonDays / request.periods
  return {
    params,
    priceQuote,
    parameters: {
      volQuote: params.volQuote,
      permanentImpact: params.permanentImpact,
      temporaryImpact: params.temporaryImpact,
      halfSpreadQuote: params.halfSpreadQuote,
      etaTilde: params.temporaryImpact - params.permanentImpact * tauDays / 2,
      source
    }
  }
}

/** The execution model prices the schedule unless the request gives linear impact parameters or asks for the rules of thumb. */
function usesExecutionModel (request: ScheduleInputs): boolean {
  return request.parameters !== 'rules-of-thumb' && request.temporaryImpact === undefined && request.permanentImpact === undefined
}

/** POST /v1/schedule: the optimal (or TWAP) trajectory with its expected cost and variance. */
export function runSchedule (request: ScheduleRequest, deps: EstimatorDeps) {
  if (usesExecutionModel(request)) return runExecutionSchedule(request, deps)
  const riskAversion = scheduleRiskAversion(request)
  const market = deps.market
  const resolved = resolveScheduleInputs(request, market)
  const strategy = request.strategy === 'twap' ? 'twap' : 'optimal'
  try {
    // twap ignores lambda (the linear schedule); 0 passes the domain's check
    const params = { ...resolved.params, riskAversion: riskAversion ?? 0 }
    const optimal = optimalSchedule(params, strategy)
    const { schedule: s, lotSize } = roundToLots(optimal, params, request, market)
    const notional = resolved.priceQuote !== undefined ? request.qtyBase * resolved.priceQuote : undefined
    const expectedCostBps = notional !== undefined ? fractionToBps(s.expectedCostQuote / notional) : undefined
    if (expectedCostBps !== undefined && !Number.isFinite(expectedCostBps)) {
      throw unprocessable('body/priceQuote', 'qtyBase * priceQuote a positive notional that keeps expectedCostBps finite', `expectedCostQuote ${s.expectedCostQuote} over notional ${notional} (qtyBase * priceQuote) is not a finite number of bps`)
    }
    requireFiniteSchedule(s)
    // the caller's parameters carry no covariance: the distribution holds the timing risk sqrt(V) only
    const distribution = notional !== undefined && expectedCostBps !== undefined ? costRiskOf(expectedCostBps, s.stdCostQuote / notional, undefined) : undefined
    return {
      side: request.side,
      qtyBase: request.qtyBase,
      strategy,
      riskAversion,
      kappa: s.kappa,
      kappaTilde: s.kappaTilde,
      tauDays: s.tauDays,
      timesDays: s.timesDays,
      holdings: s.holdingsBase,
      trades: s.tradesBase,
      expectedCostQuote: s.expectedCostQuote,
      varianceQuote2: s.varianceQuote2,
      stdCostQuote: s.stdCostQuote,
      ...(s.halfLifeDays !== undefined ? { halfLifeDays: s.halfLifeDays } : {}),
      ...(expectedCostBps !== undefined ? { expectedCostBps } : {}),
      ...(distribution !== undefined ? { timingRiskBps: distribution.timingRiskBps, costStdBps: distribution.costStdBps, costQuantilesBps: distribution.costQuantilesBps } : {}),
      ...(lotSize !== undefined ? { lotSize } : {}),
      parameters: resolved.parameters
    }
  } catch (err) {
    throw asUnprocessable(err, 'body/', DOMAIN_FIELDS)
  }
}

/** Output guard: the schedule's scalars overflowed (extreme inputs), blamed on the horizon and size. */
function requireFiniteSchedule (s: ExecutionSchedule): void {
  const scalars = [s.kappa, s.kappaTilde, s.expectedCostQuote, s.varianceQuote2, s.stdCostQuote, s.halfLifeDays ?? 0]
  if (scalars.every(Number.isFinite) && s.holdingsBase.every(Number.isFinite) && s.tradesBase.every(Number.isFinite)) return
  throw unprocessable('body/qtyBase', 'qtyBase, horizonDays and the impact parameters small enough that the schedule stays finite', `the schedule overflows: kappa ${s.kappa}, expectedCostQuote ${s.expectedCostQuote}, varianceQuote2 ${s.varianceQuote2}`)
}

/**
 * Rounds child orders to the lot size (the request's qtyStep, else the instrument's) carrying the
 * remainder forward, and recomputes holdings, E and V for the trajectory actually sent.
 */
function roundToLots (s: ExecutionSchedule, params: AlmgrenChrissParams, request: ScheduleRequest, market: MarketStateProvider) {
  const rounded = roundToLotSize(s.tradesBase, request, request.symbol !== undefined ? market.get(request.symbol)?.instrument : undefined)
  if (rounded === undefined) return { schedule: s, lotSize: undefined }
  const { trades, executedBase: executed, lotSize } = rounded
  if (!(executed > 0)) return { schedule: { ...s, tradesBase: trades, holdingsBase: s.holdingsBase.map(() => 0), expectedCostQuote: 0, varianceQuote2: 0, stdCostQuote: 0 }, lotSize }
  const holdingsBase = [executed]
  for (let j = 0; j < trades.length; j++) holdingsBase.push(j === trades.length - 1 ? 0 : holdingsBase[j] - trades[j])
  const cost = trajectoryCost({ ...params, initialHoldingsBase: executed }, holdingsBase)
  return { schedule: { ...s, tradesBase: trades, holdingsBase, ...cost, stdCostQuote: Math.sqrt(cost.varianceQuote2) }, lotSize }
}

/** Default lambda range: kappaTilde * T from 0.01 (near TWAP) to 100 (almost immediate). */
function defaultRiskAversionRange (params: ResolvedSchedule['params'], etaTilde: number): { min: number, max: number } {
  const { volQuote, horizonDays } = params
  if (!(volQuote > 0) || !(etaTilde > 0)) return { min: 1e-12, max: 1 }
  const lambdaFor = (kappaTildeT: number): number => (kappaTildeT / horizonDays) ** 2 * etaTilde / (volQuote * volQuote)
  return { min: Math.max(lambdaFor(0.01), Number.MIN_VALUE), max: Math.min(lambdaFor(100), 1e6) }
}

/** POST /v1/schedule/frontier: (E, V) of the optimal strategy over a grid of lambda. */
export function runFrontier (request: FrontierRequest, deps: EstimatorDeps) {
  if (usesExecutionModel(request)) return runExecutionFrontier(request, deps)
  const resolved = resolveScheduleInputs(request, deps.market)
  try {
    let grid = request.riskAversions
    if (grid === undefined) {
      const range = defaultRiskAversionRange(resolved.params, resolved.parameters.etaTilde)
      const min = request.minRiskAversion ?? range.min
      const max = request.maxRiskAversion ?? Math.max(range.max, min * 10)
      if (!(max > min)) throw unprocessable('body/maxRiskAversion', '> minRiskAversion', `maxRiskAversion (${max}) must exceed minRiskAversion (${min})`)
      grid = riskAversionGrid(min, max, request.count ?? 20)
    }
    const notional = resolved.priceQuote !== undefined ? request.qtyBase * resolved.priceQuote : undefined
    const points = efficientFrontier(resolved.params, grid).map((p) => {
      if (notional === undefined) return p
      const expectedCostBps = fractionToBps(p.expectedCostQuote / notional)
      if (!Number.isFinite(expectedCostBps)) return p
      const d = costRiskOf(expectedCostBps, p.stdCostQuote / notional, undefined)
      return { ...p, expectedCostBps, timingRiskBps: d.timingRiskBps, costStdBps: d.costStdBps, costQuantilesBps: d.costQuantilesBps }
    })
    return {
      side: request.side,
      qtyBase: request.qtyBase,
      parameters: resolved.parameters,
      points
    }
  } catch (err) {
    throw asUnprocessable(err, 'body/', DOMAIN_FIELDS)
  }
}
