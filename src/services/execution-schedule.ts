/**
 * POST /v1/schedule and /v1/schedule/frontier under the symbol's execution model (issue 13
 * section 3): the trajectory of `strategy` over T in N periods, priced exactly as POST
 * /v1/estimate prices that execution (one planExecution, one orderCost), so the two agree.
 */
import { riskAversionGrid } from '../domain/execution/efficient-frontier.js'
import { DEFAULT_MAX_PARTICIPATION, planExecution, repriceTrades, type ExecutionMarket, type ExecutionPlan, type ExecutionSpec } from '../domain/execution/execution-plan.js'
import type { IStarParams } from '../domain/impact/istar.js'
import { orderCost } from '../domain/impact/order-cost.js'
import { unknownSymbol, unprocessable } from '../errors.js'
import type { MarketState } from '../market/market-state.js'
import type { FrontierRequest, ScheduleRequest } from '../schemas/schedule.js'
import { asUnprocessable, feeRateFor, type EstimatorDeps } from './estimator.js'
import { roundToLotSize } from './lot-size.js'
import { costRiskOf, modelRiskOf, type CostRisk } from './cost-risk.js'
import { defaultStartMs, EXECUTION_FIELDS, executionModelOf, executionWarnings, hourlySharesOf } from './execution.js'

/** Domain parameters the schedule request spells at its top level. */
const FIELDS = { ...Object.fromEntries(Object.keys(EXECUTION_FIELDS).map((k) => [k, k])), initialHoldingsBase: 'qtyBase', impactCostFraction: 'qtyBase' }

interface Resolved {
  state: MarketState
  feeRate: number
  /** what the execution meets: price, volatility, ADV, the hourly profile, the start */
  market: ExecutionMarket
}

function resolveMarket (request: Pick<ScheduleRequest, 'symbol' | 'priceQuote' | 'volQuote' | 'liquidity' | 'startMs'>, deps: EstimatorDeps, nowMs: number): Resolved {
  if (request.symbol === undefined) {
    throw unprocessable('body/symbol', 'required unless temporaryImpact is given', 'the execution model is calibrated per symbol: send a symbol, or explicit Almgren-Chriss parameters (temporaryImpact, permanentImpact, volQuote, halfSpreadQuote)')
  }
  const state = deps.market.get(request.symbol)
  if (state === undefined) throw unknownSymbol('body/symbol', request.symbol, ['temporaryImpact', 'volQuote', 'halfSpreadQuote'])
  const priceQuote = request.priceQuote ?? state.priceQuote
  return {
    state,
    feeRate: feeRateFor(deps.market, state.category, request.liquidity),
    market: {
      priceQuote,
      volDaily: request.volQuote !== undefined ? request.volQuote / priceQuote : state.volDaily,
      advBase: state.advBase,
      hourlyVolumeShares: hourlySharesOf(state),
      startMs: request.startMs ?? defaultStartMs(nowMs)
    }
  }
}

/**
 * The risk aversion a schedule needs: `optimal` (the default strategy) minimises E + lambda * V and
 * cannot go without it; `twap` and `vwap` are fixed trajectories and use none (undefined).
 * @throws 422 naming body/riskAversion when optimal is asked for without it.
 */
export function scheduleRiskAversion (request: Pick<ScheduleRequest, 'strategy' | 'riskAversion'>): number | undefined {
  const strategy = request.strategy ?? 'optimal'
  if (strategy === 'optimal' && request.riskAversion === undefined) {
    throw unprocessable('body/riskAversion', 'required with strategy "optimal" (the default)', 'strategy "optimal" minimises expected cost + riskAversion * variance: send riskAversion (lambda, per unit of quote currency), or use strategy "twap" or "vwap", which need none')
  }
  return strategy === 'optimal' ? request.riskAversion : undefined
}

function specOf (request: ScheduleRequest | FrontierRequest, riskAversion: number, strategy: 'optimal' | 'twap' | 'vwap'): ExecutionSpec {
  const { horizonDays, periods } = request
  if (strategy !== 'optimal') return { strategy, horizonDays, periods }
  return { strategy, horizonDays, periods, riskAversion, maxParticipation: request.maxParticipation ?? DEFAULT_MAX_PARTICIPATION }
}

