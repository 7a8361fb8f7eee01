import { abdiRanaldoRelSpread, averageDailyVolumeBase, BAR_INTERVAL_MS, realisedVolDaily, type MinuteBar } from '../domain/impact/kline-samples.js'
import { buildTapeImpactSamples, type TapeMarket, type Trade } from '../domain/impact/tape-samples.js'
import { isUsableSample, type TimedSample } from '../domain/validation/gate.js'
import { sideSign } from '../domain/units.js'
import { contiguousTail, MIN_LIVE_BARS } from '../market/live-market-state.js'
import type { TcaRecord, TcaStore } from '../store/tca-store.js'
import type { SampleBatch } from './recalibrate.js'

/** A TCA record as an impact sample: the parent order's own shortfall is its realised impact. */
export function tcaSample (r: TcaRecord): TimedSample {
  return {
    startMs: r.executedAtMs,
    endMs: r.executedAtMs,
    signedQtyBase: sideSign(r.side) * r.qtyBase,
    advBase: r.advBase,
    volDaily: r.volDaily,
    relSpread: r.relSpread,
    signedReturn: r.execPriceQuote / r.arrivalPriceQuote - 1
  }
}

/** Index of the first bar that has not closed by `tMs` (bars close at openTimeMs + 1 minute). */
function closedBefore (bars: readonly MinuteBar[], tMs: number): number {
  let lo = 0
  let hi = bars.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (bars[mid].openTimeMs + BAR_INTERVAL_MS <= tMs) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Market state as known just before `tMs`, from 1-minute bars that closed before it (strictly
 * earlier data: no look-ahead): volDaily and relSpread (Abdi-Ranaldo) over the trailing
 * `volWindowMinutes`, advBase over the trailing `advWindowMinutes`, both within the contiguous
 * tail. Undefined with fewer than MIN_LIVE_BARS such bars.
 */
export function marketBefore (bars: readonly MinuteBar[], tMs: number, volWindowMinutes: number, advWindowMinutes: number): TapeMarket | undefined {
  const end = closedBefore(bars, tMs)
  const tail = contiguousTail(bars.slice(Math.max(0, end - Math.max(volWindowMinutes, advWindowMinutes)), end))
  if (tail.length < MIN_LIVE_BARS) return undefined
  const volBars = tail.slice(-volWindowMinutes)
  return { advBase: averageDailyVolumeBase(tail.slice(-advWindowMinutes)), volDaily: realisedVolDaily(volBars), relSpread: abdiRanaldoRelSpread(volBars) }
}

export interface SampleCollectorOptions {
  tcaStore: TcaStore
  /** the public trade tape of a symbol, ascending */
  trades: (symbol: string) => Promise<readonly Trade[]> | readonly Trade[]
  /** closed 1-minute bars of a symbol, ascending */
  bars: (symbol: string) => Promise<readonly MinuteBar[]> | readonly MinuteBar[]
  windowMinutes: number
  minSamples: number
  volWindowMinutes: number
  advWindowMinutes: number
}

/**
 * The job's sample source. Executions posted to /v1/tca are real parent orders, the best samples
 * there are: once at least `minSamples` usable ones exist for the symbol they are used alone.
 * Until then, windows of `windowMinutes` of the public trade tape: Q = signed taker volume,
 * dP/P = last trade / last trade before the window - 1, with advBase, volDaily and relSpread from
 * klines that closed before each window.
 */
export function sampleCollector (o: SampleCollectorOptions): (symbol: string) => Promise<SampleBatch> {
  return async (symbol) => {
    const records = await o.tcaStore.read(symbol)
    const tca = records.map(tcaSample).filter(isUsableSample)
    if (tca.length >= o.minSamples) return { samples: tca, source: 'tca', notes: { tcaRecords: records.length } }
    const [trades, bars] = await Promise.all([o.trades(symbol), o.bars(symbol)])
    const tape = buildTapeImpactSamples(trades, {
      windowMs: o.windowMinutes * 60_000,
      marketAt: (startMs) => marketBefore(bars, startMs, o.volWindowMinutes, o.advWindowMinutes)
    })
    return {
      samples: tape.samples,
      source: 'tape',
      notes: { tcaRecords: records.length, trades: trades.length, bars: bars.length, windows: tape.windows, ...tape.skipped }
    }
  }
}
