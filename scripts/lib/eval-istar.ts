/**
 * The execution model (Kissell's I-Star, issue 13 section 1) on the recorded taker-flow klines:
 * windows of 1, 5, 15, 60 and 240 minutes (buildIStarWindows), trained on all 2023-02 files and
 * tested on all 2026-02 files (the split of models-file.ts), fitted by calibrateIStar and against
 * the horizon-free square-root law (fitSquareRootLaw, a2 = 0.5), scored out of sample per window
 * length and pooled. SEs: day-block bootstrap for the joint I-Star fit, day-clustered sandwich
 * (CR1) for the square-root law and the per-length fits. The calibration of both fits' predicted
 * cost distributions on the test windows (eval-calibration.ts, issue 15). Shared by `npm run eval` (the table) and
 * `npm run defaults` (the embedded "istar" section), so both print the same figures.
 */
import { buildIStarWindows, DEFAULT_ISTAR_LENGTHS_MINUTES } from '../../src/domain/impact/istar-windows.js'
import {
  calibrateIStar, fitSquareRootLaw, ISTAR_PARAM_ORDER, lengthWeights, outOfSampleR2, type IStarCalibration, type IStarParamName, type IStarWindow, type ParamCovariance
} from '../../src/domain/impact/calibrate-istar.js'
import type { IStarParams } from '../../src/domain/impact/istar.js'
import type { AltKlineFile } from './impact-evaluation.js'
import { evaluateCalibration, type CalibrationEvaluation } from './eval-calibration.js'

export interface IStarEvalSettings {
  lengthsMinutes: readonly number[]
  lookbackMinutes: number
  trainMonth: string
  testMonth: string
  /** day-block bootstrap of the joint I-Star fit */
  bootstrap: { replicates: number, seed: number }
}

export const ISTAR_EVAL_SETTINGS: IStarEvalSettings = {
  lengthsMinutes: DEFAULT_ISTAR_LENGTHS_MINUTES,
  lookbackMinutes: 1440,
  trainMonth: '2023-02',
  testMonth: '2026-02',
  bootstrap: { replicates: 200, seed: 42 }
}

export type Range = { min: number, max: number }
/** Standard errors in ISTAR_PARAM_ORDER; null where not identified (0 for a parameter held fixed). */
export type StdErrors = Record<IStarParamName, number | null>

/** One fit as the report and the embedded file show it: no NaN (null instead). */
export interface IStarFitSummary {
  params: IStarParams
  fitted: IStarParamName[]
  stdErr: StdErrors
  /** 'day-block bootstrap' or 'day-clustered sandwich (CR1)' */
  stdErrMethod: string
  /** names ISTAR_PARAM_ORDER; rows of fixed parameters are 0, rows of unidentified ones null */
  covariance: { names: IStarParamName[], matrix: Array<Array<number | null>> }
  unidentified: IStarParamName[]
  atBound: IStarParamName[]
  bootstrapReplicates?: { replicates: number, failed: number }
  speedEffect: { povLow: number, povHigh: number, ratio: number, stdErr: number | null, z: number | null }
  rateTermDistinguishable: boolean
  converged: boolean
}

export interface IStarLengthRow {
  lengthMinutes: number
  windows: { train: number, test: number }
  /** training windows' |Q|/ADV and POV */
  sizeFractionOfAdvRange: Range
  povRange: Range
  /** I-Star fitted on this length's training windows alone (day-clustered SEs) */
  istarFit: IStarFitSummary
  /** the square-root law (a2 = 0.5) fitted on this length alone: a1 with its day-clustered SE */
  sqrtFit: { a1: number, a1StdErr: number | null }
  /** out-of-sample R^2 on this length's test windows of the JOINT fits (and of this length's own fits) */
  outOfSampleR2: { istar: number, sqrt: number, istarOwnLength: number, sqrtOwnLength: number }
  /**
   * this length's share of the pooled test sum of squares (lengthWeights, about the pooled
   * weighted mean): 1 / (number of lengths) up to the weighted mean's square
   */
  shareOfPooledSst: number
}