/** The cost breakdown of a plan, as the estimate reports it. */
function costOf (request: { side: 'buy' | 'sell' }, plan: ExecutionPlan, qtyBase: number, m: Resolved) {
  const cost = orderCost({ side: request.side, qtyBase, priceQuote: m.market.priceQuote, advBase: m.market.advBase, spreadBps: m.state.spreadBps, feeRate: m.feeRate, impactCostFraction: plan.impactFraction })
  const stdCostQuote = plan.timingRiskFraction * cost.notionalQuote
  return { cost, stdCostQuote, varianceQuote2: stdCostQuote * stdCostQuote }
}

/** The plan's cost distribution, as POST /v1/estimate reports it for the same execution, and the warning when its model risk is unknown. */
function distributionOf (model: ReturnType<typeof executionModelOf>['model'], plan: ExecutionPlan, totalCostBps: number, m: Resolved): { distribution: CostRisk, warning?: { code: string, message: string } } {
  const risk = modelRiskOf(model, { plan, volDaily: m.market.volDaily, advBase: m.market.advBase })
  return { distribution: costRiskOf(totalCostBps, plan.timingRiskFraction, risk.riskFraction), ...(risk.warning !== undefined ? { warning: risk.warning } : {}) }
}

function modelInfo (model: ReturnType<typeof executionModelOf>['model'], params: IStarParams) {
  return { name: model.name, version: model.version, source: model.source, params: { a1: params.a1, a2: params.a2, a4: params.a4, b1: params.b1 } }
}

/** POST /v1/schedule when the request gives no impact parameters: the execution model's trajectory. */
export function runExecutionSchedule (request: ScheduleRequest, deps: EstimatorDeps) {
  const riskAversion = scheduleRiskAversion(request)
  const m = resolveMarket(request, deps, Date.now())
  const { model, params } = executionModelOf(deps.models.modelsFor(request.symbol as string))
  const strategy = request.strategy ?? 'optimal'
  try {
    const { market } = m
    let plan = planExecution(params, request.qtyBase, market, specOf(request, riskAversion ?? 0, strategy))
    const rounded = roundToLots(plan, request, m.state, params, market.volDaily)
    if (rounded !== undefined) plan = rounded.plan
    const qty = plan.holdingsBase[0]
    const { cost, stdCostQuote, varianceQuote2 } = costOf(request, plan, qty, m)
    const { distribution, warning } = distributionOf(model, plan, cost.totalCostBps, m)
    const warnings = executionWarnings(model, plan)
    if (warning !== undefined) warnings.push(warning)
    return {
      side: request.side,
      qtyBase: request.qtyBase,
      strategy,
      riskAversion,
      tauDays: plan.tauDays,
      timesDays: plan.timesDays,
      holdings: plan.holdingsBase,
      trades: plan.tradesBase,
      participation: plan.participation,
      periodVolumeBase: plan.periodVolumeBase,
      averageParticipation: plan.averageParticipation,
      startMs: market.startMs,
      expectedCostQuote: cost.totalCostQuote,
      expectedCostBps: cost.totalCostBps,
      impactBps: cost.impactBps,
      spreadCostBps: cost.spreadCostBps,
      feeBps: cost.feeBps,
      varianceQuote2,
      stdCostQuote,
      timingRiskBps: distribution.timingRiskBps,
      modelRiskBps: distribution.modelRiskBps,
      costStdBps: distribution.costStdBps,
      costQuantilesBps: distribution.costQuantilesBps,
      ...(riskAversion !== undefined ? { objectiveQuote: cost.totalCostQuote + riskAversion * varianceQuote2 } : {}),
      ...(plan.optimiser !== undefined ? { maxParticipation: plan.optimiser.maxParticipation, cappedPeriods: plan.optimiser.cappedPeriods } : {}),
      ...(rounded !== undefined ? { lotSize: rounded.lotSize } : {}),
      executionModel: modelInfo(model, params),
      warnings
    }
  } catch (err) {
    throw asUnprocessable(err, 'body/', FIELDS)
  }
}

