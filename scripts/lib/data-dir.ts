/**
 * Where the recorded market data lives: `$PRETRADE_DATA_DIR`, else `../shared/data` relative to
 * the working directory (the repo root when run as `npm run defaults`). The data is never copied
 * into the repository.
 */
import path from 'node:path'
import { existsSync } from 'node:fs'

export const DATA_DIR_ENV = 'PRETRADE_DATA_DIR'
export const DEFAULT_RELATIVE_DATA_DIR = '../shared/data'

/** Absolute data directory from the environment and working directory (pure apart from its inputs). */
export function resolveDataDir (env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const fromEnv = env[DATA_DIR_ENV]
  return path.resolve(cwd, fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_RELATIVE_DATA_DIR)
}

/** True when the data directory exists (CI has it; a fresh clone may not). */
export function dataDirExists (dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'README.md'))
}

/** Paths of the files the scripts read, relative to the data directory (also written into origins). */
export const DATA_FILES = {
  bybitInverseKlines: 'bybit-btcusd-inverse-1m-klines/klines_1m.csv',
  bybitLinearTicker: 'bybit-samples/ccxt-captured/tickers.linear.BTCUSDT.json',
  binanceTrades: 'binance-hftbacktest-l2-trades/trades.csv.gz',
  binanceBookTop: 'binance-hftbacktest-l2-trades/book_top20_1s.csv.gz',
  altKlinesDir: 'binance-usdm-alt-1m-klines-takerflow'
} as const