export interface IStarEvaluation {
  trainFiles: string[]
  testFiles: string[]
  settings: IStarEvalSettings
  weighting: string
  days: { train: number, test: number }
  windows: { train: number, test: number }
  sizeFractionOfAdvRange: Range
  povRange: Range
  volDailyRange: Range
  perLength: IStarLengthRow[]
  joint: { istar: IStarFitSummary, sqrt: IStarFitSummary }
  /** pooled out-of-sample R^2 (lengthWeights on the test windows: every length the same share of the SST) */
  pooledOutOfSampleR2: { istar: number, sqrt: number }
  /** the model published as the execution model: I-Star only if its pooled R^2 beats the square-root law's */
  winner: 'i-star' | 'square-root-law'
  /** the winner as I-Star parameters (the square-root law as b1 = 0, a4 = 0, a2 = 0.5) */
  publishedParams: IStarParams
  /** the winner's covariance and SEs (the square-root law: only a1 is random, the rest fixed: rows 0) */
  published: IStarFitSummary
  speedText: string
  /** issue 15: is the predicted cost distribution (mean MI, std sqrt(timing^2 + model^2)) calibrated on the test windows? */
  calibration: CalibrationEvaluation
}

export const ISTAR_WEIGHTING = 'equal contribution per window length: w = 1 / (L n m), L lengths, n windows of the length and m their mean squared signed return (lengthWeights), so every length holds the same share of the weighted sum of squares: neither the many 1-minute windows nor the far more variable 240-minute returns dominate the fit or the pooled R² (pooled weighted SSE = mean over lengths of MSE / m)'

function finiteOrNull (x: number): number | null {
  return Number.isFinite(x) ? x : null
}

function rangeOf (values: readonly number[]): Range {
  let min = Infinity; let max = -Infinity
  for (const v of values) { if (v < min) min = v; if (v > max) max = v }
  return { min, max }
}

/**
 * The fit's covariance (the bootstrap's when it ran, else the clustered one) without NaN: a
 * parameter either covariance reports unidentified (e.g. a4 when b1 = 0: its Jacobian column is 0,
 * and bootstrap draws of it only echo the start) gets null rows, columns and SE.
 */
function summarise (fit: IStarCalibration): IStarFitSummary {
  const cov: ParamCovariance = fit.bootstrap ?? fit.clustered
  const unidentified = ISTAR_PARAM_ORDER.filter((name) => fit.clustered.unidentified.includes(name) || cov.unidentified.includes(name))
  const isOut = (j: number): boolean => unidentified.includes(ISTAR_PARAM_ORDER[j])
  const matrix = cov.covariance.map((row, i) => row.map((v, j) => isOut(i) || isOut(j) ? null : finiteOrNull(v)))
  const stdErr = Object.fromEntries(ISTAR_PARAM_ORDER.map((name, j) => [name, isOut(j) ? null : finiteOrNull(cov.stdErrors[name])])) as StdErrors
  return {
    params: { ...fit.params },
    fitted: [...fit.fitted],
    stdErr,
    stdErrMethod: fit.bootstrap !== undefined ? `day-block bootstrap (${fit.bootstrap.replicates} replicates)` : 'day-clustered sandwich (CR1)',
    covariance: { names: [...ISTAR_PARAM_ORDER], matrix },
    unidentified,
    atBound: [...fit.atBound],
    ...(fit.bootstrap !== undefined ? { bootstrapReplicates: { replicates: fit.bootstrap.replicates, failed: fit.bootstrap.failedReplicates } } : {}),
    speedEffect: { povLow: fit.speedEffect.povLow, povHigh: fit.speedEffect.povHigh, ratio: fit.speedEffect.ratio, stdErr: finiteOrNull(fit.speedEffect.stdErr), z: finiteOrNull(fit.speedEffect.z) },
    rateTermDistinguishable: fit.rateTermDistinguishable,
    converged: fit.converged
  }
}

