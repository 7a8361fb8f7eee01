import { HOURS_PER_DAY, hourlyVolumeShares, MS_PER_HOUR } from '../domain/execution/volume-profile.js'
import { BAR_INTERVAL_MS, type MinuteBar } from '../domain/impact/minute-bars.js'
import { averageDailyVolumeBase, realisedVolDaily } from '../domain/impact/trailing-market.js'
import type { Instrument, Kline, MarketDataSource } from './market-data.js'
import { volumeProfile, type Category, type FeeRates, type InstrumentRules, type MarketState, type MarketStateProvider, type VolumeProfile } from './market-state.js'

/** The calls of a MarketDataSource the market state makes. */
export type MarketDataClient = Pick<MarketDataSource, 'getKlineHistory' | 'getKlines' | 'getTickers' | 'getInstruments'>

export interface LiveMarketStateOptions {
  client: MarketDataClient
  category: Category
  symbols: string[]
  /** served for symbols without live state (never refreshed, or failing since start) */
  fallback: MarketStateProvider
  volWindowMinutes: number
  advWindowMinutes: number
  nowMs?: () => number
  /** how often the hour-of-day volume profile is refetched after a success (default PROFILE_REFRESH_MS, 6 h) */
  profileRefreshMs?: number
  /** how long after a failed profile fetch the next refresh tries again (default PROFILE_RETRY_MS, 10 min) */
  profileRetryMs?: number
  /** told once when profile fetches of a symbol start failing, and once when they succeed again */
  onProfileEvent?: (event: ProfileEvent) => void
}

/** A change in a symbol's volume-profile fetches: the first failure of a run of failures, or the success that ends it. */
export type ProfileEvent = { type: 'failed', symbol: string, error: string } | { type: 'recovered', symbol: string }

export interface SymbolRefreshStatus {
  lastSuccessMs?: number
  lastAttemptMs?: number
  lastError?: string
  bars: number
  /** the hour-of-day volume profile: what is served, and how its last fetch went */
  volumeProfile?: { hourlyShares?: readonly number[], source?: string, days?: number, lastSuccessMs?: number, lastAttemptMs?: number, lastError?: string }
}

/** Hourly klines asked for the volume profile: 720 = 30 days, in one request (Bybit allows 1000). */
export const PROFILE_HOURLY_BARS = 720
export const PROFILE_REFRESH_MS = 6 * MS_PER_HOUR
export const PROFILE_RETRY_MS = 10 * 60_000

/**
 * The hour-of-day volume profile of closed 60-minute klines: each UTC hour's share is its mean
 * volume per hourly bar, normalised (hourlyVolumeShares). `days` = bars / 24.
 * @throws DomainRangeError when an hour has no bar or there is no volume.
 */
export function profileFromHourlyKlines (klines: readonly Kline[]): VolumeProfile {
  const shares = hourlyVolumeShares(klines)
  const days = klines.length / HOURS_PER_DAY
  const endMs = (klines.at(-1)?.openTimeMs ?? 0) + MS_PER_HOUR
  return volumeProfile(shares, `bybit: ${klines.length} closed 60-minute klines (${Number(days.toFixed(2))} days) to ${new Date(endMs).toISOString()}`, days, 'profileFromHourlyKlines', 'klines')
}

interface ProfileSlot {
  profile?: VolumeProfile
  lastAttemptMs?: number
  lastSuccessMs?: number
  lastError?: string
  failing: boolean
}

/** Fewer contiguous closed 1-minute bars than this and no live state is computed. */
export const MIN_LIVE_BARS = 60

/** A 1-minute kline as the domain's bar (without its quote turnover). */
export function toMinuteBar (k: Kline): MinuteBar {
  return { openTimeMs: k.openTimeMs, open: k.open, high: k.high, low: k.low, close: k.close, volumeBase: k.volumeBase }
}

/** The bars after the last gap (the longest contiguous tail). */
export function contiguousTail<T extends { openTimeMs: number }> (bars: readonly T[]): T[] {
  let from = bars.length - 1
  while (from > 0 && bars[from].openTimeMs - bars[from - 1].openTimeMs === BAR_INTERVAL_MS) from--
  return bars.slice(Math.max(from, 0))
}

