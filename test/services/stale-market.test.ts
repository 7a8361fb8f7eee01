import t from 'tap'
import type { MarketState } from '../../src/market/market-state.js'
import { MARKET_STATE_STALE, staleMarketWarning, type StalenessConfig } from '../../src/services/stale-market.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const asOfMs = Date.UTC(2025, 2, 21, 6, 53) // the embedded BTCUSDT state's asOfMs (embedded/market-state.json)

function state (source: MarketState['source']): MarketState {
  return Object.freeze({ symbol: 'BTCUSDT', category: 'linear', priceQuote: 84_047.8, volDaily: 0.03, advBase: 50_000, spreadBps: 0.01, asOfMs, source })
}

t.test('no warning up to MARKET_STATE_MAX_AGE_MS, MARKET_STATE_STALE past it', async (t) => {
  const config: StalenessConfig = { MARKET_STATE_MAX_AGE_MS: HOUR_MS, MARKET_DATA_SOURCE: 'bybit' }
  const live = state('bybit')
  t.equal(staleMarketWarning(live, asOfMs + HOUR_MS, config), undefined, 'an age equal to the limit passes')
  const w = staleMarketWarning(live, asOfMs + 3 * HOUR_MS + 1, config)
  t.equal(w?.code, MARKET_STATE_STALE)
  t.equal(w?.message, 'market state of BTCUSDT is from 2025-03-21T06:53:00.000Z, 3 hours old (more than MARKET_STATE_MAX_AGE_MS = 3600000 ms): no bybit refresh has succeeded since; inputs taken from it may not reflect the market now')
  t.equal(staleMarketWarning(live, asOfMs - 5000, config), undefined, 'a clock behind the data is not stale')
})

t.test('the embedded default says it is a shipped default, and what to do', async (t) => {
  // 2026-12-07 00:00 UTC is 625 days and 17 h 7 min after 2025-03-21 06:53 UTC
  const nowMs = Date.UTC(2026, 11, 7)
  t.equal(Math.floor((nowMs - asOfMs) / DAY_MS), 625)
  const embedded = state('embedded')
  t.equal(staleMarketWarning(embedded, nowMs, { MARKET_STATE_MAX_AGE_MS: HOUR_MS, MARKET_DATA_SOURCE: 'embedded' })?.message,
    'market state of BTCUSDT is the embedded default computed from recorded data of 2025-03-21, 625 days old; set MARKET_DATA_SOURCE=bybit for live data')
  t.equal(staleMarketWarning(embedded, nowMs, { MARKET_STATE_MAX_AGE_MS: HOUR_MS, MARKET_DATA_SOURCE: 'bybit' })?.message,
    'market state of BTCUSDT is the embedded default computed from recorded data of 2025-03-21, 625 days old: there is no live state for this symbol (not in SYMBOLS, or not refreshed successfully yet)',
    'with live data on, the embedded fallback says why it is served')
})

t.test('hot path: the same frozen object while the state and its age in whole units repeat', async (t) => {
  const config: StalenessConfig = { MARKET_STATE_MAX_AGE_MS: 60_000, MARKET_DATA_SOURCE: 'bybit' }
  const live = state('bybit')
  const first = staleMarketWarning(live, asOfMs + 5 * 60_000, config)
  t.ok(Object.isFrozen(first))
  t.equal(staleMarketWarning(live, asOfMs + 5 * 60_000 + 59_999, config), first, 'same minute: the same object')
  const next = staleMarketWarning(live, asOfMs + 6 * 60_000, config)
  t.not(next, first, 'a new minute: a new message')
  t.match(next?.message, /, 6 minutes old/)
  t.not(staleMarketWarning(state('bybit'), asOfMs + 6 * 60_000, config), next, 'a refreshed state object: its own warning')
  t.match(staleMarketWarning(live, asOfMs + 90_000, { MARKET_STATE_MAX_AGE_MS: 1000, MARKET_DATA_SOURCE: 'bybit' })?.message, /, 90 seconds old \(more than MARKET_STATE_MAX_AGE_MS = 1000 ms\)/, 'another configuration: its own message')
  t.match(staleMarketWarning(live, asOfMs + 2 * DAY_MS + HOUR_MS, config)?.message, /, 2 days old/)
})
