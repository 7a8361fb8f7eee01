import type { Config } from '../config.js'
import type { MarketState } from '../market/market-state.js'

type Warning = Readonly<{ code: string, message: string }>

/** What the staleness warning reads of the configuration. */
export type StalenessConfig = Pick<Config, 'MARKET_STATE_MAX_AGE_MS' | 'MARKET_DATA_SOURCE'>

export const MARKET_STATE_STALE = 'MARKET_STATE_STALE'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** The unit an age is told in: whole days from 2 days, hours from 2 hours, minutes from 2 minutes, else seconds. */
function ageUnitMs (ageMs: number): number {
  return ageMs >= 2 * DAY_MS ? DAY_MS : ageMs >= 2 * HOUR_MS ? HOUR_MS : ageMs >= 2 * MINUTE_MS ? MINUTE_MS : 1000
}

const UNIT_NAMES = new Map([[DAY_MS, 'days'], [HOUR_MS, 'hours'], [MINUTE_MS, 'minutes'], [1000, 'seconds']])

/** The last warning built per market state: while a state and its age in whole units repeat, so does the object. */
const lastWarning = new WeakMap<MarketState, { unitMs: number, units: number, config: StalenessConfig, warning: Warning }>()

function staleMessage (state: MarketState, ageText: string, config: StalenessConfig): string {
  if (state.source === 'embedded') {
    const day = new Date(state.asOfMs).toISOString().slice(0, 10)
    const what = `market state of ${state.symbol} is the embedded default computed from recorded data of ${day}, ${ageText} old`
    return config.MARKET_DATA_SOURCE === 'embedded'
      ? `${what}; set MARKET_DATA_SOURCE=bybit for live data`
      : `${what}: there is no live state for this symbol (not in SYMBOLS, or not refreshed successfully yet)`
  }
  return `market state of ${state.symbol} is from ${new Date(state.asOfMs).toISOString()}, ${ageText} old (more than MARKET_STATE_MAX_AGE_MS = ${config.MARKET_STATE_MAX_AGE_MS} ms): no ${state.source} refresh has succeeded since; inputs taken from it may not reflect the market now`
}

/**
 * `MARKET_STATE_STALE` when the market state is older than `MARKET_STATE_MAX_AGE_MS` at `nowMs`.
 * On the hot path: one frozen object per state and age in whole units (days, hours, minutes or
 * seconds, whichever the age is told in), so repeated estimates on an unchanged state allocate nothing.
 */
export function staleMarketWarning (state: MarketState, nowMs: number, config: StalenessConfig): Warning | undefined {
  const ageMs = nowMs - state.asOfMs
  if (!(ageMs > config.MARKET_STATE_MAX_AGE_MS)) return undefined
  const unitMs = ageUnitMs(ageMs)
  const units = Math.floor(ageMs / unitMs)
  const last = lastWarning.get(state)
  if (last !== undefined && last.units === units && last.unitMs === unitMs && last.config === config) return last.warning
  const warning = Object.freeze({ code: MARKET_STATE_STALE, message: staleMessage(state, `${units} ${UNIT_NAMES.get(unitMs) as string}`, config) })
  lastWarning.set(state, { unitMs, units, config, warning })
  return warning
}
