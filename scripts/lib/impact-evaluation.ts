/**
 * Walk-forward evaluation of impact predictors on kline samples: the log-linear square-root fit
 * (with smearing), the delta = 0.5 refit of eta, linear regression, an MLP and the zero model,
 * all scored on the out-of-sample squared error of the predicted signed return dP/P.
 * (Log-space R^2 of the fit is reported but never used to choose: it ranks models backwards.)
 */
import path from 'node:path'
import { readdir } from 'node:fs/promises'
import { buildKlineImpactSamples, type KlineImpactSample, type MinuteBar } from '../../src/domain/impact/kline-samples.js'
import { calibrateSqrtImpact, refitImpactCoef, type SqrtCalibration, type ImpactCoefRefit } from '../../src/domain/impact/calibrate-sqrt.js'
import { sqrtImpactSignedReturn } from '../../src/domain/impact/sqrt-impact.js'
import { impactFeatures, IMPACT_FEATURE_NAMES } from '../../src/domain/learn/impact-features.js'
import { fitLinearRegression, predictLinear, type LinearModel } from '../../src/domain/learn/linear-regression.js'
import { trainMlp, predictMlp, type MlpModel } from '../../src/domain/learn/mlp.js'
import { createRng, shuffleInPlace } from '../../src/domain/learn/rng.js'
import { DATA_FILES } from './data-dir.js'
import { readBinanceUsdmKlines } from './readers.js'
import { scoreForecast, type ForecastScore } from './stats.js'

export type AltKlineFile = { file: string, symbol: string, month: string, bars: MinuteBar[] }

/** Every `<SYMBOL>-1m-<YYYY-MM>.csv.gz` of the alt taker-flow folder, in file-name order. */
export async function readAltKlineFiles (dataDir: string): Promise<AltKlineFile[]> {
  const dir = path.join(dataDir, DATA_FILES.altKlinesDir)
  const names = (await readdir(dir)).filter((n) => /^[A-Z0-9]+-1m-\d{4}-\d{2}\.csv\.gz$/.test(n)).sort()
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

/** Q != 0 (a direction exists) and positive ADV and volatility: the samples every model can use. */
export function isUsableSample (s: KlineImpactSample): boolean {
  return s.signedQtyBase !== 0 && s.advBase > 0 && s.volDaily > 0
}

/** Feature row of a sample for the learned predictors (see impact-features.ts). */
export function sampleFeatures (s: KlineImpactSample): number[] {
  return impactFeatures({ participation: Math.abs(s.signedQtyBase) / s.advBase, relSpread: s.relSpread, volDaily: s.volDaily, sideSign: s.signedQtyBase > 0 ? 1 : -1 })
}

/** Learned predictors' target: impact cost in the trade direction, sideSign * dP/P. */
export function sampleTarget (s: KlineImpactSample): number {
  return Math.sign(s.signedQtyBase) * s.signedReturn
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
  const score = (predictSignedReturn: (s: KlineImpactSample) => number): Scored => toScored(scoreForecast(actual, test.map(predictSignedReturn)))

  const logLinearFit = calibrateSqrtImpact(train)
  const logLinearParams = { impactCoef: logLinearFit.impactCoef, impactExponent: logLinearFit.impactExponent, smearingFactor: logLinearFit.smearingFactor }
  const logLinear = { ...logLinearFit, ...score((s) => sqrtImpactSignedReturn(logLinearParams, s.signedQtyBase, s.advBase, s.volDaily)) }

  const refit = refitImpactCoef(train, 0.5)
  const refitParams = { impactCoef: refit.impactCoef, impactExponent: 0.5 }
  const refitSqrt = { ...refit, impactExponent: 0.5, ...score((s) => sqrtImpactSignedReturn(refitParams, s.signedQtyBase, s.advBase, s.volDaily)) }

  const featureNames = [...IMPACT_FEATURE_NAMES]
  const linearModel = fitLinearRegression(train.map(sampleFeatures), train.map(sampleTarget), { featureNames })
  const linear = { model: linearModel, ...score((s) => Math.sign(s.signedQtyBase) * predictLinear(linearModel, sampleFeatures(s))) }

  let mlpTrain = train
  if (train.length > options.mlpMaxTrainRows) {
    const order = shuffleInPlace(Int32Array.from({ length: train.length }, (_, i) => i), createRng(options.mlp.seed))
    mlpTrain = Array.from(order.subarray(0, options.mlpMaxTrainRows)).sort((a, b) => a - b).map((i) => train[i])
  }
  const mlpModel = trainMlp(mlpTrain.map(sampleFeatures), mlpTrain.map(sampleTarget), { ...options.mlp, featureNames })
  const mlp = { model: mlpModel, trainRows: mlpTrain.length, ...score((s) => Math.sign(s.signedQtyBase) * predictMlp(mlpModel, sampleFeatures(s))) }

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