/** The train and test windows of the files of the two months (others ignored), and which files. */
export function istarWindowsOf (files: readonly AltKlineFile[], settings: IStarEvalSettings = ISTAR_EVAL_SETTINGS): { train: IStarWindow[], test: IStarWindow[], trainFiles: string[], testFiles: string[] } {
  const out = { train: [] as IStarWindow[], test: [] as IStarWindow[], trainFiles: [] as string[], testFiles: [] as string[] }
  for (const f of files) {
    const isTrain = f.month === settings.trainMonth
    if (!isTrain && f.month !== settings.testMonth) continue
    const windows = buildIStarWindows(f.bars, { lengthsMinutes: settings.lengthsMinutes, lookbackMinutes: settings.lookbackMinutes })
    // push in a loop: spreading hundreds of thousands of windows as arguments overflows the stack
    for (const w of windows) (isTrain ? out.train : out.test).push(w)
    ;(isTrain ? out.trainFiles : out.testFiles).push(f.file)
  }
  return out
}

function pct (x: number): string {
  return `${Number((100 * x).toPrecision(2))} %`
}

/** One sentence, in plain words, on what the joint fit says about speed (the rate part of I-Star). */
export function speedSentence (istar: IStarFitSummary, winner: IStarEvaluation['winner'], pooled: { istar: number, sqrt: number }): string {
  const s = istar.speedEffect
  const effect = `Working an order at POV ${pct(s.povHigh)} instead of ${pct(s.povLow)} (the 90th and 10th percentiles of the training windows) changes its fitted impact by ${s.ratio >= 0 ? '+' : ''}${pct(s.ratio)}`
  const test = s.stdErr === null
    ? ': the rate part is not identified on these data (its standard error cannot be computed), so it cannot be told from zero'
    : s.z === null
      // 0 / 0: e.g. b1 = 0 in the fit and in every bootstrap replicate
      ? `± ${pct(s.stdErr)} (z undefined: the effect and its standard error are both 0): the rate part cannot be told from zero`
      : istar.rateTermDistinguishable
        ? `± ${pct(s.stdErr)} (z = ${s.z.toFixed(2)}): the rate part can be told from zero`
        : `± ${pct(s.stdErr)} (z = ${s.z.toFixed(2)}): the rate part cannot be told from zero`
  const oos = winner === 'i-star'
    ? `out of sample I-Star beats the horizon-free square-root law (pooled R² ${pooled.istar.toFixed(4)} vs ${pooled.sqrt.toFixed(4)}), so it is published`
    : `out of sample it does not beat the horizon-free square-root law (pooled R² ${pooled.istar.toFixed(4)} vs ${pooled.sqrt.toFixed(4)}), so the square-root law is published as the execution model (b1 = 0: speed does not change the estimate)`
  return `${effect}${s.stdErr === null ? '' : ' '}${test}; ${oos}.`
}

/**
 * Each length's share of sum_i w_i (y_i - m)^2 with the pooled R^2's weights (lengthWeights,
 * w_i = 1 / (L n_l m_l)) and m = sum_i w_i y_i / sum_i w_i (outOfSampleR2 in calibrate-istar.ts): 1/L each
 * up to m's square, which is what "no length dominates" means here.
 */
export function pooledSstShares (windows: readonly IStarWindow[]): Map<number, number> {
  const weight = lengthWeights(windows.map((w) => w.lengthMinutes), windows.map((w) => w.signedReturn), 'pooledSstShares')
  let weighted = 0; let weightSum = 0
  windows.forEach((w, i) => { weighted += weight[i] * w.signedReturn; weightSum += weight[i] })
  const mean = weighted / weightSum
  const parts = new Map<number, number>()
  let total = 0
  windows.forEach((w, i) => {
    const part = weight[i] * (w.signedReturn - mean) ** 2
    parts.set(w.lengthMinutes, (parts.get(w.lengthMinutes) ?? 0) + part)
    total += part
  })
  return new Map([...parts].map(([k, v]) => [k, v / total]))
}

