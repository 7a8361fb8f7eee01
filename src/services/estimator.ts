import { orderCost } from '../domain/impact/order-cost.js'
import { DomainRangeError } from '../domain/errors.js'
import { planExecution } from '../domain/execution/execution-plan.js'
import { bpsToFraction, sideSign } from '../domain/units.js'
import { unknownSymbol, unprocessable } from '../errors.js'
import type { Category, MarketState, MarketStateProvider } from '../market/market-state.js'
import { DEFAULT_MODEL_NAME, type ModelName } from '../models/impact-model.js'
import type { ModelStore } from '../models/model-store.js'
import type { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'
import { EXECUTION_FIELDS, EXECUTION_MODEL_NAME, executionModelOf, executionWarnings, hourlySharesOf, resolveExecution } from './execution.js'
import { costRiskOf, modelRiskOf, type ModelRisk } from './cost-risk.js'
import { staleMarketWarning, type StalenessConfig } from './stale-market.js'

export interface EstimatorDeps {
  market: MarketStateProvider
  models: ModelStore
  /** MARKET_STATE_MAX_AGE_MS and MARKET_DATA_SOURCE, for the MARKET_STATE_STALE warning */
  config: StalenessConfig
}

type Warning = Readonly<{ code: string, message: string }>
const MARKET_INPUTS = ['priceQuote', 'volDaily', 'advBase', 'spreadBps'] as const

/** The fee rate an order pays in `category`: maker or taker (the default) as `liquidity` says. */
export function feeRateFor (market: MarketStateProvider, category: Category, liquidity: 'taker' | 'maker' | undefined): number {
  const fees = market.fees(category)
  return liquidity === 'maker' ? fees.makerFeeRate : fees.takerFeeRate
}

/** Market inputs for the order: the request's where given, else the symbol's market state. */
export function resolveMarketInputs (
  request: Pick<EstimateRequest, 'symbol' | 'priceQuote' | 'volDaily' | 'advBase' | 'spreadBps'>,
  market: MarketStateProvider,
  fieldPrefix: string
): { priceQuote: number, volDaily: number, advBase: number, spreadBps: number, state: MarketState | undefined } {
  const state = market.get(request.symbol)
  if (state === undefined) {
    const missing = MARKET_INPUTS.filter((k) => request[k] === undefined)
    if (missing.length > 0) throw unknownSymbol(`${fieldPrefix}symbol`, request.symbol, missing)
  }
  return {
    priceQuote: request.priceQuote ?? (state as MarketState).priceQuote,
    volDaily: request.volDaily ?? (state as MarketState).volDaily,
    advBase: request.advBase ?? (state as MarketState).advBase,
    spreadBps: request.spreadBps ?? (state as MarketState).spreadBps,
    state
  }
}

/** The impact orderCost is given comes from the order's size through the model: its overflows name qtyBase. */
export const ORDER_COST_FIELDS = { impactCostFraction: 'qtyBase', ...EXECUTION_FIELDS }

/** The "fnName: " a domain error's message starts with (simple-statistics style), which names no request field. */
const DOMAIN_FUNCTION_PREFIX = /^[a-z][A-Za-z0-9]*: /

/**
 * Maps a domain range error to a 422 naming the request field; `fieldNames` renames domain
 * parameters the request calls otherwise (initialHoldingsBase -> qtyBase). The message loses the
 * domain function's name ("optimalSchedule: ..."): the client knows the field, not our functions.
 */
export function asUnprocessable (err: unknown, fieldPrefix: string, fieldNames: Record<string, string> = {}): unknown {
  if (err instanceof DomainRangeError) return unprocessable(`${fieldPrefix}${fieldNames[err.param] ?? err.param}`, err.rule, err.message.replace(DOMAIN_FUNCTION_PREFIX, ''))
  return err
}

/** Where the market state came from and how old it is at `nowMs`. */
export function marketStateInfo (state: MarketState, nowMs = Date.now()): { source: string, asOfMs: number, ageMs: number } {
  return { source: state.source, asOfMs: state.asOfMs, ageMs: Math.max(0, nowMs - state.asOfMs) }
}

/** The last warning built per calibrated range: a market-state input outside the range repeats on every estimate. */
const lastWarning = new WeakMap<object, { value: number, code: string, warning: Warning }>()

/** A warning when `value` lies outside `range`; the same frozen object while the value repeats. */
export function rangeWarning (what: string, value: number, range: { min: number, max: number }, code: string): Warning | undefined {
  if (value >= range.min && value <= range.max) return undefined
  const last = lastWarning.get(range)
  if (last !== undefined && last.value === value && last.code === code) return last.warning
  const warning = Object.freeze({ code, message: `${what} ${value.toPrecision(4)} is outside the range the model was calibrated on [${range.min.toPrecision(4)}, ${range.max.toPrecision(4)}]; the estimate is an extrapolation` })
  lastWarning.set(range, { value, code, warning })
  return warning
}

/**
 * Prices one order: resolves market inputs, runs the chosen impact model (one model version
 * for the whole order) and adds half spread and fees. On the hot path: objects are built in one
 * fixed shape, without spreads, so the serializer sees one hidden class.
 * @throws 422 errors naming the field (`fieldPrefix` + name) for unknown symbols or inputs the math rejects.
 */
export function estimateOrder (request: EstimateRequest, deps: EstimatorDeps, fieldPrefix = 'body/'): EstimateResponse {
  const inputs = resolveMarketInputs(request, deps.market, fieldPrefix)
  const state = inputs.state
  const feeRate = feeRateFor(deps.market, state?.category ?? 'linear', request.liquidity)
  const participation = request.qtyBase / inputs.advBase
  if (!Number.isFinite(participation)) throw unprocessable(`${fieldPrefix}${request.advBase !== undefined ? 'advBase' : 'qtyBase'}`, 'qtyBase / advBase finite', `participation qtyBase / advBase = ${request.qtyBase} / ${inputs.advBase} overflows`)
  const worked = request.execution !== undefined && request.execution.strategy !== 'immediate'
  if (worked && request.model !== undefined && request.model !== EXECUTION_MODEL_NAME) {
    throw unprocessable(`${fieldPrefix}model`, `"${EXECUTION_MODEL_NAME}" or absent with strategy ${request.execution?.strategy}`, `an execution worked over time is priced by the execution model "${EXECUTION_MODEL_NAME}" (I-Star, calibrated on size and trading rate); model "${request.model}" knows size only: leave model out or use execution.strategy "immediate"`)
  }
  const models = deps.models.modelsFor(request.symbol)
  const modelName: ModelName = worked ? EXECUTION_MODEL_NAME : request.model ?? DEFAULT_MODEL_NAME
  const model = models[modelName]
  const warnings: Warning[] = []

  try {
    let impactCostFraction: number
    let timingRisk = 0
    let execution: EstimateResponse['execution'] = IMMEDIATE_EXECUTION
    let risk: ModelRisk
    if (worked) {
      const { spec, startMs } = resolveExecution(request.execution, request.qtyBase, inputs.advBase, Date.now(), fieldPrefix)
      const plan = planExecution(executionModelOf(models).params, request.qtyBase, {
        priceQuote: inputs.priceQuote, volDaily: inputs.volDaily, advBase: inputs.advBase, hourlyVolumeShares: hourlySharesOf(state), startMs
      }, spec)
      impactCostFraction = plan.impactFraction
      timingRisk = plan.timingRiskFraction
      execution = { strategy: plan.strategy, horizonDays: plan.horizonDays, periods: plan.periods, averageParticipation: plan.averageParticipation, startMs }
      for (const w of executionWarnings(model, plan)) warnings.push(w)
      risk = modelRiskOf(model, { plan, volDaily: inputs.volDaily, advBase: inputs.advBase })
    } else {
      risk = modelRiskOf(model, { participation, volDaily: inputs.volDaily })
      impactCostFraction = model.predictCost({
        participation,
        relSpread: bpsToFraction(inputs.spreadBps),
        volDaily: inputs.volDaily,
        sideSign: sideSign(request.side)
      })
    }
    if (impactCostFraction < 0) {
      warnings.push({ code: 'IMPACT_CLAMPED', message: `model ${modelName} predicted a negative impact (${(impactCostFraction * 1e4).toPrecision(3)} bps, price improvement); reported as 0` })
      impactCostFraction = 0
    }
    const cost = orderCost({ side: request.side, qtyBase: request.qtyBase, priceQuote: inputs.priceQuote, advBase: inputs.advBase, spreadBps: inputs.spreadBps, feeRate, impactCostFraction })
    if (risk.warning !== undefined) warnings.push(risk.warning)
    const distribution = costRiskOf(cost.totalCostBps, timingRisk, risk.riskFraction)
    const nowMs = Date.now()
    // stale only matters when the estimate used the state: a market input or (worked) its volume profile
    const w0 = state !== undefined && (worked || inputSources(request) !== ALL_FROM_REQUEST) ? staleMarketWarning(state, nowMs, deps.config) : undefined
    if (w0 !== undefined) warnings.push(w0)
    const w1 = rangeWarning('participation', participation, model.validity.participation, 'PARTICIPATION_OUTSIDE_CALIBRATION')
    const w2 = rangeWarning('volDaily', inputs.volDaily, model.validity.volDaily, 'VOLATILITY_OUTSIDE_CALIBRATION')
    if (w1 !== undefined) warnings.push(w1)
    if (w2 !== undefined) warnings.push(w2)
    return {
      symbol: request.symbol,
      side: request.side,
      qtyBase: request.qtyBase,
      priceQuote: inputs.priceQuote,
      notionalQuote: cost.notionalQuote,
      participation: cost.participation,
      volDaily: inputs.volDaily,
      advBase: inputs.advBase,
      spreadBps: inputs.spreadBps,
      impactBps: cost.impactBps,
      impactQuote: cost.impactQuote,
      spreadCostBps: cost.spreadCostBps,
      spreadCostQuote: cost.spreadCostQuote,
      feeBps: cost.feeBps,
      feeQuote: cost.feeQuote,
      totalCostBps: cost.totalCostBps,
      totalCostQuote: cost.totalCostQuote,
      timingRiskBps: distribution.timingRiskBps,
      timingRiskQuote: timingRisk * cost.notionalQuote,
      expectedCostBps: distribution.expectedCostBps,
      modelRiskBps: distribution.modelRiskBps,
      costStdBps: distribution.costStdBps,
      costQuantilesBps: distribution.costQuantilesBps,
      execution,
      expectedAvgPriceQuote: cost.expectedAvgPriceQuote,
      model: model.info,
      inputs: inputSources(request),
      marketState: state !== undefined ? marketStateInfo(state, nowMs) : undefined,
      warnings
    }
  } catch (err) {
    throw asUnprocessable(err, fieldPrefix, ORDER_COST_FIELDS)
  }
}

/** The `execution` of every immediate estimate: one shared frozen object. */
export const IMMEDIATE_EXECUTION: EstimateResponse['execution'] = Object.freeze({ strategy: 'immediate' as const, horizonDays: 0, periods: 1, averageParticipation: 1 })

type InputSources = EstimateResponse['inputs']
/** The 16 possible `inputs` objects, shared and frozen: which market inputs the request gave. */
const INPUT_SOURCES: readonly InputSources[] = Array.from({ length: 16 }, (_, bits) => Object.freeze({
  priceQuote: (bits & 1) !== 0 ? 'request' : 'market-state',
  volDaily: (bits & 2) !== 0 ? 'request' : 'market-state',
  advBase: (bits & 4) !== 0 ? 'request' : 'market-state',
  spreadBps: (bits & 8) !== 0 ? 'request' : 'market-state'
} as const))

/** The `inputs` of a request that gave every market input. */
const ALL_FROM_REQUEST = INPUT_SOURCES[15]

function inputSources (request: EstimateRequest): InputSources {
  return INPUT_SOURCES[(request.priceQuote !== undefined ? 1 : 0) | (request.volDaily !== undefined ? 2 : 0) | (request.advBase !== undefined ? 4 : 0) | (request.spreadBps !== undefined ? 8 : 0)]
}
