/**
 * The cost of an order as a distribution (issue 15): mean = totalCostBps, timing risk from the
 * price path, model risk from the execution model's parameter covariance (delta method), and the
 * normal quantiles (domain/execution/cost-distribution.ts). Estimates, batches, checks,
 * schedules, frontiers and the TCA's predictions all build it here, so they agree.
 */
import { costDistribution, modelRiskFraction, type CostQuantilesBps } from '../domain/execution/cost-distribution.js'
import { repriceTrades, type ExecutionPlan } from '../domain/execution/execution-plan.js'
import { ISTAR_PARAM_ORDER } from '../domain/impact/istar-covariance.js'
import { instantaneousImpact, type IStarParams } from '../domain/impact/istar.js'
import { fractionToBps } from '../domain/units.js'
import type { ImpactModel } from '../models/impact-model.js'
import { EXECUTION_MODEL_NAME, istarParamsOf } from './execution.js'

type Warning = Readonly<{ code: string, message: string }>
type Covariance = ReadonlyArray<ReadonlyArray<number | null>>

/** What every priced order reports about its cost distribution (bps of notional, cost-positive). */
export interface CostRisk {
  expectedCostBps: number
  timingRiskBps: number
  /** absent when the model carries no parameter covariance (the quantiles then hold timing risk only; the API never sends null) */
  modelRiskBps?: number
  costStdBps: number
  costQuantilesBps: CostQuantilesBps
}

const covariances = new WeakMap<ImpactModel, Covariance | null>()

function readCovariance (model: ImpactModel): Covariance | null {
  const c = (model.calibration as { covariance?: { names?: unknown, matrix?: unknown } }).covariance
  if (c === undefined || !Array.isArray(c.names) || !Array.isArray(c.matrix)) return null
  if (c.names.length !== ISTAR_PARAM_ORDER.length || !c.names.every((n, j) => n === ISTAR_PARAM_ORDER[j])) return null
  const k = ISTAR_PARAM_ORDER.length
  const ok = c.matrix.length === k && c.matrix.every((row: unknown) => Array.isArray(row) && row.length === k && row.every((v) => v === null || (typeof v === 'number' && Number.isFinite(v))))
  return ok ? c.matrix as Covariance : null
}

/**
 * The I-Star parameter covariance an execution model's record carries (calibration.covariance:
 * names a1, a2, a4, b1; rows of fixed parameters 0, of unidentified ones null), read once per model.
 */
export function paramCovarianceOf (model: ImpactModel): Covariance | undefined {
  let c = covariances.get(model)
  if (c === undefined) {
    c = readCovariance(model)
    covariances.set(model, c)
  }
  return c ?? undefined
}

/** An order's model risk (fraction of notional), or the warning that says why it is unknown: one of the two is set. */
export type ModelRisk = { riskFraction: number, warning?: undefined } | { riskFraction?: undefined, warning: Warning }

/** What an order's expected impact depends on: its plan when worked over time, else its participation at once. */
export type PricedExecution = { plan: ExecutionPlan, volDaily: number, advBase: number } | { participation: number, volDaily: number }

/**
 * The model risk of an order, fraction of notional: the delta method on the execution model's
 * parameter covariance (modelRiskFraction), re-pricing the same execution (the plan's trades, or
 * the whole order at once) under perturbed parameters. When there is none, the warning that says
 * why: a size-only model (sqrt, linear, mlp) or a record without a covariance carries none, and an
 * unidentified parameter that moves this impact makes it unknown.
 */
export function modelRiskOf (model: ImpactModel, execution: PricedExecution): ModelRisk {
  if (model.name !== EXECUTION_MODEL_NAME) return { warning: modelRiskWarning(`model ${model.name} carries no parameter covariance (only the execution model "${EXECUTION_MODEL_NAME}" does)`) }
  const covariance = paramCovarianceOf(model)
  if (covariance === undefined) return { warning: modelRiskWarning(`model ${model.name} ${model.version} carries no parameter covariance`) }
  const impactOf = 'plan' in execution
    ? (p: IStarParams) => repriceTrades(p, execution.plan, execution.volDaily, execution.advBase, execution.plan.tradesBase).impactFraction
    : (p: IStarParams) => instantaneousImpact(p, execution.participation, execution.volDaily)
  const risk = modelRiskFraction(istarParamsOf(model), covariance, impactOf)
  if (risk === undefined) return { warning: modelRiskWarning(`a parameter of model ${model.name} ${model.version} that its calibration could not identify moves this estimate`) }
  return { riskFraction: risk }
}

/** The warning of an order whose model risk is unknown: its quantiles hold the timing risk only. */
function modelRiskWarning (reason: string): Warning {
  return { code: 'MODEL_RISK_UNAVAILABLE', message: `${reason}: modelRiskBps is absent and the cost quantiles reflect timing risk only` }
}

/**
 * The cost distribution of an order: normal, mean totalCostBps, std sqrt(timing^2 + model^2)
 * (model 0 when unknown, and modelRiskBps left out). Fractions in, bps out.
 */
export function costRiskOf (totalCostBps: number, timingRiskFraction: number, modelRiskFraction: number | undefined): CostRisk {
  const modelRiskBps = modelRiskFraction === undefined ? 0 : fractionToBps(modelRiskFraction)
  const d = costDistribution({ expectedCostBps: totalCostBps, timingRiskBps: fractionToBps(timingRiskFraction), modelRiskBps })
  return {
    expectedCostBps: d.expectedCostBps,
    timingRiskBps: d.timingRiskBps,
    modelRiskBps: modelRiskFraction === undefined ? undefined : d.modelRiskBps,
    costStdBps: d.costStdBps,
    costQuantilesBps: d.costQuantilesBps
  }
}
