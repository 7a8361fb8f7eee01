/**
 * Is the execution model's cost distribution calibrated? (issue 15, `npm run eval`.) Each held-out
 * test window of the I-Star evaluation (eval-istar.ts) is treated as one execution: the window's
 * net signed taker flow Q, worked over the window.
 * - realised cost: the window's signed return sign(Q) (close_end / open_start - 1), in bps, the
 *   calibration target (cost-positive: the price moved with the flow);
 * - predicted mean: the fit's MI of the window (windowImpact in calibrate-istar.ts);
 * - predicted std: sqrt(timing^2 + model^2) (execution/cost-distribution.ts), with
 *   timing = volDaily sqrt(L / 1440): the diffusion SD of THIS measured quantity, a close-vs-open
 *   return over L minutes, NOT the sigma sqrt(T/3) of an average-price shortfall of a TWAP (the
 *   window's return is the full move over the window, not the average over a schedule), and
 *   model = modelRiskFraction (delta method) with the fit's own covariance (the bootstrap's for
 *   the joint I-Star fit, the day-clustered sandwich for the square-root law);
 * - z = (realised - predicted) / std, scored by calibrationReport (tca/calibration-report.ts).
 * Every window weighs the same (notionalQuote = 1: the windows have no notional).
 */
import { windowImpact, type IStarWindow } from '../../src/domain/impact/calibrate-istar.js'
import type { IStarParams } from '../../src/domain/impact/istar.js'
import { modelRiskFraction } from '../../src/domain/execution/cost-distribution.js'
import { calibrationReport, type CalibrationCell, type CalibrationReport, type ScoredFill } from '../../src/domain/tca/calibration-report.js'
import { standardNormalCdf } from '../../src/domain/normal.js'
import { fractionToBps } from '../../src/domain/units.js'

const MINUTES_PER_DAY = 1440

/** A fit as the calibration needs it: parameters and covariance in ISTAR_PARAM_ORDER (null rows: unidentified). */
export interface FitForCalibration {
  params: IStarParams
  covariance: { matrix: ReadonlyArray<ReadonlyArray<number | null>> }
}

/** Pooled extras of one model: tails and the weight of the model risk in the predicted variance. */
export interface CalibrationPooledExtras {
  /** share of windows with |z| > 3, and the standard normal's 2 Phi(-3) = 0.27 % */
  absZAbove3: { share: number, normal: number }
  /** mean over windows of model^2 / (timing^2 + model^2) */
  modelRiskShareOfVariance: number
  /** windows whose model risk could not be computed (an unidentified parameter moves the impact): scored on timing risk alone */
  modelRiskUnavailable: number
}

export interface CalibrationLengthRow {
  lengthMinutes: number
  windows: number
  istar: CalibrationCell
  sqrt: CalibrationCell
}

export interface CalibrationEvaluation {
  method: string
  perLength: CalibrationLengthRow[]
  /** all test windows together; the full reports carry the |Q|/ADV deciles and the z histogram */
  pooled: {
    windows: number
    istar: CalibrationReport & CalibrationPooledExtras
    sqrt: CalibrationReport & CalibrationPooledExtras
  }
}

export const CALIBRATION_METHOD = 'each test window is one execution of its net signed taker flow Q over the window: realised cost = sign(Q) (close_end / open_start - 1) in bps; predicted mean = the fit\'s MI of the window; predicted std = sqrt(timing² + model²) with timing = volDaily sqrt(L / 1440), the diffusion SD of a close-vs-open return over L minutes (not the sigma sqrt(T/3) of a TWAP\'s average-price shortfall), and model = the delta-method SD of MI from the fit\'s covariance; z = (realised - predicted) / std; band = the predicted p05-p95, |z| <= 1.645, nominal coverage 90 %; every window weighs the same'

interface Scored { fills: ScoredFill[], modelShareSum: number, unavailable: number }

/** Scores `windows` under one fit: one ScoredFill per window. O(windows). */
export function scoreWindows (windows: readonly IStarWindow[], fit: FitForCalibration): Scored {
  const fills: ScoredFill[] = []
  let modelShareSum = 0
  let unavailable = 0
  for (const w of windows) {
    const predicted = windowImpact(fit.params, w)
    const timing = w.volDaily * Math.sqrt(w.lengthMinutes / MINUTES_PER_DAY)
    const modelRisk = modelRiskFraction(fit.params, fit.covariance.matrix, (p) => windowImpact(p, w))
    if (modelRisk === undefined) unavailable++
    const model = modelRisk ?? 0
    const variance = timing * timing + model * model
    modelShareSum += (model * model) / variance
    const predictedStdBps = fractionToBps(Math.sqrt(variance))
    const realisedBps = fractionToBps(w.signedReturn)
    const predictedCostBps = fractionToBps(predicted)
    fills.push({
      participation: w.sizeFractionOfAdv,
      notionalQuote: 1,
      implementationShortfallBps: realisedBps,
      predictedCostBps,
      predictedStdBps,
      zScore: (realisedBps - predictedCostBps) / predictedStdBps
    })
  }
  return { fills, modelShareSum, unavailable }
}

function pooledReport (scored: Scored): CalibrationReport & CalibrationPooledExtras {
  const n = scored.fills.length
  const above3 = scored.fills.filter((f) => Math.abs(f.zScore) > 3).length
  return {
    ...calibrationReport(scored.fills),
    absZAbove3: { share: n === 0 ? 0 : above3 / n, normal: 2 * standardNormalCdf(-3) },
    modelRiskShareOfVariance: n === 0 ? 0 : scored.modelShareSum / n,
    modelRiskUnavailable: scored.unavailable
  }
}

/**
 * The calibration of the joint I-Star fit and of the square-root law on the held-out windows,
 * per window length and pooled (method: CALIBRATION_METHOD). O(windows log windows).
 */
export function evaluateCalibration (test: readonly IStarWindow[], fits: { istar: FitForCalibration, sqrt: FitForCalibration }, lengthsMinutes: readonly number[]): CalibrationEvaluation {
  const istar = scoreWindows(test, fits.istar)
  const sqrt = scoreWindows(test, fits.sqrt)
  const perLength = lengthsMinutes.map((lengthMinutes): CalibrationLengthRow => {
    const indices = test.flatMap((w, i) => (w.lengthMinutes === lengthMinutes ? [i] : []))
    return {
      lengthMinutes,
      windows: indices.length,
      istar: calibrationReport(indices.map((i) => istar.fills[i])).overall,
      sqrt: calibrationReport(indices.map((i) => sqrt.fills[i])).overall
    }
  })
  return {
    method: CALIBRATION_METHOD,
    perLength,
    pooled: { windows: test.length, istar: pooledReport(istar), sqrt: pooledReport(sqrt) }
  }
}
