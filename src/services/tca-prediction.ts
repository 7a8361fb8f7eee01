/**
 * The prediction a TCA trade is scored against (issue 15), defined once for POST /v1/tca and for
 * the recalibration job's before/after report: the model's expected impact of the execution that
 * happened plus half the spread (the implementation shortfall holds no fees), with the standard
 * deviation sqrt(timing risk^2 + model risk^2) POST /v1/estimate gives the same execution.
 */
import { defaultPeriods, planExecution, type ExecutionPlan } from '../domain/execution/execution-plan.js'
import { MS_PER_DAY } from '../domain/execution/volume-profile.js'
import type { ScoredFill } from '../domain/tca/calibration-report.js'
import { fractionToBps } from '../domain/units.js'
import type { ImpactModel, ModelName } from '../models/impact-model.js'
import type { TcaRecord } from '../store/tca-store.js'
import { costRiskOf, modelRiskOf } from './cost-risk.js'
import { istarParamsOf } from './execution.js'

/** An execution as the TCA saw it. */
export interface ExecutedOrder {
  qtyBase: number
  arrivalPriceQuote: number
  advBase: number
  volDaily: number
  /** (ask - bid) / mid at arrival */
  relSpread: number
  /** the market's hour-of-day volume shares (the symbol's profile) */
  hourlyShares: readonly number[]
  /** how it was worked; absent: at once */
  window?: { startMs: number, endMs: number, strategy: 'twap' | 'vwap' }
}

/** The plan of a worked execution under the execution model `model` (one period a minute, as the estimate's default). */
export function plannedExecution (model: ImpactModel, order: ExecutedOrder): ExecutionPlan | undefined {
  const w = order.window
  if (w === undefined) return undefined
  const horizonDays = (w.endMs - w.startMs) / MS_PER_DAY
  return planExecution(istarParamsOf(model), order.qtyBase, { priceQuote: order.arrivalPriceQuote, volDaily: order.volDaily, advBase: order.advBase, hourlyVolumeShares: order.hourlyShares, startMs: w.startMs },
    { strategy: w.strategy, horizonDays, periods: defaultPeriods(horizonDays) })
}

/** The expected impact (fraction, >= 0) of the order under `model`: its plan's, else the model's for the whole order at once. */
export function expectedImpact (model: ImpactModel, order: ExecutedOrder, plan: ExecutionPlan | undefined, sideSign: 1 | -1): number {
  if (plan !== undefined) return plan.impactFraction
  return Math.max(0, model.predictCost({ participation: order.qtyBase / order.advBase, volDaily: order.volDaily, relSpread: order.relSpread, sideSign }))
}

/**
 * The predicted cost (impact + half spread, bps) and its standard deviation (bps) of the order
 * under `model` (model risk only for the execution model, which carries a covariance).
 */
export function predictedCost (model: ImpactModel, order: ExecutedOrder, plan: ExecutionPlan | undefined, impactFraction: number): { predictedCostBps: number, predictedStdBps: number } {
  const risk = modelRiskOf(model, plan !== undefined ? { plan, volDaily: order.volDaily, advBase: order.advBase } : { participation: order.qtyBase / order.advBase, volDaily: order.volDaily })
  const d = costRiskOf(fractionToBps(impactFraction + order.relSpread / 2), plan?.timingRiskFraction ?? 0, risk.riskFraction)
  return { predictedCostBps: d.expectedCostBps, predictedStdBps: d.costStdBps }
}

/** The scored fill of a realised shortfall against a prediction; undefined when the std is 0 or z not finite. */
export function scoredFill (participation: number, notionalQuote: number, implementationShortfallBps: number, prediction: { predictedCostBps: number, predictedStdBps: number }): ScoredFill | undefined {
  if (!(prediction.predictedStdBps > 0)) return undefined
  const zScore = (implementationShortfallBps - prediction.predictedCostBps) / prediction.predictedStdBps
  return Number.isFinite(zScore) ? { participation, notionalQuote, implementationShortfallBps, ...prediction, zScore } : undefined
}

/**
 * Stored records that were scored (they carry `prediction`), scored again with the models
 * `modelFor` gives for the slot that made each prediction: the job's "after" report of a
 * candidate. A record that cannot be re-priced (the new model refuses it) is left out.
 */
export function rescoreRecords (records: readonly TcaRecord[], modelFor: (name: ModelName) => ImpactModel, hourlyShares: readonly number[]): ScoredFill[] {
  const out: ScoredFill[] = []
  for (const r of records) {
    const p = r.prediction
    if (p === undefined) continue
    const model = modelFor(p.model as ModelName)
    const order: ExecutedOrder = {
      qtyBase: r.qtyBase,
      arrivalPriceQuote: r.arrivalPriceQuote,
      advBase: r.advBase,
      volDaily: r.volDaily,
      relSpread: r.relSpread,
      hourlyShares,
      ...(p.endMs !== undefined ? { window: { startMs: p.startMs, endMs: p.endMs, strategy: p.strategy ?? 'vwap' } } : {})
    }
    try {
      const plan = plannedExecution(model, order)
      const prediction = predictedCost(model, order, plan, expectedImpact(model, order, plan, r.side === 'buy' ? 1 : -1))
      const fill = scoredFill(p.participation, p.notionalQuote, p.implementationShortfallBps, prediction)
      if (fill !== undefined) out.push(fill)
    } catch {
      // the candidate cannot price this execution (e.g. outside its parameter box): not scored
    }
  }
  return out
}
