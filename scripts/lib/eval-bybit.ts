/**
 * `npm run eval`, part (c): the Bybit inverse BTCUSD 1-minute klines carry no signed flow, so
 * they give market state only: volDaily (realisedVolDaily: stdev of 1-minute log returns *
 * sqrt(1440)) and advBase (averageDailyVolumeBase: mean turnover per minute * 1440; for inverse
 * contracts Bybit's turnover is in the base coin, BTC), per half of the series, to show how
 * stable they are from one ~17-hour stretch to the next.
 */
import type { MinuteBar } from '../../src/domain/impact/minute-bars.js'
import { averageDailyVolumeBase, realisedVolDaily } from '../../src/domain/impact/trailing-market.js'

export interface MarketPeriod {
  label: string
  bars: number
  fromMs: number
  /** open time of the last bar + 1 minute */
  toMs: number
  volDaily: number
  advBase: number
}

export interface BybitInverseSummary {
  file: string
  symbol: string
  periods: MarketPeriod[]
  /** second half / first half */
  ratio: { volDaily: number, advBase: number }
}

function period (label: string, bars: readonly MinuteBar[]): MarketPeriod {
  return { label, bars: bars.length, fromMs: bars[0].openTimeMs, toMs: bars[bars.length - 1].openTimeMs + 60_000, volDaily: realisedVolDaily(bars), advBase: averageDailyVolumeBase(bars) }
}

/**
 * Market state over the whole series and over its two halves.
 * @throws DomainRangeError (from trailing-market) with fewer than 6 bars or a gap.
 */
export function summariseBybitInverse (file: string, bars: readonly MinuteBar[]): BybitInverseSummary {
  const half = Math.floor(bars.length / 2)
  const first = period('first half', bars.slice(0, half))
  const second = period('second half', bars.slice(half))
  return {
    file,
    symbol: 'BTCUSD (inverse)',
    periods: [period('all', bars), first, second],
    ratio: { volDaily: second.volDaily / first.volDaily, advBase: second.advBase / first.advBase }
  }
}
