/**
 * I-Star calibration windows from 1-minute klines with taker-buy volume (issue 13 section 1).
 *
 * For each window length k, non-overlapping windows of k bars, each one an IStarWindow
 * (calibrate-istar.ts): Q = net signed taker flow in the window, POV = |Q| / the window's total
 * volume, |Q|/ADV with ADV and volDaily from a trailing lookback that ends STRICTLY before the
 * window starts (no look-ahead), and the signed end-of-window return sign(Q) (close_end /
 * open_start - 1). Same conventions as kline-samples.ts (same window grid, same market state):
 * - a day is 1440 bars: ADV = mean volume per minute * 1440, volDaily = stdev of 1-minute log
 *   returns * sqrt(1440);
 * - bar open/close stand in for the mid price;
 * - a window is used only if it and its lookback are contiguous 1-minute bars.
 */
import { DomainRangeError } from '../errors.js'
import type { IStarWindow } from './calibrate-istar.js'
import {
  contiguousRunStarts, meanVolumePerMinute, MINUTES_PER_DAY, perBarTerms, stdevOfRange, validateBars, type MinuteBar
} from './minute-bars.js'

/** Window lengths of issue 13: 1, 5, 15, 60 and 240 minutes. */
export const DEFAULT_ISTAR_LENGTHS_MINUTES: readonly number[] = Object.freeze([1, 5, 15, 60, 240])
/** Trailing lookback for ADV and volDaily: one day of 1-minute bars. */
export const DEFAULT_ISTAR_LOOKBACK_MINUTES = MINUTES_PER_DAY

export interface IStarWindowOptions {
  /** window lengths in minutes (bars), each an integer >= 1; default DEFAULT_ISTAR_LENGTHS_MINUTES */
  lengthsMinutes?: readonly number[]
  /** trailing lookback in minutes (bars), integer >= 3; default 1440 */
  lookbackMinutes?: number
}

function utcDayKey (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * Builds the I-Star windows of every length, length by length in the order given, each length's
 * windows in time order. Windows of length k start at bar indices L, L + k, L + 2k, ... (L = the
 * lookback), exactly as buildKlineImpactSamples does, so lengths share the grid origin.
 * Skipped windows: a time gap in the window or its lookback; Q = 0 (no direction); ADV = 0 or
 * volDaily = 0 (|Q|/ADV or I* undefined). O(sum over lengths of n L / k).
 * @param bars ascending 1-minute bars, each with takerBuyBase
 * @returns IStarWindow[]: dayKey = UTC day (YYYY-MM-DD) of the window's first bar, lengthMinutes,
 *   sizeFractionOfAdv = |Q| / ADV, pov = |Q| / window volume (in (0, 1], as |2 takerBuy - v| <= v),
 *   volDaily, signedReturn = sign(Q) (close_end / open_start - 1).
 * @throws DomainRangeError naming 'lengthsMinutes' (empty, or a length not an integer >= 1),
 *   'lookbackMinutes' (not an integer >= 3) or the first invalid bar (validateBars).
 * @example buildIStarWindows(bars, { lengthsMinutes: [5, 60] }) // [{ dayKey: '2023-02-02', lengthMinutes: 5, ... }, ...]
 */
export function buildIStarWindows (bars: readonly MinuteBar[], options: IStarWindowOptions = {}): IStarWindow[] {
  const fn = 'buildIStarWindows'
  const lengths = options.lengthsMinutes ?? DEFAULT_ISTAR_LENGTHS_MINUTES
  const lookback = options.lookbackMinutes ?? DEFAULT_ISTAR_LOOKBACK_MINUTES
  if (!Array.isArray(lengths) || lengths.length === 0) {
    throw new DomainRangeError(`${fn}: lengthsMinutes must be a non-empty array of integers >= 1`, 'lengthsMinutes', 'minItems 1')
  }
  lengths.forEach((k, j) => {
    if (!Number.isInteger(k) || k < 1) throw new DomainRangeError(`${fn}: lengthsMinutes[${j}] must be an integer >= 1, got ${k}`, `lengthsMinutes[${j}]`, 'integer >= 1')
  })
  if (!Number.isInteger(lookback) || lookback < 3) {
    throw new DomainRangeError(`${fn}: lookbackMinutes must be an integer >= 3, got ${lookback}`, 'lookbackMinutes', 'integer >= 3')
  }
  validateBars(fn, bars, true)
  const runStart = contiguousRunStarts(bars)
  const { logReturns } = perBarTerms(bars)
  const windows: IStarWindow[] = []
  for (const k of lengths) {
    for (let start = lookback; start + k <= bars.length; start += k) {
      const end = start + k // exclusive
      if (runStart[end - 1] > start - lookback) continue // a gap in lookback or window
      let signedQtyBase = 0
      let windowVolumeBase = 0
      for (let i = start; i < end; i++) {
        signedQtyBase += 2 * (bars[i].takerBuyBase as number) - bars[i].volumeBase
        windowVolumeBase += bars[i].volumeBase
      }
      if (signedQtyBase === 0) continue
      const advBase = meanVolumePerMinute(bars, start - lookback, start) * MINUTES_PER_DAY
      const volDaily = stdevOfRange(logReturns, start - lookback + 1, start) * Math.sqrt(MINUTES_PER_DAY)
      if (!(advBase > 0) || !(volDaily > 0)) continue
      const qtyBase = Math.abs(signedQtyBase)
      windows.push({
        dayKey: utcDayKey(bars[start].openTimeMs),
        lengthMinutes: k,
        sizeFractionOfAdv: qtyBase / advBase,
        pov: Math.min(1, qtyBase / windowVolumeBase), // |Q| <= volume up to rounding of the sums
        volDaily,
        signedReturn: Math.sign(signedQtyBase) * (bars[end - 1].close / bars[start].open - 1)
      })
    }
  }
  return windows
}