/**
 * Fits I-Star and the square-root law on `train`, jointly (day-block bootstrap) and per length
 * (day-clustered SEs), scores both on `test` per length and pooled, and picks the winner.
 * @throws DomainRangeError from the fits (no windows, a single day, a length with too few windows).
 */
export function evaluateIStar (train: readonly IStarWindow[], test: readonly IStarWindow[], settings: IStarEvalSettings = ISTAR_EVAL_SETTINGS, files: { trainFiles: string[], testFiles: string[] } = { trainFiles: [], testFiles: [] }): IStarEvaluation {
  const bootstrap = { ...settings.bootstrap }
  const jointIStar = calibrateIStar(train, { bootstrap })
  // a2 fixed: a1 is linear least squares, for which the day-clustered sandwich is the standard
  // cluster-robust SE (and a bootstrap of it would double the run time)
  const jointSqrt = fitSquareRootLaw(train)
  const sstShares = pooledSstShares(test)
  const perLength = settings.lengthsMinutes.map((lengthMinutes): IStarLengthRow => {
    const trainL = train.filter((w) => w.lengthMinutes === lengthMinutes)
    const testL = test.filter((w) => w.lengthMinutes === lengthMinutes)
    const own = calibrateIStar(trainL)
    const ownSqrt = fitSquareRootLaw(trainL)
    return {
      lengthMinutes,
      windows: { train: trainL.length, test: testL.length },
      sizeFractionOfAdvRange: own.sizeFractionOfAdvRange,
      povRange: own.povRange,
      istarFit: summarise(own),
      sqrtFit: { a1: ownSqrt.params.a1, a1StdErr: finiteOrNull(ownSqrt.clustered.stdErrors.a1) },
      outOfSampleR2: {
        istar: outOfSampleR2(jointIStar.params, testL),
        sqrt: outOfSampleR2(jointSqrt.params, testL),
        istarOwnLength: outOfSampleR2(own.params, testL),
        sqrtOwnLength: outOfSampleR2(ownSqrt.params, testL)
      },
      shareOfPooledSst: sstShares.get(lengthMinutes) ?? 0
    }
  })
  const pooled = { istar: outOfSampleR2(jointIStar.params, test), sqrt: outOfSampleR2(jointSqrt.params, test) }
  const winner = pooled.istar > pooled.sqrt ? 'i-star' : 'square-root-law'
  const istar = summarise(jointIStar)
  const sqrt = summarise(jointSqrt)
  const published = winner === 'i-star' ? istar : sqrt
  return {
    trainFiles: files.trainFiles,
    testFiles: files.testFiles,
    settings: { ...settings, lengthsMinutes: [...settings.lengthsMinutes], bootstrap },
    weighting: ISTAR_WEIGHTING,
    days: { train: jointIStar.days, test: new Set(test.map((w) => w.dayKey)).size },
    windows: { train: train.length, test: test.length },
    sizeFractionOfAdvRange: jointIStar.sizeFractionOfAdvRange,
    povRange: jointIStar.povRange,
    volDailyRange: rangeOf(train.map((w) => w.volDaily)),
    perLength,
    joint: { istar, sqrt },
    pooledOutOfSampleR2: pooled,
    winner,
    // the square-root law's fit holds a4 = b1 = 0 already (fitSquareRootLaw), a2 = 0.5
    publishedParams: { ...published.params },
    published,
    speedText: speedSentence(istar, winner, pooled),
    calibration: evaluateCalibration(test, { istar, sqrt }, settings.lengthsMinutes)
  }
}

/** Reads the windows of the files and evaluates them (evaluateIStar). */
export function evaluateIStarOnFiles (files: readonly AltKlineFile[], settings: IStarEvalSettings = ISTAR_EVAL_SETTINGS): IStarEvaluation {
  const { train, test, trainFiles, testFiles } = istarWindowsOf(files, settings)
  return evaluateIStar(train, test, settings, { trainFiles, testFiles })
}
