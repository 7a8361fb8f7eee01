import type { MinuteBar } from '../domain/impact/minute-bars.js'
import { trailingMarket } from '../domain/impact/trailing-market.js'
import { buildTapeImpactSamples, type Trade } from '../domain/impact/tape-samples.js'
import { buildTapeIStarWindows } from '../domain/impact/tape-istar-windows.js'
import { isUsableSample } from '../domain/validation/candidates.js'
import type { TimedSample } from '../domain/validation/walk-forward.js'
import { sideSign } from '../domain/units.js'
import { MIN_LIVE_BARS } from '../market/live-market-state.js'
import type { TcaRecord, TcaStore } from '../store/tca-store.js'
import type { IStarBatch, SampleBatch } from './recalibrate.js'

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

export interface SampleCollectorOptions {
  /**
   * refreshes the symbol's market state before anything is read (live: one Bybit round); if it
   * throws, the collection throws, so the job's run fails and the published models stay
   */
  refresh?: (symbol: string) => Promise<void>
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

/** The execution model's windows (buildTapeIStarWindows); a failure to build them is a note, not a failed run. */
function istarBatch (bars: readonly MinuteBar[], trades: readonly Trade[]): IStarBatch {
  try {
    const { windows, tapeSpan } = buildTapeIStarWindows(bars, trades)
    return { windows, notes: { bars: bars.length, trades: trades.length, windows: windows.length, ...(tapeSpan !== undefined ? { tapeFromMs: tapeSpan.fromMs, tapeToMs: tapeSpan.toMs } : {}) } }
  } catch (err) {
    return { windows: [], notes: { bars: bars.length, trades: trades.length, windows: 0, error: (err as Error).message } }
  }
}

/**
 * The job's sample source, read once `refresh` has brought the symbol's market state up to date.
 * Executions posted to /v1/tca are real parent orders, the best samples there are: once at least
 * `minSamples` usable ones exist for the symbol they are used alone.
 * Until then, windows of `windowMinutes` of the public trade tape: Q = signed taker volume,
 * dP/P = last trade / last trade before the window - 1, with advBase, volDaily and relSpread from
 * klines that closed before each window.
 * Either way, the execution model's windows (lengths 1 to 240 minutes) from the klines and the tape.
 */
export function sampleCollector (o: SampleCollectorOptions): (symbol: string) => Promise<SampleBatch> {
  return async (symbol) => {
    await o.refresh?.(symbol)
    const records = await o.tcaStore.read(symbol)
    const tca = records.map(tcaSample).filter(isUsableSample)
    const [trades, bars] = await Promise.all([o.trades(symbol), o.bars(symbol)])
    const istar = istarBatch(bars, trades)
    if (tca.length >= o.minSamples) return { samples: tca, source: 'tca', notes: { tcaRecords: records.length }, istar }
    const tape = buildTapeImpactSamples(trades, {
      windowMs: o.windowMinutes * 60_000,
      marketAt: trailingMarket(bars, { volWindowMinutes: o.volWindowMinutes, advWindowMinutes: o.advWindowMinutes, minBars: MIN_LIVE_BARS })
    })
    return {
      samples: tape.samples,
      source: 'tape',
      notes: { tcaRecords: records.length, trades: trades.length, bars: bars.length, windows: tape.windows, ...tape.skipped },
      istar
    }
  }
}