function rulesOf (i: Instrument): InstrumentRules {
  return { tickSize: i.tickSizeText, qtyStep: i.qtyStepText, minOrderQty: i.minOrderQty, ...(i.minNotionalValue !== undefined ? { minNotionalValue: i.minNotionalValue } : {}) }
}

/**
 * Market state refreshed from a venue's MarketDataSource (Bybit v5 in production): volDaily from the trailing `volWindowMinutes` closed
 * 1-minute klines (close-to-close log returns, sqrt(1440) scaling: the market trades 24/7),
 * advBase from the trailing `advWindowMinutes` (mean volume per minute * 1440, base units
 * whatever the category), mid and spread from the ticker's best bid/ask, and instrument rules.
 * Only closed bars are used (the source drops the open candle), so nothing looks ahead. A failed
 * refresh keeps the last good state (its asOfMs shows how old it is); a symbol never refreshed is
 * served from `fallback`.
 *
 * The hour-of-day volume profile comes from the last PROFILE_HOURLY_BARS closed 60-minute klines,
 * fetched on the same refresh (alongside the 1-minute klines), at most every `profileRefreshMs`
 * (every `profileRetryMs` while failing). A failed fetch keeps the previous profile (or none, and
 * consumers assume a flat one) and never fails the refresh; `onProfileEvent` hears of it once.
 */
export class LiveMarketState implements MarketStateProvider {
  readonly #o: LiveMarketStateOptions
  readonly #bars = new Map<string, MinuteBar[]>()
  readonly #states = new Map<string, MarketState>()
  readonly #rules = new Map<string, InstrumentRules>()
  readonly #status = new Map<string, SymbolRefreshStatus>()
  readonly #profiles = new Map<string, ProfileSlot>()

  constructor (options: LiveMarketStateOptions) {
    this.#o = options
  }

  get (symbol: string): MarketState | undefined {
    return this.#states.get(symbol) ?? this.#o.fallback.get(symbol)
  }

