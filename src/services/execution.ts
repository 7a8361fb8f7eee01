/**
 * The request side of an execution (issue 13): which strategy with which inputs, the symbol's
 * execution model, and the plan priced under it. Estimates, batches, checks, schedules and TCA
 * all come through here, so one execution has one price everywhere.
 */
import { DEFAULT_MAX_PARTICIPATION, defaultPeriods, type ExecutionPlan, type ExecutionSpec, type ExecutionStrategy } from '../domain/execution/execution-plan.js'
import { FLAT_HOURLY_SHARES, MS_PER_DAY } from '../domain/execution/volume-profile.js'
import type { IStarParams } from '../domain/impact/istar.js'
import { unprocessable } from '../errors.js'
import type { MarketState } from '../market/market-state.js'
import type { ImpactModel, ModelName, ModelSet, Range } from '../models/impact-model.js'
import type { ExecutionField } from '../schemas/estimate.js'

/** The model every execution but an immediate one is priced by. */
export const EXECUTION_MODEL_NAME = 'istar' satisfies ModelName

type Warning = Readonly<{ code: string, message: string }>

/** Default start of a worked execution: the minute of the request (so two requests in one minute price alike). */
export function defaultStartMs (nowMs: number): number {
  return Math.floor(nowMs / 60_000) * 60_000
}

/** What each strategy needs and refuses (fields of `execution`). */
const FIELDS: Record<ExecutionStrategy, { required: ReadonlyArray<keyof ExecutionField>, allowed: ReadonlyArray<keyof ExecutionField> }> = {
  immediate: { required: [], allowed: [] },
  twap: { required: ['horizonDays'], allowed: ['horizonDays', 'periods', 'startMs'] },
  vwap: { required: ['horizonDays'], allowed: ['horizonDays', 'periods', 'startMs'] },
  pov: { required: ['participationRate'], allowed: ['participationRate', 'periods', 'startMs'] },
  optimal: { required: ['horizonDays', 'riskAversion'], allowed: ['horizonDays', 'periods', 'riskAversion', 'maxParticipation', 'startMs'] }
}

/** Period count of a pov execution without `periods`: one a minute of its expected horizon. */
function povPeriods (qtyBase: number, rate: number, advBase: number): number {
  return defaultPeriods(qtyBase / (rate * advBase))
}

/**
 * The domain spec of a request's `execution` (absent means immediate), with the documented
 * defaults filled in. `fieldPrefix` is e.g. 'body/' or 'body/orders/3/'.
 * @throws 422 naming `${fieldPrefix}execution/<field>` for a field the strategy needs or refuses.
 */
export function resolveExecution (execution: ExecutionField | undefined, qtyBase: number, advBase: number, nowMs: number, fieldPrefix: string): { spec: ExecutionSpec, startMs: number } {
  if (execution === undefined || execution.strategy === 'immediate') {
    if (execution !== undefined) refuseExtra(execution, fieldPrefix)
    return { spec: { strategy: 'immediate' }, startMs: nowMs }
  }
  const { strategy } = execution
  for (const field of FIELDS[strategy].required) {
    if (execution[field] === undefined) throw unprocessable(`${fieldPrefix}execution/${field}`, `required with strategy ${strategy}`, `execution.${field} is required when execution.strategy is "${strategy}"`)
  }
  refuseExtra(execution, fieldPrefix)
  const startMs = execution.startMs ?? defaultStartMs(nowMs)
  switch (strategy) {
    case 'twap':
    case 'vwap': {
      const horizonDays = execution.horizonDays as number
      return { spec: { strategy, horizonDays, periods: execution.periods ?? defaultPeriods(horizonDays) }, startMs }
    }
    case 'pov': {
      const participationRate = execution.participationRate as number
      return { spec: { strategy, participationRate, periods: execution.periods ?? povPeriods(qtyBase, participationRate, advBase) }, startMs }
    }
    case 'optimal': {
      const horizonDays = execution.horizonDays as number
      return {
        spec: { strategy, horizonDays, periods: execution.periods ?? defaultPeriods(horizonDays), riskAversion: execution.riskAversion as number, maxParticipation: execution.maxParticipation ?? DEFAULT_MAX_PARTICIPATION },
        startMs
      }
    }
  }
}

function refuseExtra (execution: ExecutionField, fieldPrefix: string): void {
  const { strategy } = execution
  for (const field of Object.keys(execution) as Array<keyof ExecutionField>) {
    if (field === 'strategy' || FIELDS[strategy].allowed.includes(field)) continue
    throw unprocessable(`${fieldPrefix}execution/${field}`, `not allowed with strategy ${strategy}`, `execution.${field} has no meaning when execution.strategy is "${strategy}"; it takes ${FIELDS[strategy].allowed.join(', ') || 'no other field'}`)
  }
}

/** The symbol's execution model and its I-Star parameters. */
export function executionModelOf (models: ModelSet): { model: ImpactModel, params: IStarParams } {
  const model = models[EXECUTION_MODEL_NAME]
  return { model, params: istarParamsOf(model) }
}

/** The I-Star parameters of an execution model (one of kind "istar", validated when it was built). */
export function istarParamsOf (model: ImpactModel): IStarParams {
  return (model.record as { params: IStarParams }).params
}

/** Domain parameters of an execution that the request spells under `execution/`. */
export const EXECUTION_FIELDS = {
  horizonDays: 'execution/horizonDays',
  periods: 'execution/periods',
  participationRate: 'execution/participationRate',
  riskAversion: 'execution/riskAversion',
  maxParticipation: 'execution/maxParticipation',
  startMs: 'execution/startMs'
}

/** The hourly volume profile of a symbol's market state, or the flat one. */
export function hourlySharesOf (state: MarketState | undefined): readonly number[] {
  return state?.volumeProfile?.hourlyShares ?? FLAT_HOURLY_SHARES
}

function calibratedRange (model: ImpactModel, key: string): Range | undefined {
  const range = (model.calibration as Record<string, unknown>)[key] as Range | undefined
  return range !== undefined && typeof range.min === 'number' && typeof range.max === 'number' ? range : undefined
}

/**
 * Warnings for an execution priced outside what the execution model was calibrated on: a horizon
 * outside its window lengths, an average participation outside its POV range.
 */
export function executionWarnings (model: ImpactModel, plan: ExecutionPlan): Warning[] {
  if (plan.strategy === 'immediate') return []
  const warnings: Warning[] = []
  const horizons = calibratedRange(model, 'horizonMinutesRange')
  const horizonMinutes = plan.horizonDays * MS_PER_DAY / 60_000
  if (horizons !== undefined && (horizonMinutes < horizons.min || horizonMinutes > horizons.max)) {
    warnings.push({ code: 'HORIZON_OUTSIDE_CALIBRATION', message: `the horizon of ${horizonMinutes.toPrecision(4)} minutes is outside the window lengths the execution model was calibrated on [${horizons.min}, ${horizons.max}] minutes; the estimate is an extrapolation` })
  }
  const povs = calibratedRange(model, 'povRange')
  if (povs !== undefined && (plan.averageParticipation < povs.min || plan.averageParticipation > povs.max)) {
    warnings.push({ code: 'POV_OUTSIDE_CALIBRATION', message: `average participation ${plan.averageParticipation.toPrecision(4)} of market volume is outside the range the execution model was calibrated on [${povs.min.toPrecision(4)}, ${povs.max.toPrecision(4)}]; the estimate is an extrapolation` })
  }
  return warnings
}
