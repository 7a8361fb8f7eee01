import { readFileSync } from 'node:fs'
import type { Config } from '../config.js'
import { finiteAt, objectAt, sourcedValue } from '../models/json-fields.js'

export const CATEGORIES = ['linear', 'inverse', 'spot'] as const
/** Bybit v5 product category. */
export type Category = typeof CATEGORIES[number]

/** Fee rates as fractions of notional (0.00055 = 5.5 bps). */
export interface FeeRates {
  takerFeeRate: number
  makerFeeRate: number
}

/** What the service knows about a symbol's market, in the units of its field names. */
export interface MarketState {
  symbol: string
  category: Category
  /** last or mid price, quote per base */
  priceQuote: number
  /** volatility of daily returns, as a fraction */
  volDaily: number
  /** average daily volume, base units */
  advBase: number
  /** quoted spread (ask - bid) / mid, in bps */
  spreadBps: number
  /** time of the data this state was computed from, ms since epoch */
  asOfMs: number
  source: 'embedded' | 'bybit'
  /** venue trading rules, when known (live market data) */
  instrument?: InstrumentRules
}

/** Order-size rules of an instrument, in base units and quote currency. */
export interface InstrumentRules {
  tickSize: string
  qtyStep: string
  minOrderQty: number
  minNotionalValue?: number
}

/** Market state by symbol, and fee rates by category. */
export interface MarketStateProvider {
  get: (symbol: string) => MarketState | undefined
  symbols: () => string[]
  fees: (category: Category) => FeeRates
}

function isCategory (value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value)
}

const FEE_OVERRIDES: Record<Category, { taker: keyof Config, maker: keyof Config }> = {
  linear: { taker: 'TAKER_FEE_RATE_LINEAR', maker: 'MAKER_FEE_RATE_LINEAR' },
  inverse: { taker: 'TAKER_FEE_RATE_INVERSE', maker: 'MAKER_FEE_RATE_INVERSE' },
  spot: { taker: 'TAKER_FEE_RATE_SPOT', maker: 'MAKER_FEE_RATE_SPOT' }
}

/**
 * Builds the embedded market state from the parsed contents of embedded/market-state.json;
 * fee rates from config override the file's.
 * @throws TypeError / RangeError naming the JSON path of a missing or invalid value.
 */
export function parseEmbeddedMarketState (json: unknown, config: Partial<Config> = {}): MarketStateProvider {
  const root = objectAt(json, 'market')
  const feesJson = objectAt(root.fees, 'market.fees')
  const fees = {} as Record<Category, FeeRates>
  for (const category of CATEGORIES) {
    const path = `market.fees.${category}`
    const node = objectAt(feesJson[category], path)
    const override = FEE_OVERRIDES[category]
    const isRate = (n: number): boolean => n >= 0 && n <= 0.01
    fees[category] = Object.freeze({
      takerFeeRate: (config[override.taker] as number | undefined) ?? sourcedValue(node, 'takerFeeRate', path, isRate, 'in [0, 0.01]'),
      makerFeeRate: (config[override.maker] as number | undefined) ?? sourcedValue(node, 'makerFeeRate', path, isRate, 'in [0, 0.01]')
    })
  }

  const states = new Map<string, MarketState>()
  const symbolsJson = objectAt(root.symbols, 'market.symbols')
  for (const [symbol, value] of Object.entries(symbolsJson)) {
    const path = `market.symbols.${symbol}`
    const node = objectAt(value, path)
    if (!isCategory(node.category)) throw new TypeError(`${path}.category must be one of ${CATEGORIES.join(', ')}`)
    states.set(symbol, Object.freeze({
      symbol,
      category: node.category,
      priceQuote: sourcedValue(node, 'priceQuote', path, (n) => n > 0, '> 0'),
      volDaily: sourcedValue(node, 'volDaily', path, (n) => n > 0 && n < 10, 'in (0, 10)'),
      advBase: sourcedValue(node, 'advBase', path, (n) => n > 0, '> 0'),
      spreadBps: sourcedValue(node, 'spreadBps', path, (n) => n >= 0 && n < 10_000, 'in [0, 10000)'),
      asOfMs: finiteAt(objectAt(node.asOfMs, `${path}.asOfMs`).value, `${path}.asOfMs.value`, (n) => n > 0, '> 0'),
      source: 'embedded' as const
    }))
  }

  const symbols = [...states.keys()].sort()
  return Object.freeze({
    get: (symbol: string) => states.get(symbol),
    symbols: () => symbols,
    fees: (category: Category) => fees[category]
  })
}

/** Reads and parses the embedded market state file. @throws Error naming the file and the problem. */
export function loadEmbeddedMarketState (path: string, config: Partial<Config> = {}): MarketStateProvider {
  try {
    return parseEmbeddedMarketState(JSON.parse(readFileSync(path, 'utf8')), config)
  } catch (err) {
    throw new Error(`cannot load embedded market state from ${path}: ${(err as Error).message}`)
  }
}
