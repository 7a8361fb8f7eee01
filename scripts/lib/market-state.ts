/**
 * Embedded market state (embedded/market-state.json): fees and per-symbol price, volatility,
 * ADV and spread, computed from the recorded data under ../shared/data. Every number carries
 * an origin string naming the file, the window and the method, and an hour-of-day volume profile
 * (volume-profile.ts). Live Bybit data replaces these.
 */
import path from 'node:path'
import { BAR_INTERVAL_MS, MINUTES_PER_DAY } from '../../src/domain/impact/minute-bars.js'
import { realisedVolDaily, averageDailyVolumeBase } from '../../src/domain/impact/trailing-market.js'
import { fractionToBps } from '../../src/domain/units.js'
import { DATA_FILES } from './data-dir.js'
import { readBybitInverseKlines, readBybitLinearTicker, readTapeTrades, readBookTop, type BookTop, type TapeTrade } from './readers.js'
import { median, sampleStdev, formatNumber as fmt, formatUtc } from './stats.js'
import { computeVolumeProfiles, type VolumeProfileNode } from './volume-profile.js'

export type Sourced = { value: number, origin: string }
export type FeeRates = { takerFeeRate: Sourced, makerFeeRate: Sourced }
export type SymbolState = {
  category: 'linear'
  priceQuote: Sourced
  volDaily: Sourced
  advBase: Sourced
  spreadBps: Sourced
  asOfMs: Sourced
  /** hour-of-day volume profile (scripts/lib/volume-profile.ts) */
  volumeProfile?: VolumeProfileNode
}
export type MarketStateFile = {
  description: string
  generatedBy: string
  fees: { linear: FeeRates, inverse: FeeRates, spot: FeeRates }
  symbols: Record<string, SymbolState>
}

export const GENERATED_BY = 'npm run defaults (scripts/build-defaults.ts)'
const SECONDS_PER_DAY = 86_400

const FEE_SOURCE = "Bybit help centre 'Trading Fee Structure' (article 000001634), VIP 0 (non-VIP) row, read through the search corpus on a mirror copy of that page; matches the loweef Crypto Futures Fee Index (Bybit 0.055 % / 0.02 %, checked 2026-10-16). Bybit says actual rates vary by region and account: the authenticated GET /v5/account/fee-rate gives the caller's own rate."

/** Bybit's published default (VIP 0) fee rates, as fractions of notional. Not computed from data. */
export const BYBIT_DEFAULT_FEES: MarketStateFile['fees'] = {
  linear: {
    takerFeeRate: { value: 0.00055, origin: `0.055 % taker, 'Perpetual & Futures Contracts' column. ${FEE_SOURCE}` },
    makerFeeRate: { value: 0.0002, origin: `0.02 % maker, 'Perpetual & Futures Contracts' column. ${FEE_SOURCE}` }
  },
  inverse: {
    takerFeeRate: { value: 0.00055, origin: `0.055 % taker: inverse perpetuals/futures share the 'Perpetual & Futures Contracts' column. ${FEE_SOURCE}` },
    makerFeeRate: { value: 0.0002, origin: `0.02 % maker: inverse perpetuals/futures share the 'Perpetual & Futures Contracts' column. ${FEE_SOURCE}` }
  },
  spot: {
    takerFeeRate: { value: 0.001, origin: `0.1 % taker, 'Spot Trading' column (some spot pairs have their own rates). ${FEE_SOURCE}` },
    makerFeeRate: { value: 0.001, origin: `0.1 % maker, 'Spot Trading' column (some spot pairs have their own rates). ${FEE_SOURCE}` }
  }
}

/** Full quoted spread (ask - bid) / mid of each book row, in bps. */
export function bookSpreadsBps (rows: readonly BookTop[]): number[] {
  return rows.map((r) => fractionToBps((r.askPriceQuote - r.bidPriceQuote) / (0.5 * (r.askPriceQuote + r.bidPriceQuote))))
}

/**
 * Daily volatility from the 1-second book: log returns of the mid over `stepSeconds` between rows
 * exactly stepSeconds apart in the same session, pooled over sessions, sample stdev,
 * times sqrt(86400 / stepSeconds) (24/7 market, uncorrelated returns).
 */
