/**
 * `npm run eval`, part (a): Binance USD-M alt-perpetual 1-minute klines with taker-buy volume
 * (true signed flow). Samples from buildKlineImpactSamples (non-overlapping k-minute windows,
 * ADV, volDaily and relSpread from the trailing day only), pooled across symbols per data set,
 * then the job's walk-forward evaluation (eval-core.ts).
 */
import { buildKlineImpactSamples, type KlineImpactSample } from '../../src/domain/impact/kline-samples.js'
import type { AltKlineFile } from './impact-evaluation.js'
import { evaluateSampleSet, type EvalRow, type EvalSettings } from './eval-core.js'

export interface KlineDataset {
  name: string
  /** files of these months are pooled (all symbols) */
  months: string[]
}

/**
 * Within each month: the last 30 % of the month is the test period. Across months: the span
 * runs from 2023-02 to 2026-02, so its last 30 % is all of 2026-02 and the training part all of
 * 2023-02 (the split build-defaults uses, here through the gate).
 */
export const KLINE_DATASETS: readonly KlineDataset[] = [
  { name: '2023-02', months: ['2023-02'] },
  { name: '2026-02', months: ['2026-02'] },
  { name: '2023-02 -> 2026-02', months: ['2023-02', '2026-02'] }
]

export interface KlineEvalOptions extends EvalSettings {
  windowsMinutes: readonly number[]
  lookbackMinutes: number
  /** embargo between train and test, ms */
  gapMs: number
  datasets?: readonly KlineDataset[]
}

function symbolsOf (files: readonly AltKlineFile[]): string {
  return [...new Set(files.map((f) => f.symbol.replace(/USDT$/, '')))].sort().join('/')
}

/** One row per data set and window length, in that order. Data sets with no file are left out. */
export function evaluateAltKlines (files: readonly AltKlineFile[], options: KlineEvalOptions): EvalRow[] {
  const cache = new Map<string, KlineImpactSample[]>()
  const samplesOf = (f: AltKlineFile, windowMinutes: number): KlineImpactSample[] => {
    const key = `${f.file}|${windowMinutes}`
    let s = cache.get(key)
    if (s === undefined) {
      s = buildKlineImpactSamples(f.bars, { windowMinutes, lookbackMinutes: options.lookbackMinutes })
      cache.set(key, s)
    }
    return s
  }
  const rows: EvalRow[] = []
  for (const dataset of options.datasets ?? KLINE_DATASETS) {
    const chosen = files.filter((f) => dataset.months.includes(f.month))
    if (chosen.length === 0) continue
    const name = `${dataset.name} ${symbolsOf(chosen)}`
    for (const windowMinutes of options.windowsMinutes) {
      const samples = chosen.flatMap((f) => samplesOf(f, windowMinutes))
      rows.push(evaluateSampleSet(name, `${windowMinutes} min`, windowMinutes * 60_000, options.gapMs, samples, options))
    }
  }
  return rows
}
