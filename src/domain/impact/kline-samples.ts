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

export const BAR_INTERVAL_MS = 60_000
export const MINUTES_PER_DAY = 1440
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

function requireContiguous (fn: string, bars: readonly MinuteBar[], minBars: number): void {
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

function validateBars (fn: string, bars: readonly MinuteBar[], needTakerBuy: boolean): void {
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
function contiguousRunStarts (bars: readonly MinuteBar[]): Int32Array {
  const runStart = new Int32Array(bars.length)
  for (let i = 1; i < bars.length; i++) {
    runStart[i] = bars[i].openTimeMs - bars[i - 1].openTimeMs === BAR_INTERVAL_MS ? runStart[i - 1] : i
  }
  return runStart
}

function meanVolumePerMinute (bars: readonly MinuteBar[], from: number, to: number): number {
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
function perBarTerms (bars: readonly MinuteBar[]): { logReturns: Float64Array, spreadProducts: Float64Array } {
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
function stdevOfRange (values: Float64Array, from: number, to: number): number {
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
function spreadFromProducts (products: Float64Array, from: number, to: number): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += products[i]
  return Math.sqrt(Math.max(4 * sum / (to - from), 0))
}
