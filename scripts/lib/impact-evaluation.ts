/**
 * Walk-forward evaluation of impact predictors on kline samples: the log-linear square-root fit
 * (with smearing), the delta = 0.5 refit of eta, linear regression, an MLP and the zero model,
 * all scored on the out-of-sample squared error of the predicted signed return dP/P.
 * (Log-space R^2 of the fit is reported but never used to choose: it ranks models backwards.)
 * The fits and predictors are the gate's (src/domain/validation/candidates.ts); this file only
 * reads the data and splits it by month.
 */
import path from 'node:path'
import { readdir } from 'node:fs/promises'
import { buildKlineImpactSamples, type KlineImpactSample } from '../../src/domain/impact/kline-samples.js'
import type { MinuteBar } from '../../src/domain/impact/minute-bars.js'
import type { SqrtCalibration, ImpactCoefRefit } from '../../src/domain/impact/calibrate-sqrt.js'
import type { LinearModel } from '../../src/domain/learn/linear-regression.js'
import type { MlpModel } from '../../src/domain/learn/mlp.js'
import type { GateCandidate } from '../../src/domain/validation/gate.js'
import { fitCandidates, isFailedFit, isUsableSample, type FailedFit } from '../../src/domain/validation/candidates.js'
import type { Predictor } from '../../src/domain/validation/walk-forward.js'
import { DATA_FILES } from './data-dir.js'
import { readBinanceUsdmKlines } from './readers.js'
import { scoreForecast, type ForecastScore } from './stats.js'

export type AltKlineFile = { file: string, symbol: string, month: string, bars: MinuteBar[] }

/** Every `<SYMBOL>-1m-<YYYY-MM>.csv.gz` of the alt taker-flow folder (or those `include` accepts), in file-name order. */
export async function readAltKlineFiles (dataDir: string, include: (fileName: string) => boolean = () => true): Promise<AltKlineFile[]> {
  const dir = path.join(dataDir, DATA_FILES.altKlinesDir)
  const names = (await readdir(dir)).filter((n) => /^[A-Z0-9]+-1m-\d{4}-\d{2}\.csv\.gz$/.test(n) && include(n)).sort()
  const out: AltKlineFile[] = []
  for (const name of names) {
    const [symbol, , year, month] = name.replace('.csv.gz', '').split('-')
    out.push({ file: `${DATA_FILES.altKlinesDir}/${name}`, symbol, month: `${year}-${month}`, bars: await readBinanceUsdmKlines(path.join(dir, name)) })
  }
  return out
}

export type Range = { min: number, max: number }
export type Scored = { outOfSampleMse: number, outOfSampleR2: number }

export type EvaluationOptions = {
  windowMinutes: number
  lookbackMinutes: number
  trainMonth: string
  testMonth: string
  /** MLP trains on at most this many training samples (deterministic subsample) */
  mlpMaxTrainRows: number
  mlp: { seed: number, hidden1: number, hidden2: number, maxEpochs: number, patience: number, validationFraction: number }
}

export type WindowEvaluation = {
  windowMinutes: number
  train: KlineImpactSample[]
  test: KlineImpactSample[]
  trainFiles: string[]
  testFiles: string[]
  logLinear: SqrtCalibration & Scored
  refitSqrt: ImpactCoefRefit & Scored & { impactExponent: number }
  linear: { model: LinearModel } & Scored
  mlp: { model: MlpModel, trainRows: number } & Scored
  zero: Scored
  trainParticipationRange: Range
  trainVolDailyRange: Range
}

function toScored (score: ForecastScore): Scored {
  return { outOfSampleMse: score.mse, outOfSampleR2: score.r2 }
}

function rangeOf (values: readonly number[]): Range {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}

/** Builds train/test samples for one window length and scores every predictor. */
export function evaluateWindow (files: readonly AltKlineFile[], options: EvaluationOptions): WindowEvaluation {
  const train: KlineImpactSample[] = []
  const test: KlineImpactSample[] = []
  const trainFiles: string[] = []
  const testFiles: string[] = []
  for (const f of files) {
    if (f.month !== options.trainMonth && f.month !== options.testMonth) continue
    const samples = buildKlineImpactSamples(f.bars, { windowMinutes: options.windowMinutes, lookbackMinutes: options.lookbackMinutes }).filter(isUsableSample)
    if (f.month === options.trainMonth) { train.push(...samples); trainFiles.push(f.file) } else { test.push(...samples); testFiles.push(f.file) }
  }
  const actual = test.map((s) => s.signedReturn)
  const score = (predictSignedReturn: Predictor): Scored => toScored(scoreForecast(actual, test.map(predictSignedReturn)))

  const { seed, ...mlpOptions } = options.mlp
  const fits = fitCandidates(train, { seed, mlp: mlpOptions, mlpMaxTrainRows: options.mlpMaxTrainRows })
  const fitted = <C extends GateCandidate>(fit: C | FailedFit): C => {
    if (isFailedFit(fit)) throw new Error(`evaluateWindow: k = ${options.windowMinutes} min: ${fit.name} fit failed: ${fit.error}`)
    return fit
  }
  const logLinearFit = fitted(fits.logLinear)
  const refitFit = fitted(fits.refit05)
  const linearFit = fitted(fits.linear)
  const mlpFit = fitted(fits.mlp)
  const logLinear = { ...logLinearFit.calibration, ...score(logLinearFit.predictor) }
  const refitSqrt = { ...refitFit.refit, impactExponent: 0.5, ...score(refitFit.predictor) }
  const linear = { model: linearFit.model, ...score(linearFit.predictor) }
  const mlp = { model: mlpFit.model, trainRows: mlpFit.trainRows, ...score(mlpFit.predictor) }

  return {
    windowMinutes: options.windowMinutes,
    train,
    test,
    trainFiles,
    testFiles,
    logLinear,
    refitSqrt,
    linear,
    mlp,
    zero: score(() => 0),
    trainParticipationRange: rangeOf(train.map((s) => Math.abs(s.signedQtyBase) / s.advBase)),
    trainVolDailyRange: rangeOf(train.map((s) => s.volDaily))
  }
}
