/**
 * The execution model's record from a publishing verdict of the I-Star gate
 * (src/domain/validation/istar-gate.ts): what GET /v1/models shows of a recalibrated "istar".
 */
import { identifiedCovariance, type IStarGateVerdict } from '../domain/validation/istar-gate.js'
import { contentVersion, type ModelRecord } from '../models/impact-model.js'
import { finiteOnly } from './finite-only.js'

/**
 * @param verdict a verdict with publish true (it has a calibration and a split)
 * @param lengthsMinutes the window lengths the gate saw (horizonMinutesRange)
 * @throws TypeError when the verdict does not publish.
 */
export function istarRecord (symbol: string, verdict: IStarGateVerdict, lengthsMinutes: readonly number[], runAtMs: number, createdAtMs: number): ModelRecord {
  const fit = verdict.calibration
  if (!verdict.publish || fit === undefined || verdict.split === undefined || verdict.validation === undefined) throw new TypeError('istarRecord: the verdict must publish a fit')
  const params = { ...fit.params }
  const covariance = identifiedCovariance(fit.clustered, fit.fitted)
  const volDaily = verdict.split.trainVolDailyRange ?? { min: 0, max: 0 }
  return finiteOnly({
    name: 'istar' as const,
    params,
    version: contentVersion(`${symbol}-istar-${runAtMs}`, params),
    source: 'recalibrated' as const,
    validity: { participation: fit.sizeFractionOfAdvRange, volDaily },
    calibration: {
      form: verdict.form,
      source: 'klines and trade tape',
      fitted: fit.fitted,
      covariance: {
        method: 'day-clustered sandwich (CR1)',
        names: covariance.names,
        matrix: covariance.matrix,
        note: `rows of fixed (${covariance.leftOut.fixed.join(', ') || 'none'}) and unidentified (${covariance.leftOut.unidentified.join(', ') || 'none'}) parameters left out`
      },
      stdErr: covariance.stdErr,
      atBound: fit.atBound,
      converged: fit.converged,
      windowsPerLength: fit.windowsPerLength,
      days: fit.days,
      povRange: fit.povRange,
      horizonMinutesRange: { min: Math.min(...lengthsMinutes), max: Math.max(...lengthsMinutes) },
      sizeFractionOfAdvRange: fit.sizeFractionOfAdvRange,
      speedEffect: fit.speedEffect,
      rateTermDistinguishable: fit.rateTermDistinguishable,
      validation: { split: verdict.split, ...verdict.validation, reasons: verdict.reasons },
      runAtMs
    },
    createdAtMs
  }) as ModelRecord
}
