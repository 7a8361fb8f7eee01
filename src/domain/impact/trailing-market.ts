/**
 * Market state from the bars before a time: realised daily volatility, average daily volume and
 * the Abdi-Ranaldo relative spread over one window (`realisedVolDaily`, `averageDailyVolumeBase`,
 * `abdiRanaldoRelSpread`), and the same three for many query times over one series
 * (`trailingMarket`, prefix sums). 1-minute bars of a 24/7 market: see `minute-bars.ts`.
 */
import { DomainRangeError } from '../errors.js'
import {
  BAR_INTERVAL_MS, contiguousRunStarts, meanVolumePerMinute, MINUTES_PER_DAY, perBarTerms, requireContiguous,
  spreadFromProducts, stdevOfRange, validateBars, type MinuteBar
} from './minute-bars.js'

/**
 * Realised daily volatility: sample standard deviation (n - 1) of 1-minute close-to-close log
 * returns, times sqrt(1440) (24/7 market, returns assumed uncorrelated).
 *
 * @param bars at least 3 contiguous ascending 1-minute bars.
 * @returns volatility as a fraction per day.
 * @throws {DomainRangeError} with fewer than 3 bars, a gap, or an invalid bar.
 * @example realisedVolDaily(bars) // 0.021
 */
export function realisedVolDaily (bars: readonly MinuteBar[]): number {
  requireContiguous('realisedVolDaily', bars, 3)
  return stdevOfRange(perBarTerms(bars).logReturns, 1, bars.length) * Math.sqrt(MINUTES_PER_DAY)
}

/**
 * Average daily volume: mean volume per 1-minute bar times 1440 (24/7 market).
 *
 * @param bars at least 1 contiguous ascending 1-minute bar.
 * @returns base units per day.
 * @throws {DomainRangeError} with no bars, a gap, or an invalid bar.
 * @example averageDailyVolumeBase(bars) // 47293.9
 */
export function averageDailyVolumeBase (bars: readonly MinuteBar[]): number {
  requireContiguous('averageDailyVolumeBase', bars, 1)
  return meanVolumePerMinute(bars, 0, bars.length) * MINUTES_PER_DAY
}

/**
 * Abdi-Ranaldo close-high-low relative spread estimate over contiguous bars.
 *
 * With log prices c_t (close) and eta_t = (log high_t + log low_t) / 2 (mid-range),
 * S^2 = 4 * mean_t[(c_t - eta_t) * (c_t - eta_{t+1})] over consecutive pairs, and
 * S = sqrt(max(S^2, 0)) (the average is taken first, then clamped at 0).
 * Reference: Abdi & Ranaldo, "A Simple Estimation of Bid-Ask Spreads from Daily Close, High,
 * and Low Prices", Review of Financial Studies 30(12), 2017. Here the two-bar products are averaged
 * over all pairs first and only the average is clamped at 0 (clamping each pair instead biases S up).
 *
 * @param bars at least 2 contiguous ascending 1-minute bars.
 * @returns the full relative spread (fraction of price), >= 0.
 * @throws {DomainRangeError} with fewer than 2 bars, a gap, or an invalid bar.
 */
export function abdiRanaldoRelSpread (bars: readonly MinuteBar[]): number {
  requireContiguous('abdiRanaldoRelSpread', bars, 2)
  return spreadFromProducts(perBarTerms(bars).spreadProducts, 0, bars.length - 1)
}

export type TrailingMarketOptions = {
  /** trailing bars for volDaily and relSpread */
  volWindowMinutes: number
  /** trailing bars for advBase */
  advWindowMinutes: number
  /** fewest contiguous closed bars that give a market state */
  minBars: number
}

/**
 * Market state as known just before a time, for many times over one series of bars: built once
 * in O(n) (prefix sums of volume, log returns, squared log returns and Abdi-Ranaldo products),
 * then O(log n) per query instead of O(window) (a day of bars per tape window made the job's
 * sample building block the event loop for hundreds of ms).
 *
 * `at(tMs)` uses only bars that closed by tMs (openTimeMs + 1 minute <= tMs: no look-ahead),
 * within the contiguous run that ends at the last of them and at most max(vol, adv) window bars
 * back; with fewer than `minBars` such bars it is undefined. Otherwise advBase is
 * averageDailyVolumeBase over the trailing advWindowMinutes of them, volDaily and relSpread are
 * realisedVolDaily and abdiRanaldoRelSpread over the trailing volWindowMinutes (equal to those
 * functions on the same bars up to float rounding: the tests check 1e-9 relative).
 *
 * @throws {DomainRangeError} when a window is not an integer >= 3 or minBars < 3, or a bar is
 *   invalid (non-ascending time, non-positive price, negative volume).
 */
export function trailingMarket (bars: readonly MinuteBar[], options: TrailingMarketOptions): (tMs: number) => { advBase: number, volDaily: number, relSpread: number } | undefined {
  const fn = 'trailingMarket'
  const { volWindowMinutes, advWindowMinutes, minBars } = options
  for (const [name, value] of [['volWindowMinutes', volWindowMinutes], ['advWindowMinutes', advWindowMinutes], ['minBars', minBars]] as const) {
    if (!Number.isInteger(value) || value < 3) throw new DomainRangeError(`${fn}: ${name} must be an integer >= 3, got ${value}`, name, 'integer >= 3')
  }
  validateBars(fn, bars, false)
  const n = bars.length
  const runStart = contiguousRunStarts(bars)
  const { logReturns, spreadProducts } = perBarTerms(bars)
  // prefix sums: ps[i] = sum of the term over indices < i
  const volumePs = new Float64Array(n + 1)
  const returnPs = new Float64Array(n + 1)
  const returnSqPs = new Float64Array(n + 1)
  const productPs = new Float64Array(n + 1)
  for (let i = 0; i < n; i++) {
    volumePs[i + 1] = volumePs[i] + bars[i].volumeBase
    returnPs[i + 1] = returnPs[i] + logReturns[i]
    returnSqPs[i + 1] = returnSqPs[i] + logReturns[i] * logReturns[i]
    productPs[i + 1] = productPs[i] + spreadProducts[i]
  }
  const lookback = Math.max(volWindowMinutes, advWindowMinutes)
  return (tMs) => {
    // end = the first bar not closed by tMs
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (bars[mid].openTimeMs + BAR_INTERVAL_MS <= tMs) lo = mid + 1
      else hi = mid
    }
    const end = lo
    if (end === 0) return undefined
    const from = Math.max(0, end - lookback, runStart[end - 1])
    if (end - from < minBars) return undefined
    const advFrom = Math.max(from, end - advWindowMinutes)
    const volFrom = Math.max(from, end - volWindowMinutes)
    // log returns of the vol window: indices volFrom + 1 .. end - 1 (each uses bars i - 1 and i)
    const count = end - volFrom - 1
    const sum = returnPs[end] - returnPs[volFrom + 1]
    const mean = sum / count
    const sumSqDev = Math.max(0, returnSqPs[end] - returnSqPs[volFrom + 1] - sum * mean)
    // products of the vol window: indices volFrom .. end - 2 (each uses bars i and i + 1)
    const products = productPs[end - 1] - productPs[volFrom]
    return {
      advBase: (volumePs[end] - volumePs[advFrom]) / (end - advFrom) * MINUTES_PER_DAY,
      volDaily: Math.sqrt(sumSqDev / (count - 1)) * Math.sqrt(MINUTES_PER_DAY),
      relSpread: Math.sqrt(Math.max(4 * products / (end - 1 - volFrom), 0))
    }
  }
}