  symbols (): string[] {
    return [...new Set([...this.#o.fallback.symbols(), ...this.#o.symbols])].sort()
  }

  fees (category: Category): FeeRates {
    return this.#o.fallback.fees(category)
  }

  /** Closed 1-minute bars held for `symbol`, ascending (the job reads market state before each window from them). */
  bars (symbol: string): readonly MinuteBar[] {
    return this.#bars.get(symbol) ?? []
  }

  status (): Record<string, SymbolRefreshStatus> {
    return Object.fromEntries(this.#o.symbols.map((s) => {
      const slot = this.#profiles.get(s)
      const profile = slot === undefined
        ? {}
        : {
            volumeProfile: {
              ...(slot.profile !== undefined ? { ...slot.profile } : {}),
              ...(slot.lastSuccessMs !== undefined ? { lastSuccessMs: slot.lastSuccessMs } : {}),
              ...(slot.lastAttemptMs !== undefined ? { lastAttemptMs: slot.lastAttemptMs } : {}),
              ...(slot.lastError !== undefined ? { lastError: slot.lastError } : {})
            }
          }
      return [s, { ...(this.#status.get(s) ?? { bars: 0 }), ...profile }]
    }))
  }

  /** Refreshes every symbol; one symbol's failure is recorded and does not stop the others. Never throws. */
  async refresh (): Promise<void> {
    for (const symbol of this.#o.symbols) {
      try {
        await this.refreshSymbol(symbol)
      } catch {
        // recorded in status(); the last good state keeps serving
      }
    }
  }

  /** Refreshes one symbol. @throws the source's typed error, or Error when the data cannot give a state (the last good state is kept). */
  async refreshSymbol (symbol: string): Promise<void> {
    const now = (this.#o.nowMs ?? Date.now)()
    const status = this.#status.get(symbol) ?? { bars: 0 }
    status.lastAttemptMs = now
    this.#status.set(symbol, status)
    // alongside the 1-minute klines; never rejects
    const profileDone = this.#refreshProfile(symbol, now)
    try {
      if (!this.#rules.has(symbol)) await this.#refreshInstruments()
      await this.#refreshSymbol(symbol)
      status.lastSuccessMs = now
      delete status.lastError
    } catch (err) {
      status.lastError = (err as Error).message
      throw err
    } finally {
      status.bars = this.#bars.get(symbol)?.length ?? 0
      await profileDone
    }
  }

  /** Refetches the volume profile when due; a failure is recorded and keeps the previous profile. Never throws. */
  async #refreshProfile (symbol: string, now: number): Promise<void> {
    const slot = this.#profiles.get(symbol) ?? { failing: false }
    this.#profiles.set(symbol, slot)
    const waitMs = slot.failing ? (this.#o.profileRetryMs ?? PROFILE_RETRY_MS) : (this.#o.profileRefreshMs ?? PROFILE_REFRESH_MS)
    if (slot.lastAttemptMs !== undefined && now - slot.lastAttemptMs < waitMs) return
    slot.lastAttemptMs = now
    try {
      const klines = await this.#o.client.getKlines({ category: this.#o.category, symbol, interval: '60', limit: PROFILE_HOURLY_BARS })
      slot.profile = profileFromHourlyKlines(klines)
      slot.lastSuccessMs = now
      delete slot.lastError
      // a state built before this fetch ended gets the new profile now
      const state = this.#states.get(symbol)
      if (state !== undefined) this.#states.set(symbol, Object.freeze({ ...state, volumeProfile: slot.profile }))
      if (slot.failing) {
        slot.failing = false
        this.#notify({ type: 'recovered', symbol })
      }
    } catch (err) {
      slot.lastError = (err as Error).message
      if (!slot.failing) {
        slot.failing = true
        this.#notify({ type: 'failed', symbol, error: slot.lastError })
      }
    }
  }

  #notify (event: ProfileEvent): void {
    try { this.#o.onProfileEvent?.(event) } catch { /* a failing listener must not fail the refresh */ }
  }

  async #refreshInstruments (): Promise<void> {
    try {
      const instruments = await this.#o.client.getInstruments({ category: this.#o.category })
      for (const i of instruments) if (this.#o.symbols.includes(i.symbol)) this.#rules.set(i.symbol, rulesOf(i))
    } catch {
      // rules are optional; the next refresh tries again
    }
  }

  async #refreshSymbol (symbol: string): Promise<void> {
    const windowBars = Math.max(this.#o.volWindowMinutes, this.#o.advWindowMinutes)
    const held = this.#bars.get(symbol) ?? []
    let bars: MinuteBar[]
    const last = held.at(-1)
    if (last === undefined) {
      const history = await this.#o.client.getKlineHistory({ category: this.#o.category, symbol, interval: '1', bars: windowBars })
      bars = history.klines.map(toMinuteBar)
    } else {
      const fresh = await this.#o.client.getKlines({ category: this.#o.category, symbol, interval: '1', startMs: last.openTimeMs + BAR_INTERVAL_MS, limit: 1000 })
      bars = [...held, ...fresh.map(toMinuteBar).filter((b) => b.openTimeMs > last.openTimeMs)]
    }
    bars = bars.slice(-windowBars)
    this.#bars.set(symbol, bars)

    const tail = contiguousTail(bars)
    if (tail.length < MIN_LIVE_BARS) throw new Error(`only ${tail.length} contiguous closed 1-minute bars (need ${MIN_LIVE_BARS})`)
    const [ticker] = await this.#o.client.getTickers({ category: this.#o.category, symbol })
    if (ticker === undefined) throw new Error('no ticker')
    const bid = ticker.bidPriceQuote
    const ask = ticker.askPriceQuote
    if (bid === undefined || ask === undefined || !(ask >= bid) || !(bid > 0)) throw new Error(`ticker has no valid best bid/ask (${bid}/${ask})`)
    const mid = (bid + ask) / 2
    const rules = this.#rules.get(symbol)
    const profile = this.#profiles.get(symbol)?.profile
    this.#states.set(symbol, Object.freeze({
      symbol,
      category: this.#o.category,
      priceQuote: mid,
      volDaily: realisedVolDaily(tail.slice(-this.#o.volWindowMinutes)),
      advBase: averageDailyVolumeBase(tail.slice(-this.#o.advWindowMinutes)),
      spreadBps: (ask - bid) / mid * 1e4,
      asOfMs: ticker.tsMs,
      source: 'bybit' as const,
      ...(rules !== undefined ? { instrument: rules } : {}),
      ...(profile !== undefined ? { volumeProfile: profile } : {})
    }))
  }
}
