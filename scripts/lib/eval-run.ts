/**
 * Runs every part of `npm run eval` on the recorded data and assembles the report.
 */
import path from 'node:path'
import { DATA_FILES } from './data-dir.js'
import { readAltKlineFiles } from './impact-evaluation.js'
import { readBookTop, readBybitInverseKlines, readTapeTrades } from './readers.js'
import { evaluateAltKlines, type KlineEvalOptions } from './eval-klines.js'
import { evaluateTape, groupTapeSessions, type TapeEvalOptions } from './eval-tape.js'
import { summariseBybitInverse } from './eval-bybit.js'
import { DEFINITIONS, type EvalReport } from './eval-report.js'
import { evaluateIStarOnFiles, ISTAR_EVAL_SETTINGS, type IStarEvalSettings } from './eval-istar.js'

const MINUTE_MS = 60_000

export interface EvalRunSettings {
  seed: number
  testFraction: number
  mlp: { hidden1: number, hidden2: number, maxEpochs: number, patience: number, validationFraction: number }
  mlpMaxTrainRows: number
  klines: { windowsMinutes: number[], lookbackMinutes: number, gapMs: number }
  tape: { symbols: string[], windowsMs: number[], warmupMs: number, volGridMs: number }
  /** the execution model (I-Star) on the same kline files, train 2023-02, test 2026-02 */
  istar: IStarEvalSettings
}

/** Every setting of the run; printed into the report. */
export const EVAL_SETTINGS: EvalRunSettings = {
  seed: 42,
  testFraction: 0.3,
  mlp: { hidden1: 16, hidden2: 8, maxEpochs: 150, patience: 15, validationFraction: 0.2 },
  mlpMaxTrainRows: 20_000,
  klines: { windowsMinutes: [1, 5, 15], lookbackMinutes: 1440, gapMs: 1440 * MINUTE_MS },
  tape: { symbols: ['BTCUSDT', 'ETHUSDT'], windowsMs: [10_000, 30_000, 60_000], warmupMs: MINUTE_MS, volGridMs: 5_000 },
  istar: ISTAR_EVAL_SETTINGS
}

export function klineOptions (s: EvalRunSettings = EVAL_SETTINGS): KlineEvalOptions {
  return { seed: s.seed, testFraction: s.testFraction, mlp: { ...s.mlp }, mlpMaxTrainRows: s.mlpMaxTrainRows, ...s.klines }
}

export function tapeOptions (s: EvalRunSettings = EVAL_SETTINGS): TapeEvalOptions {
  return { seed: s.seed, testFraction: s.testFraction, mlp: { ...s.mlp }, mlpMaxTrainRows: s.mlpMaxTrainRows, windowsMs: s.tape.windowsMs, warmupMs: s.tape.warmupMs, volGridMs: s.tape.volGridMs }
}

export const NOTES: readonly string[] = [
  'Klines: Binance USD-M alt perpetuals (not Bybit, not BTC/ETH: no taker-flow klines of those exist in ../shared/data); samples of all symbols of a data set are pooled (the law is dimensionless). Q is the whole market\'s net taker flow in the window, not one metaorder.',
  'Within a month the test period is its last ~8.4 days and the training part ends one day before it (gap = the 1-day lookback of ADV and volDaily). "2023-02 -> 2026-02" trains on all of 2023-02 and tests on all of 2026-02 (two symbols, DOT and LTC, unseen in training).',
  'The MLP trains on a deterministic seeded subsample of at most 20,000 training windows (to stay well under 2 minutes on 2 cores); every other fit uses every usable training window. Nothing else is subsampled.',
  'Trade tape: five Binance USD-M sessions of 6-9 minutes around 00:00 UTC (BTCUSDT 2023-04-04/05, 2024-07-18/19, 2024-08-08; ETHUSDT 2024-07-18/19, 2024-08-08). The walk-forward split by time makes the 2023 session the training set and the four 2024 sessions the test set (three UTC days). ADV and volDaily come from the earlier minutes of the same session (ADV extrapolated from minutes to a day) and the spread from the rebuilt book. Fewer than 200 windows in all: this shows the pipeline runs on a real tape; its figures are not a calibration.',
  'Bybit inverse BTCUSD klines have no taker-buy volume, and signing a bar by its own return would be look-ahead, so they give volatility and ADV only.',
  'On the tape, linear and MLP fit 5 features on a few dozen training windows of one session and extrapolate wildly on the 2024 sessions (hugely negative R²): the gate rejects them, which is its job. "n/a": the fit failed or its parameters cannot predict (e.g. delta <= 0).'
]

export interface RunEvalOptions {
  settings?: EvalRunSettings
  /** only these kline symbols (e.g. ['LINKUSDT']); default all */
  klineSymbols?: string[]
  /** keep only the first N bars of each kline file (a slice for tests); default all */
  maxBarsPerFile?: number
  /** progress lines (stderr in the CLI) */
  log?: (line: string) => void
}

/** Reads the data under dataDir and runs the three parts with EVAL_SETTINGS (or options.settings). */
export async function runEval (dataDir: string, options: RunEvalOptions = {}): Promise<EvalReport> {
  const settings = options.settings ?? EVAL_SETTINGS
  const log = options.log ?? (() => {})
  log('reading Binance USD-M alt klines')
  const symbols = options.klineSymbols
  const files = (await readAltKlineFiles(dataDir, symbols === undefined ? undefined : (name) => symbols.some((sym) => name.startsWith(`${sym}-`))))
    .map((f) => options.maxBarsPerFile === undefined ? f : { ...f, bars: f.bars.slice(0, options.maxBarsPerFile) })
  log(`evaluating ${files.length} kline files`)
  const klines = evaluateAltKlines(files, klineOptions(settings))
  log(`fitting the execution model (I-Star, ${settings.istar.bootstrap.replicates} day-block bootstrap replicates)`)
  const executionModel = evaluateIStarOnFiles(files, settings.istar)
  log('reading the Binance trade tape')
  const trades = await readTapeTrades(path.join(dataDir, DATA_FILES.binanceTrades))
  const books = await readBookTop(path.join(dataDir, DATA_FILES.binanceBookTop))
  const tape = evaluateTape(groupTapeSessions(trades, books, settings.tape.symbols), tapeOptions(settings))
  log('reading the Bybit inverse klines')
  const bybitBars = await readBybitInverseKlines(path.join(dataDir, DATA_FILES.bybitInverseKlines))
  return {
    generatedBy: 'npm run eval (scripts/eval.ts)',
    dataDir,
    settings: { ...settings, ...(options.klineSymbols !== undefined ? { klineSymbols: options.klineSymbols } : {}), ...(options.maxBarsPerFile !== undefined ? { maxBarsPerFile: options.maxBarsPerFile } : {}) },
    definitions: DEFINITIONS,
    klines,
    executionModel,
    tape,
    bybitInverse: summariseBybitInverse(DATA_FILES.bybitInverseKlines, bybitBars),
    notes: [...NOTES]
  }
}
