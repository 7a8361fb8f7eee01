/**
 * The "istar" section of embedded/models.json: the execution model published by the
 * out-of-sample comparison of evaluateIStar (eval-istar.ts), with its covariance, standard
 * errors and validity ranges. The kind that reads it: src/models/kinds/istar.ts.
 */
import type { IStarParamName } from '../../src/domain/impact/calibrate-istar.js'
import type { IStarEvaluation, IStarFitSummary, Range, StdErrors } from './eval-istar.js'
import type { Sourced } from './market-state.js'
import { formatNumber as fmt } from './stats.js'

export type IStarSection = {
  params: Record<IStarParamName, Sourced>
  calibration: {
    participationRange: Range
    volDailyRange: Range
    povRange: Range
    horizonMinutesRange: Range
    form: IStarEvaluation['winner']
    covariance: { names: IStarParamName[], matrix: number[][], unidentified: IStarParamName[], note: string }
    stdErr: Partial<Record<IStarParamName, number>>
    stdErrMethod: string
    windowsPerLength: Array<{ lengthMinutes: number, train: number, test: number }>
    days: { train: number, test: number }
    /** stdErr and z left out when not identified */
    speedEffect: { povLow: number, povHigh: number, ratio: number, stdErr?: number, z?: number }
    rateTermDistinguishable: boolean
    speed: string
    weighting: string
    outOfSampleR2: { pooled: { istar: number, sqrt: number }, perLength: Array<{ lengthMinutes: number, istar: number, sqrt: number }> }
    fits: { istar: { params: Record<IStarParamName, number>, stdErr: Partial<Record<IStarParamName, number>>, unidentified: IStarParamName[], atBound: IStarParamName[] }, sqrt: { params: Record<IStarParamName, number>, stdErr: Partial<Record<IStarParamName, number>> } }
    files: { train: string[], test: string[] }
    lookbackMinutes: number
  }
}

/**
 * The file holds no null (the service's responses carry none: a null reads as a serialized NaN):
 * an unidentified parameter's SE is left out and its covariance row and column are 0, named in
 * `unidentified`.
 */
function knownStdErrors (stdErr: StdErrors): Partial<Record<IStarParamName, number>> {
  return Object.fromEntries(Object.entries(stdErr).filter(([, v]) => v !== null)) as Partial<Record<IStarParamName, number>>
}

function zeroForUnknown (fit: IStarFitSummary): number[][] {
  return fit.covariance.matrix.map((row) => row.map((v) => v ?? 0))
}

function se (x: number | null): string {
  return x === null ? 'not identified' : fmt(x, 3)
}

/** The section for the winner of `e` (I-Star, or the square-root law as b1 = 0, a4 = 0, a2 = 0.5). */
export function istarSection (e: IStarEvaluation): IStarSection {
  const { winner, published: fit, publishedParams: p } = e
  const s = e.settings
  const data = `${e.windows.train} non-overlapping windows of ${s.lengthsMinutes.join(', ')} minutes of ${e.trainFiles.length} Binance USD-M alt perpetuals (${s.trainMonth}, ${e.days.train} days), Q = net taker flow, POV = |Q| / window volume, ADV and volDaily from the trailing ${s.lookbackMinutes} minutes only; ${e.weighting}`
  const comparison = `out of sample (${s.testMonth}, ${e.windows.test} windows of ${e.testFiles.length} perps) pooled R^2 ${fmt(e.pooledOutOfSampleR2.istar, 3)} for I-Star vs ${fmt(e.pooledOutOfSampleR2.sqrt, 3)} for the horizon-free square-root law`
  const origin = winner === 'i-star'
    ? {
        a1: `I-Star fitted by weighted nonlinear least squares of sign(Q) dP/P on MI (calibrateIStar), ${data}; published because its ${comparison}; std. err. ${se(fit.stdErr.a1)} (${fit.stdErrMethod}).`,
        a2: `size exponent of the same fit; std. err. ${se(fit.stdErr.a2)}.`,
        a4: `rate exponent of the same fit; std. err. ${se(fit.stdErr.a4)}${p.b1 === 0 ? ' (b1 = 0, so a4 has no effect and is not identified)' : ''}.`,
        b1: `rate-dependent share of the same fit; std. err. ${se(fit.stdErr.b1)}. ${e.speedText}`
      }
    : {
        a1: `a1 of the horizon-free square-root law MI = a1 volDaily sqrt(|Q|/ADV) (fitSquareRootLaw, a2 fixed at 0.5), ${data}; published instead of I-Star because its ${comparison}; std. err. ${se(fit.stdErr.a1)} (${fit.stdErrMethod}).`,
        a2: '0.5, fixed: the square-root law (Toth et al. 2011), the form that won out of sample.',
        a4: '0, fixed: with b1 = 0 the rate exponent has no effect; 0 keeps MI = I* at every POV.',
        b1: `0, fixed: the square-root law has no rate-dependent part. ${e.speedText}`
      }
  const params = Object.fromEntries((['a1', 'a2', 'a4', 'b1'] as const).map((name) => [name, { value: p[name], origin: origin[name] }])) as Record<IStarParamName, Sourced>
  const fixedNote = winner === 'i-star'
    ? `the joint I-Star fit's covariance (${fit.stdErrMethod}); rows and columns of parameters the data cannot identify (listed in unidentified: ${fit.unidentified.length > 0 ? fit.unidentified.join(', ') : 'none'}) are 0 and their SEs are left out of stdErr`
    : `the square-root law's covariance (${fit.stdErrMethod}): only a1 is estimated; a2, a4 and b1 are held fixed, so their rows and columns are 0`
  return {
    params,
    calibration: {
      participationRange: e.sizeFractionOfAdvRange,
      volDailyRange: e.volDailyRange,
      povRange: e.povRange,
      horizonMinutesRange: { min: Math.min(...s.lengthsMinutes), max: Math.max(...s.lengthsMinutes) },
      form: winner,
      covariance: { names: fit.covariance.names, matrix: zeroForUnknown(fit), unidentified: fit.unidentified, note: fixedNote },
      stdErr: knownStdErrors(fit.stdErr),
      stdErrMethod: fit.stdErrMethod,
      windowsPerLength: e.perLength.map((row) => ({ lengthMinutes: row.lengthMinutes, ...row.windows })),
      days: e.days,
      speedEffect: Object.fromEntries(Object.entries(e.joint.istar.speedEffect).filter(([, v]) => v !== null)) as IStarSection['calibration']['speedEffect'],
      rateTermDistinguishable: e.joint.istar.rateTermDistinguishable,
      speed: e.speedText,
      weighting: e.weighting,
      outOfSampleR2: {
        pooled: e.pooledOutOfSampleR2,
        perLength: e.perLength.map((row) => ({ lengthMinutes: row.lengthMinutes, istar: row.outOfSampleR2.istar, sqrt: row.outOfSampleR2.sqrt }))
      },
      fits: {
        istar: { params: e.joint.istar.params, stdErr: knownStdErrors(e.joint.istar.stdErr), unidentified: e.joint.istar.unidentified, atBound: e.joint.istar.atBound },
        sqrt: { params: e.joint.sqrt.params, stdErr: knownStdErrors(e.joint.sqrt.stdErr) }
      },
      files: { train: e.trainFiles, test: e.testFiles },
      lookbackMinutes: s.lookbackMinutes
    }
  }
}