/** Rounds the children to the lot size (request's qtyStep, else the instrument's) and re-prices them. */
function roundToLots (plan: ExecutionPlan, request: ScheduleRequest, state: MarketState, params: IStarParams, volDaily: number): { plan: ExecutionPlan, lotSize: object } | undefined {
  const rounded = roundToLotSize(plan.tradesBase, request, state.instrument)
  if (rounded === undefined) return undefined
  if (!(rounded.executedBase > 0)) {
    throw unprocessable('body/qtyStep', 'small enough that some child order is at least one lot', `rounding every child order of ${request.qtyBase} to qtyStep ${rounded.qtyStep}${rounded.minOrderQty !== undefined ? ` with minOrderQty ${rounded.minOrderQty}` : ''} leaves nothing to execute`)
  }
  return { plan: repriceTrades(params, plan, volDaily, state.advBase, rounded.trades), lotSize: rounded.lotSize }
}

/**
 * Default lambda range of the execution model's frontier: lambda0 = E / V of TWAP (the risk
 * aversion at which TWAP's variance term equals its expected cost), from lambda0 / 1000 (close to
 * the cost-minimising trajectory) to 1000 * lambda0 (close to the fastest the cap allows).
 */
function defaultRiskAversionRange (twapCostQuote: number, twapVarianceQuote2: number): { min: number, max: number } {
  const lambda0 = twapVarianceQuote2 > 0 ? twapCostQuote / twapVarianceQuote2 : 1e-6
  return { min: Math.max(lambda0 / 1000, Number.MIN_VALUE), max: Math.min(lambda0 * 1000, 1e6) }
}

/** POST /v1/schedule/frontier under the execution model: one optimal plan per lambda. */
export function runExecutionFrontier (request: FrontierRequest, deps: EstimatorDeps) {
  const m = resolveMarket(request, deps, Date.now())
  const { model, params } = executionModelOf(deps.models.modelsFor(request.symbol as string))
  const { market } = m
  try {
    let grid = request.riskAversions
    if (grid === undefined) {
      const twap = costOf(request, planExecution(params, request.qtyBase, market, specOf(request, 0, 'twap')), request.qtyBase, m)
      const range = defaultRiskAversionRange(twap.cost.totalCostQuote, twap.varianceQuote2)
      const min = request.minRiskAversion ?? range.min
      const max = request.maxRiskAversion ?? Math.max(range.max, min * 10)
      if (!(max > min)) throw unprocessable('body/maxRiskAversion', '> minRiskAversion', `maxRiskAversion (${max}) must exceed minRiskAversion (${min})`)
      grid = riskAversionGrid(min, max, request.count ?? 20)
    }
    const warnings = new Map<string, { code: string, message: string }>()
    const points = grid.map((riskAversion) => {
      const plan = planExecution(params, request.qtyBase, market, specOf(request, riskAversion, 'optimal'))
      const { cost, stdCostQuote, varianceQuote2 } = costOf(request, plan, request.qtyBase, m)
      const { distribution, warning } = distributionOf(model, plan, cost.totalCostBps, m)
      if (warning !== undefined) warnings.set(warning.code, warning)
      return {
        riskAversion,
        expectedCostQuote: cost.totalCostQuote,
        varianceQuote2,
        stdCostQuote,
        expectedCostBps: cost.totalCostBps,
        timingRiskBps: distribution.timingRiskBps,
        modelRiskBps: distribution.modelRiskBps,
        costStdBps: distribution.costStdBps,
        costQuantilesBps: distribution.costQuantilesBps
      }
    })
    return { side: request.side, qtyBase: request.qtyBase, startMs: market.startMs, executionModel: modelInfo(model, params), points, warnings: [...warnings.values()] }
  } catch (err) {
    throw asUnprocessable(err, 'body/', FIELDS)
  }
}
