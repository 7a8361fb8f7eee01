/**
 * Readers for the recorded data files (see each folder's PROVENANCE.md under ../shared/data).
 * They turn the files' own column names and units into ours once, here.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { MinuteBar } from '../../src/domain/impact/minute-bars.js'
import { readCsv, columnIndices, parseFiniteNumber } from './csv.js'

/**
 * Binance USD-M futures 1-minute klines (data.binance.vision layout, header row):
 * volume and taker_buy_volume are base units.
 */
export async function readBinanceUsdmKlines (filePath: string): Promise<MinuteBar[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['open_time', 'open', 'high', 'low', 'close', 'volume', 'taker_buy_volume'] as const, label)
  return table.rows.map((row, i): MinuteBar => ({
    openTimeMs: parseFiniteNumber(row[col.open_time], label, i, 'open_time'),
    open: parseFiniteNumber(row[col.open], label, i, 'open'),
    high: parseFiniteNumber(row[col.high], label, i, 'high'),
    low: parseFiniteNumber(row[col.low], label, i, 'low'),
    close: parseFiniteNumber(row[col.close], label, i, 'close'),
    volumeBase: parseFiniteNumber(row[col.volume], label, i, 'volume'),
    takerBuyBase: parseFiniteNumber(row[col.taker_buy_volume], label, i, 'taker_buy_volume')
  }))
}

/**
 * Bybit inverse BTCUSD 1-minute klines (merged CSV). For inverse contracts Bybit's `volume` is
 * USD (contracts) and `turnover` is BTC, so volumeBase = turnover.
 */
export async function readBybitInverseKlines (filePath: string): Promise<MinuteBar[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['start_time_ms', 'open', 'high', 'low', 'close', 'turnover'] as const, label)
  return table.rows.map((row, i): MinuteBar => ({
    openTimeMs: parseFiniteNumber(row[col.start_time_ms], label, i, 'start_time_ms'),
    open: parseFiniteNumber(row[col.open], label, i, 'open'),
    high: parseFiniteNumber(row[col.high], label, i, 'high'),
    low: parseFiniteNumber(row[col.low], label, i, 'low'),
    close: parseFiniteNumber(row[col.close], label, i, 'close'),
    volumeBase: parseFiniteNumber(row[col.turnover], label, i, 'turnover')
  }))
}

export type LinearTicker = {
  symbol: string
  lastPriceQuote: number
  bid1PriceQuote: number
  ask1PriceQuote: number
  volume24hBase: number
  turnover24hQuote: number
  /** Envelope `time` of the response (ms). */
  timeMs: number
}

/** A Bybit v5 /v5/market/tickers linear response (ccxt stored every scalar as a string). */
export async function readBybitLinearTicker (filePath: string): Promise<LinearTicker> {
  const label = path.basename(filePath)
  const body = JSON.parse(await readFile(filePath, 'utf8')) as { time: string | number, result: { list: Array<Record<string, string>> } }
  const item = body.result.list[0]
  if (item === undefined) throw new Error(`${label}: result.list is empty`)
  return {
    symbol: item.symbol,
    lastPriceQuote: parseFiniteNumber(item.lastPrice, label, 0, 'lastPrice'),
    bid1PriceQuote: parseFiniteNumber(item.bid1Price, label, 0, 'bid1Price'),
    ask1PriceQuote: parseFiniteNumber(item.ask1Price, label, 0, 'ask1Price'),
    volume24hBase: parseFiniteNumber(item.volume24h, label, 0, 'volume24h'),
    turnover24hQuote: parseFiniteNumber(item.turnover24h, label, 0, 'turnover24h'),
    timeMs: parseFiniteNumber(String(body.time), label, 0, 'time')
  }
}

export type TapeTrade = {
  session: string
  market: string
  symbol: string
  tradeTimeMs: number
  priceQuote: number
  qtyBase: number
  aggressorSide: 'buy' | 'sell'
}

/**
 * Flattened Binance trade tape (trades.csv.gz), INSURANCE_FUND prints removed (PROVENANCE.md:
 * one liquidation print far from the market). qty is base units except on COIN-M (contracts).
 */
export async function readTapeTrades (filePath: string): Promise<TapeTrade[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['session', 'market', 'symbol', 'trade_time_ms', 'price', 'qty', 'aggressor_side', 'exec_type'] as const, label)
  const trades: TapeTrade[] = []
  table.rows.forEach((row, i) => {
    if (row[col.exec_type] === 'INSURANCE_FUND') return
    trades.push({
      session: row[col.session],
      market: row[col.market],
      symbol: row[col.symbol],
      tradeTimeMs: parseFiniteNumber(row[col.trade_time_ms], label, i, 'trade_time_ms'),
      priceQuote: parseFiniteNumber(row[col.price], label, i, 'price'),
      qtyBase: parseFiniteNumber(row[col.qty], label, i, 'qty'),
      aggressorSide: row[col.aggressor_side] === 'buy' ? 'buy' : 'sell'
    })
  })
  return trades
}

export type BookTop = {
  session: string
  market: string
  symbol: string
  tsMs: number
  bidPriceQuote: number
  askPriceQuote: number
}

/** Best bid/ask from the rebuilt 1-second top-20 book (book_top20_1s.csv.gz). */
export async function readBookTop (filePath: string): Promise<BookTop[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['session', 'market', 'symbol', 'ts_ms', 'bid_px_1', 'ask_px_1'] as const, label)
  return table.rows.map((row, i): BookTop => ({
    session: row[col.session],
    market: row[col.market],
    symbol: row[col.symbol],
    tsMs: parseFiniteNumber(row[col.ts_ms], label, i, 'ts_ms'),
    bidPriceQuote: parseFiniteNumber(row[col.bid_px_1], label, i, 'bid_px_1'),
    askPriceQuote: parseFiniteNumber(row[col.ask_px_1], label, i, 'ask_px_1')
  }))
}

/** One Binance.US 1-minute bar: bar start and base volume (the file has no turnover). */
export type BinanceUsBar = { openTimeMs: number, volumeBase: number }

/**
 * Binance.US 1-minute OHLCV (binanceus-btc-1m-klines/*.csv): `open_time` is ISO-8601 UTC
 * (`2023-03-01 00:00:00+00:00`), `volume` base units. Only time and volume are kept.
 */
export async function readBinanceUsKlines (filePath: string): Promise<BinanceUsBar[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['open_time', 'volume'] as const, label)
  return table.rows.map((row, i): BinanceUsBar => {
    const openTimeMs = Date.parse(row[col.open_time].replace(' ', 'T'))
    if (!Number.isFinite(openTimeMs)) throw new Error(`${label}: row ${i} column open_time is not a time: "${row[col.open_time]}"`)
    return { openTimeMs, volumeBase: parseFiniteNumber(row[col.volume], label, i, 'volume') }
  })
}
