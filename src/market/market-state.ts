import { readFileSync } from 'node:fs'
import type { Config } from '../config.js'
import { Type } from '@sinclair/typebox'
import { DomainRangeError } from '../domain/errors.js'
import { HOURS_PER_DAY, validateHourlyShares, type HourlyVolumeShares } from '../domain/execution/volume-profile.js'
import { checkJson } from '../domain/learn/checks.js'
import { sourcedNumber } from '../models/json-fields.js'

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
  /**
   * hour-of-day volume profile, when known; absent: consumers assume FLAT_HOURLY_SHARES and say
   * so. VWAP and POV executions trade in proportion to it.
   */
  volumeProfile?: VolumeProfile
}

/** The share of a day's volume traded in each UTC hour, and where it comes from. Frozen. */
export interface VolumeProfile {
  /** 24 shares, index 0 = 00:00-01:00 UTC; fractions of a day's volume, each >= 0, summing to 1 (within 1e-9) */
  hourlyShares: HourlyVolumeShares
  /** what the profile was computed from, e.g. 'bybit: 720 closed 60-minute klines (30 days) to ...' */
  source: string
  /** days of data behind it (hours of bars / 24; may be fractional) */
  days: number
}

/**
 * A frozen VolumeProfile (the shares copied).
 * @throws DomainRangeError (param `${param}`) unless the shares are 24 finite values >= 0 summing to 1.
 */
export function volumeProfile (hourlyShares: readonly number[], source: string, days: number, fn = 'volumeProfile', param = 'hourlyShares'): VolumeProfile {
  validateHourlyShares(hourlyShares, fn, param)
  if (!(days > 0) || !Number.isFinite(days)) throw new DomainRangeError(`${fn}: days must be finite and > 0 (got ${days})`, 'days', 'finite and > 0')
  return Object.freeze({ hourlyShares: Object.freeze([...hourlyShares]), source, days })
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

const FEE_OVERRIDES: Record<Category, { taker: keyof Config, maker: keyof Config }> = {
  linear: { taker: 'TAKER_FEE_RATE_LINEAR', maker: 'MAKER_FEE_RATE_LINEAR' },
  inverse: { taker: 'TAKER_FEE_RATE_INVERSE', maker: 'MAKER_FEE_RATE_INVERSE' },
  spot: { taker: 'TAKER_FEE_RATE_SPOT', maker: 'MAKER_FEE_RATE_SPOT' }
}

const FeeRate = sourcedNumber({ minimum: 0, maximum: 0.01 })
const FeesSchema = Type.Object({ takerFeeRate: FeeRate, makerFeeRate: FeeRate })

/** embedded/market-state.json: fee rates per category and the state of each symbol, every number with its origin. */
const EmbeddedMarketStateSchema = Type.Object({
  fees: Type.Object({ linear: FeesSchema, inverse: FeesSchema, spot: FeesSchema }),
  symbols: Type.Record(Type.String(), Type.Object({
    category: Type.Union(CATEGORIES.map((category) => Type.Literal(category))),
    priceQuote: sourcedNumber({ exclusiveMinimum: 0 }),
    volDaily: sourcedNumber({ exclusiveMinimum: 0, exclusiveMaximum: 10 }),
    advBase: sourcedNumber({ exclusiveMinimum: 0 }),
    spreadBps: sourcedNumber({ minimum: 0, exclusiveMaximum: 10_000 }),
    asOfMs: Type.Object({ value: Type.Number({ exclusiveMinimum: 0 }) }),
    volumeProfile: Type.Optional(Type.Object({
      /** short label of the data, shown as `embedded: <source>` */
      source: Type.String({ minLength: 1, pattern: '\\S' }),
      hourlyShares: Type.Object({
        value: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: HOURS_PER_DAY, maxItems: HOURS_PER_DAY }),
        origin: Type.String({ minLength: 1, pattern: '\\S' })
      }),
      days: sourcedNumber({ exclusiveMinimum: 0 })
    }))
  }))
})

/**
 * The embedded volume profile of `symbol`, checked: the shares must sum to 1 within 1e-9 as
 * stored (the file is renormalised before it is written; the reader does not renormalise).
 * @throws RangeError naming the JSON path.
 */
function embeddedProfile (symbol: string, node: { source: string, hourlyShares: { value: number[] }, days: { value: number } }): VolumeProfile {
  const fn = 'parseEmbeddedMarketState'
  try {
    return volumeProfile(node.hourlyShares.value, `embedded: ${node.source}`, node.days.value, fn, `market.symbols.${symbol}.volumeProfile.hourlyShares.value`)
  } catch (err) {
    if (!(err instanceof DomainRangeError)) throw err
    // the schema's style: `<JSON path> must be <rule> (got ...)`
    throw new RangeError(err.message.slice(fn.length + 2))
  }
}

/**
 * Builds the embedded market state from the parsed contents of embedded/market-state.json;
 * fee rates from config override the file's.
 * @throws TypeError / RangeError naming the JSON path of a missing or invalid value.
 */
export function parseEmbeddedMarketState (json: unknown, config: Partial<Config> = {}): MarketStateProvider {
  checkJson(EmbeddedMarketStateSchema, json, 'market')
  const fees = {} as Record<Category, FeeRates>
  for (const category of CATEGORIES) {
    const override = FEE_OVERRIDES[category]
    const rates = json.fees[category]
    fees[category] = Object.freeze({
      takerFeeRate: (config[override.taker] as number | undefined) ?? rates.takerFeeRate.value,
      makerFeeRate: (config[override.maker] as number | undefined) ?? rates.makerFeeRate.value
    })
  }

  const states = new Map<string, MarketState>()
  for (const [symbol, node] of Object.entries(json.symbols)) {
    states.set(symbol, Object.freeze({
      symbol,
      category: node.category,
      priceQuote: node.priceQuote.value,
      volDaily: node.volDaily.value,
      advBase: node.advBase.value,
      spreadBps: node.spreadBps.value,
      asOfMs: node.asOfMs.value,
      source: 'embedded' as const,
      ...(node.volumeProfile !== undefined ? { volumeProfile: embeddedProfile(symbol, node.volumeProfile) } : {})
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
