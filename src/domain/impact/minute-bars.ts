/**
 * 1-minute bars of a 24/7 market and the per-bar building blocks shared by the impact samples
 * (`kline-samples.ts`) and the trailing market state (`trailing-market.ts`): validation,
 * contiguous runs, and the per-bar log returns and Abdi-Ranaldo products with their window sums.
 *
 * Conventions: a day is 1440 bars, so per-minute statistics are scaled to daily with 1440
 * (volume) and sqrt(1440) (volatility, i.i.d.-returns scaling). Two bars are contiguous when their
 * open times differ by exactly 60,000 ms.
 */
import { DomainRangeError } from '../errors.js'

/** One 1-minute bar. Prices in quote currency, volumes in base units. */
export type MinuteBar = {
  openTimeMs: number
  open: number
  high: number
  low: number
  close: number
  volumeBase: number
  /** Base volume bought by takers (aggressive buys); needed only for impact samples. */
  takerBuyBase?: number
}

export const BAR_INTERVAL_MS = 60_000
export const MINUTES_PER_DAY = 1440

/** Throws unless `bars` holds at least `minBars` valid, contiguous, ascending bars. */
export function requireContiguous (fn: string, bars: readonly MinuteBar[], minBars: number): void {
  if (bars.length < minBars) {
    throw new DomainRangeError(`${fn}: bars must hold at least ${minBars} bars, got ${bars.length}`, 'bars', `minItems ${minBars}`)
  }
  validateBars(fn, bars, false)
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].openTimeMs - bars[i - 1].openTimeMs !== BAR_INTERVAL_MS) {
      throw new DomainRangeError(`${fn}: bars must be contiguous 1-minute bars; gap before bars[${i}]`, `bars[${i}].openTimeMs`, 'contiguous 1-minute bars')
    }
  }
}

/** Throws naming the first invalid bar (time not ascending, price not > 0, volume < 0, takerBuyBase outside [0, volumeBase] when needed). */
export function validateBars (fn: string, bars: readonly MinuteBar[], needTakerBuy: boolean): void {
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]
    if (!Number.isFinite(bar.openTimeMs) || (i > 0 && bar.openTimeMs <= bars[i - 1].openTimeMs)) {
      throw new DomainRangeError(`${fn}: bars must be strictly ascending in openTimeMs; bars[${i}] is not`, `bars[${i}].openTimeMs`, 'strictly ascending')
    }
    for (const key of ['open', 'high', 'low', 'close'] as const) {
      if (!(bar[key] > 0) || !Number.isFinite(bar[key])) {
        throw new DomainRangeError(`${fn}: bars[${i}].${key} must be a finite price > 0, got ${bar[key]}`, `bars[${i}].${key}`, 'exclusiveMinimum 0')
      }
    }
    if (!(bar.volumeBase >= 0) || !Number.isFinite(bar.volumeBase)) {
      throw new DomainRangeError(`${fn}: bars[${i}].volumeBase must be finite and >= 0, got ${bar.volumeBase}`, `bars[${i}].volumeBase`, 'minimum 0')
    }
    if (needTakerBuy) {
      const takerBuyBase = bar.takerBuyBase
      if (takerBuyBase === undefined || !(takerBuyBase >= 0) || !(takerBuyBase <= bar.volumeBase)) {
        throw new DomainRangeError(`${fn}: bars[${i}].takerBuyBase must be in [0, volumeBase], got ${takerBuyBase}`, `bars[${i}].takerBuyBase`, 'in [0, volumeBase]')
      }
    }
  }
}

/** runStart[i] = index of the first bar of the contiguous run that contains bar i. */
export function contiguousRunStarts (bars: readonly MinuteBar[]): Int32Array {
  const runStart = new Int32Array(bars.length)
  for (let i = 1; i < bars.length; i++) {
    runStart[i] = bars[i].openTimeMs - bars[i - 1].openTimeMs === BAR_INTERVAL_MS ? runStart[i - 1] : i
  }
  return runStart
}

/** Mean volumeBase of bars[from..to). */
export function meanVolumePerMinute (bars: readonly MinuteBar[], from: number, to: number): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += bars[i].volumeBase
  return sum / (to - from)
}

/**
 * Per-bar terms, each depending only on bars i - 1, i, i + 1 as noted, computed once:
 * logReturns[i] = ln(close_i / close_{i-1}) (i >= 1; bars i-1, i), and
 * spreadProducts[i] = (c_i - eta_i) * (c_i - eta_{i+1}) (i <= n - 2; bars i, i+1), with
 * c = ln close and eta = (ln high + ln low) / 2. A lookback [from, to) uses logReturns[from + 1, to)
 * and spreadProducts[from, to - 1), so it never touches bar `to` or later.
 */
export function perBarTerms (bars: readonly MinuteBar[]): { logReturns: Float64Array, spreadProducts: Float64Array } {
  const n = bars.length
  const logClose = new Float64Array(n)
  const midRange = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    logClose[i] = Math.log(bars[i].close)
    midRange[i] = 0.5 * (Math.log(bars[i].high) + Math.log(bars[i].low))
  }
  const logReturns = new Float64Array(n)
  const spreadProducts = new Float64Array(n)
  for (let i = 1; i < n; i++) logReturns[i] = logClose[i] - logClose[i - 1]
  for (let i = 0; i + 1 < n; i++) spreadProducts[i] = (logClose[i] - midRange[i]) * (logClose[i] - midRange[i + 1])
  return { logReturns, spreadProducts }
}

/** Sample stdev (n - 1) of values[from..to), two-pass; needs to - from >= 2. */
export function stdevOfRange (values: Float64Array, from: number, to: number): number {
  const count = to - from
  let sum = 0
  for (let i = from; i < to; i++) sum += values[i]
  const mean = sum / count
  let sumSq = 0
  for (let i = from; i < to; i++) {
    const dev = values[i] - mean
    sumSq += dev * dev
  }
  return Math.sqrt(sumSq / (count - 1))
}

/** Abdi-Ranaldo S = sqrt(max(4 * mean(products[from..to)), 0)). */
export function spreadFromProducts (products: Float64Array, from: number, to: number): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += products[i]
  return Math.sqrt(Math.max(4 * sum / (to - from), 0))
}