export function bookMidVolDaily (rows: readonly BookTop[], stepSeconds: number): { volDaily: number, returns: number } {
  const bySession = new Map<string, BookTop[]>()
  for (const r of rows) {
    const list = bySession.get(r.session)
    if (list === undefined) bySession.set(r.session, [r])
    else list.push(r)
  }
  const logReturns: number[] = []
  for (const sessionRows of bySession.values()) {
    for (let i = stepSeconds; i < sessionRows.length; i += stepSeconds) {
      const a = sessionRows[i - stepSeconds]
      const b = sessionRows[i]
      if (b.tsMs - a.tsMs !== stepSeconds * 1000) continue
      logReturns.push(Math.log((b.bidPriceQuote + b.askPriceQuote) / (a.bidPriceQuote + a.askPriceQuote)))
    }
  }
  return { volDaily: sampleStdev(logReturns) * Math.sqrt(SECONDS_PER_DAY / stepSeconds), returns: logReturns.length }
}

/** Base volume and tape minutes (first to last trade) of each session. */
export function tapeVolumeBySession (trades: readonly TapeTrade[]): Map<string, { qtyBase: number, minutes: number, lastTrade: TapeTrade }> {
  const out = new Map<string, { qtyBase: number, firstMs: number, lastTrade: TapeTrade }>()
  for (const tr of trades) {
    const g = out.get(tr.session)
    if (g === undefined) out.set(tr.session, { qtyBase: tr.qtyBase, firstMs: tr.tradeTimeMs, lastTrade: tr })
    else {
      g.qtyBase += tr.qtyBase
      if (tr.tradeTimeMs < g.firstMs) g.firstMs = tr.tradeTimeMs
      if (tr.tradeTimeMs >= g.lastTrade.tradeTimeMs) g.lastTrade = tr
    }
  }
  return new Map([...out].map(([k, g]) => [k, { qtyBase: g.qtyBase, minutes: (g.lastTrade.tradeTimeMs - g.firstMs) / 60_000, lastTrade: g.lastTrade }]))
}

function usdm<T extends { market: string, symbol: string }> (rows: readonly T[], symbol: string): T[] {
  return rows.filter((r) => r.market === 'usdm' && r.symbol === symbol)
}

/** BTCUSDT: Bybit data where it exists (inverse klines, linear ticker), Binance book for the spread. */
export async function computeBtcusdtState (dataDir: string): Promise<SymbolState> {
  const bars = await readBybitInverseKlines(path.join(dataDir, DATA_FILES.bybitInverseKlines))
  const ticker = await readBybitLinearTicker(path.join(dataDir, DATA_FILES.bybitLinearTicker))
  const book = usdm(await readBookTop(path.join(dataDir, DATA_FILES.binanceBookTop)), 'BTCUSDT')
  const first = bars[0]
  const last = bars[bars.length - 1]
  const window = `${formatUtc(first.openTimeMs)} to ${formatUtc(last.openTimeMs + BAR_INTERVAL_MS)}`
  const volDaily = realisedVolDaily(bars)
  const inverseAdvBtc = averageDailyVolumeBase(bars)
  const spreads = bookSpreadsBps(book)
  const tickerSpreadBps = fractionToBps((ticker.ask1PriceQuote - ticker.bid1PriceQuote) / (0.5 * (ticker.ask1PriceQuote + ticker.bid1PriceQuote)))
  const sessions = new Set(book.map((r) => r.session)).size
  return {
    category: 'linear',
    priceQuote: {
      value: last.close,
      origin: `close of the last bar (${formatUtc(last.openTimeMs)}) of ${DATA_FILES.bybitInverseKlines}: Bybit INVERSE BTCUSD perpetual, the most recent real Bybit BTC price in the data; the linear BTCUSDT price differs by the inverse/linear basis (typically a few bps).`
    },
    volDaily: {
      value: volDaily,
      origin: `sample stdev of ${bars.length - 1} one-minute close-to-close log returns x sqrt(1440) (24/7 market, returns assumed uncorrelated), ${DATA_FILES.bybitInverseKlines} (Bybit inverse BTCUSD 1m, ${bars.length} bars, ${window}); ~33.5 h only, and BTCUSD inverse stands in for BTCUSDT linear (same underlying, same venue).`
    },
    advBase: {
      value: ticker.volume24hBase,
      origin: `volume24h (BTC) of Bybit linear BTCUSDT from ${DATA_FILES.bybitLinearTicker} (ccxt-recorded /v5/market/tickers, response time ${formatUtc(ticker.timeMs)}; ccxt did not record mainnet vs testnet, but its prices match mainnet BTC that day per the folder's PROVENANCE.md): the right venue and instrument, but one 24 h figure from Feb 2024. Not taken from the inverse klines, whose turnover gives only ${fmt(inverseAdvBtc)} BTC/day: BTCUSD inverse is a much smaller contract than BTCUSDT linear.`
    },
    spreadBps: {
      value: median(spreads),
      origin: `median full quoted spread (ask - bid) / mid over ${spreads.length} one-second rows of Binance USD-M BTCUSDT (${sessions} sessions, 2023-04-05, 2024-07-19, 2024-08-09, around 00:00 UTC) in ${DATA_FILES.binanceBookTop}: one tick (0.10 USDT) almost always. Binance, not Bybit, but Bybit's BTCUSDT tick is also 0.10 (docs instruments-info example) and the single Bybit ticker snapshot in ${DATA_FILES.bybitLinearTicker} shows ${fmt(tickerSpreadBps)} bps (one tick at ${fmt(ticker.lastPriceQuote, 6)}); chosen over that snapshot for having ${spreads.length} observations. In bps the one-tick spread scales with 1/price.`
    },
    asOfMs: {
      value: last.openTimeMs + BAR_INTERVAL_MS,
      origin: `close time of the last Bybit inverse BTCUSD bar (${formatUtc(last.openTimeMs + BAR_INTERVAL_MS)}), the date of priceQuote and volDaily; advBase is from ${formatUtc(ticker.timeMs)} and spreadBps from 2023-2024 Binance sessions.`
    }
  }
}

