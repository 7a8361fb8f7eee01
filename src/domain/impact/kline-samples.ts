/**
 * Impact samples from 1-minute klines with taker-buy volume.
 *
 * Each sample is one non-overlapping window of `windowMinutes` bars: the net signed taker
 * flow Q in the window, the price change over it, and market state measured from a trailing
 * lookback that ends STRICTLY before the window starts (no look-ahead). These are the
 * (Q, V, sigma, r) tuples of the square-root law r ~ Y * sigma * (Q / V)^delta
 * (Bouchaud, Bonart, Donier, Gould, "Trades, Quotes and Prices", 2018, ch. 12; Toth et al.,
 * "Anomalous price impact and the critical nature of liquidity", PRX 2011).
 *
 * Conventions:
 * - Bars are 1-minute bars of a 24/7 market: a day is 1440 bars, so per-minute statistics are
 *   scaled to daily with 1440 (volume) and sqrt(1440) (volatility, i.i.d.-returns scaling).
 * - Bar open/close are used as a mid-price proxy: the sample return is close_end / open_start - 1.
 *   Trade prints bounce between bid and ask, so this adds noise of order half a spread.
 * - Two bars are contiguous when their open times differ by exactly 60,000 ms; a window is used
 *   only if it and its whole lookback are contiguous (gaps are skipped, not interpolated).
 */
import { DomainRangeError } from '../errors.js'
import {
  BAR_INTERVAL_MS, contiguousRunStarts, meanVolumePerMinute, MINUTES_PER_DAY, perBarTerms, spreadFromProducts,
  stdevOfRange, validateBars, type MinuteBar
} from './minute-bars.js'

export type KlineSampleOptions = {
  /** Window length k in bars (minutes); windows do not overlap. */
  windowMinutes: number
  /** Trailing lookback length in bars for advBase, volDaily and relSpread; default 1440 (1 day). */
  lookbackMinutes?: number
}

export type KlineImpactSample = {
  /** Open time of the first bar of the window. */
  startMs: number
  /** Close time of the window (open time of its last bar + 60,000 ms), exclusive. */
  endMs: number
  /** Net signed taker flow Q = sum(2 * takerBuy - volume) over the window, base units (> 0: net buying). */
  signedQtyBase: number
  /** Trailing mean volume per minute * 1440, base units per day. */
  advBase: number
  /** Trailing stdev of 1-minute close-to-close log returns * sqrt(1440), fraction per day. */
  volDaily: number
  /** Trailing Abdi-Ranaldo close-high-low relative spread estimate (fraction of price, full spread). */
  relSpread: number
  /** close of the last bar / open of the first bar - 1 (fraction). */
  signedReturn: number
}

export const DEFAULT_LOOKBACK_MINUTES = MINUTES_PER_DAY

/**
 * Builds impact samples over non-overlapping windows of `windowMinutes` bars, each with
 * market state from the `lookbackMinutes` bars immediately before it.
 *
 * Windows are taken at bar indices L, L + k, L + 2k, ... (L = lookback, k = window); a window is
 * skipped when it or its lookback contains a time gap. O(n * L / k).
 *
 * @param bars ascending 1-minute bars, each with takerBuyBase.
 * @returns one sample per usable window, in time order.
 * @throws {DomainRangeError} when windowMinutes is not an integer >= 1, lookbackMinutes is not an
 *   integer >= 3, or a bar is invalid (non-ascending time, non-positive price, negative volume,
 *   missing takerBuyBase or takerBuyBase outside [0, volumeBase]).
 * @example
 * buildKlineImpactSamples(bars, { windowMinutes: 5 }) // [{ startMs, endMs, signedQtyBase, ... }]
 */
export function buildKlineImpactSamples (bars: readonly MinuteBar[], options: KlineSampleOptions): KlineImpactSample[] {
  const windowMinutes = options.windowMinutes
  const lookbackMinutes = options.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1) {
    throw new DomainRangeError(`buildKlineImpactSamples: windowMinutes must be an integer >= 1, got ${windowMinutes}`, 'windowMinutes', 'integer >= 1')
  }
  if (!Number.isInteger(lookbackMinutes) || lookbackMinutes < 3) {
    throw new DomainRangeError(`buildKlineImpactSamples: lookbackMinutes must be an integer >= 3, got ${lookbackMinutes}`, 'lookbackMinutes', 'integer >= 3')
  }
  validateBars('buildKlineImpactSamples', bars, true)
  const runStart = contiguousRunStarts(bars)
  const { logReturns, spreadProducts } = perBarTerms(bars)
  const samples: KlineImpactSample[] = []
  for (let start = lookbackMinutes; start + windowMinutes <= bars.length; start += windowMinutes) {
    const end = start + windowMinutes // exclusive
    if (runStart[end - 1] > start - lookbackMinutes) continue // a gap in lookback or window
    const lookbackFrom = start - lookbackMinutes
    let signedQtyBase = 0
    for (let i = start; i < end; i++) signedQtyBase += 2 * (bars[i].takerBuyBase as number) - bars[i].volumeBase
    samples.push({
      startMs: bars[start].openTimeMs,
      endMs: bars[end - 1].openTimeMs + BAR_INTERVAL_MS,
      signedQtyBase,
      advBase: meanVolumePerMinute(bars, lookbackFrom, start) * MINUTES_PER_DAY,
      volDaily: stdevOfRange(logReturns, lookbackFrom + 1, start) * Math.sqrt(MINUTES_PER_DAY),
      relSpread: spreadFromProducts(spreadProducts, lookbackFrom, start - 1),
      signedReturn: bars[end - 1].close / bars[start].open - 1
    })
  }
  return samples
}