/** ETHUSDT: no Bybit data here; Binance USD-M ETHUSDT tape and book, ADV rescaled to Bybit via BTC. */
export async function computeEthusdtState (dataDir: string): Promise<SymbolState> {
  const allBook = await readBookTop(path.join(dataDir, DATA_FILES.binanceBookTop))
  const trades = await readTapeTrades(path.join(dataDir, DATA_FILES.binanceTrades))
  const ticker = await readBybitLinearTicker(path.join(dataDir, DATA_FILES.bybitLinearTicker))
  const bybitBtcVolDaily = realisedVolDaily(await readBybitInverseKlines(path.join(dataDir, DATA_FILES.bybitInverseKlines)))
  const ethBook = usdm(allBook, 'ETHUSDT')
  const ethTape = tapeVolumeBySession(usdm(trades, 'ETHUSDT'))
  const btcTape = tapeVolumeBySession(usdm(trades, 'BTCUSDT'))
  let ethQtyBase = 0
  let btcQtyBase = 0
  let ethMinutes = 0
  let lastTrade: TapeTrade | undefined
  const sessionRatios: number[] = []
  for (const [session, eth] of ethTape) {
    const btc = btcTape.get(session.replace('ethusdt', 'btcusdt'))
    if (btc === undefined) throw new Error(`computeEthusdtState: no concurrent BTCUSDT session for ${session}`)
    ethQtyBase += eth.qtyBase
    btcQtyBase += btc.qtyBase
    ethMinutes += eth.minutes
    sessionRatios.push(eth.qtyBase / btc.qtyBase)
    if (lastTrade === undefined || eth.lastTrade.tradeTimeMs > lastTrade.tradeTimeMs) lastTrade = eth.lastTrade
  }
  if (lastTrade === undefined) throw new Error('computeEthusdtState: no USD-M ETHUSDT trades')
  const ethPerBtcVolume = ethQtyBase / btcQtyBase
  const binanceDirectAdv = ethQtyBase / ethMinutes * MINUTES_PER_DAY
  const vol1s = bookMidVolDaily(ethBook, 1)
  const vol10s = bookMidVolDaily(ethBook, 10)
  const btcSameMethod = bookMidVolDaily(usdm(allBook, 'BTCUSDT'), 1)
  const spreads = bookSpreadsBps(ethBook)
  const sessionsText = `${ethTape.size} sessions (2024-07-18 23:57 to 2024-07-19 00:05 and 2024-08-08 23:54 to 2024-08-09 00:00 UTC, ${fmt(ethMinutes)} minutes in all)`
  return {
    category: 'linear',
    priceQuote: {
      value: lastTrade.priceQuote,
      origin: `last Binance USD-M ETHUSDT trade (${formatUtc(lastTrade.tradeTimeMs)}) in ${DATA_FILES.binanceTrades}; there is no Bybit ETH price in the data. Old (2024-08-09): only a placeholder until live data.`
    },
    volDaily: {
      value: vol1s.volDaily,
      origin: `sample stdev of ${vol1s.returns} one-second mid log returns x sqrt(86400), Binance USD-M ETHUSDT rebuilt book ${DATA_FILES.binanceBookTop}, ${sessionsText}. Crude: ~14 minutes around 00:00 UTC stand in for a day. Cross-checks: 10-second returns give ${fmt(vol10s.volDaily)}; the same 1-second method on Binance BTCUSDT (same nights) gives ${fmt(btcSameMethod.volDaily)} vs ${fmt(bybitBtcVolDaily)} from the 33.5 h of Bybit 1m klines used for BTCUSDT.volDaily. Volatility is a property of the asset, so Binance stands in for Bybit here without rescaling.`
    },
    advBase: {
      value: ticker.volume24hBase * ethPerBtcVolume,
      origin: `Bybit BTCUSDT volume24h (${fmt(ticker.volume24hBase, 6)} BTC, ${DATA_FILES.bybitLinearTicker}, ${formatUtc(ticker.timeMs)}) x the ETH/BTC base-volume ratio ${fmt(ethPerBtcVolume)} of Binance USD-M ETHUSDT vs BTCUSDT over the same ${sessionsText} in ${DATA_FILES.binanceTrades}. VERY crude: two venues, three dates, minutes of tape; per session the ratio was ${sessionRatios.map((r) => fmt(r, 3)).join(' and ')}. Extrapolating the Binance ETHUSDT tape directly (x 1440 / minutes) gives ${fmt(binanceDirectAdv)} ETH/day, which is Binance's (larger) volume; the Bybit-scaled figure is used because a low ADV errs towards higher, safer impact estimates. Order of magnitude only.`
    },
    spreadBps: {
      value: median(spreads),
      origin: `median full quoted spread (ask - bid) / mid over ${spreads.length} one-second rows of Binance USD-M ETHUSDT in ${DATA_FILES.binanceBookTop} (${ethTape.size} sessions, 2024-07-19 and 2024-08-09, around 00:00 UTC): one tick (0.01 USDT). Binance, not Bybit; no Bybit ETHUSDT quote is in the data.`
    },
    asOfMs: {
      value: lastTrade.tradeTimeMs,
      origin: `time of the last Binance USD-M ETHUSDT trade used (${formatUtc(lastTrade.tradeTimeMs)}); advBase also uses the Bybit BTCUSDT ticker of ${formatUtc(ticker.timeMs)}.`
    }
  }
}

/** The whole embedded/market-state.json content. Deterministic: depends only on the data files. */
export async function computeMarketState (dataDir: string): Promise<MarketStateFile> {
  const bybitBars = await readBybitInverseKlines(path.join(dataDir, DATA_FILES.bybitInverseKlines))
  const profiles = await computeVolumeProfiles(dataDir, bybitBars, DATA_FILES.bybitInverseKlines)
  return {
    description: 'Offline defaults for pre-trade cost estimates: Bybit default fee rates and per-symbol market state (price, daily volatility, ADV, quoted spread) computed from recorded market data under ../shared/data (never copied into the repo). Each number carries its origin. Stale by design: live Bybit market data replaces these values when available.',
    generatedBy: GENERATED_BY,
    fees: BYBIT_DEFAULT_FEES,
    symbols: {
      BTCUSDT: { ...await computeBtcusdtState(dataDir), volumeProfile: profiles.BTCUSDT },
      ETHUSDT: { ...await computeEthusdtState(dataDir), volumeProfile: profiles.ETHUSDT }
    }
  }
}
