import { createRng } from '../../src/domain/learn/rng.js'

export interface SyntheticTrade { tsMs: number, side: 'Buy' | 'Sell', sizeBase: number, priceQuote: number }

/**
 * A synthetic taker tape for the fake Bybit's timeline (its recorded klines end at nowMs): one taker
 * trade a minute for the last `minutes` minutes, the price moved by the square-root law
 * dP/P = sign(Q) * 0.6 * 0.022 * sqrt(|Q| / 5000) + N(0, 2e-5), |Q| log-normal. The recorded Binance
 * tape is minutes long, too short for the job's walk-forward gate, hence synthetic flow on real
 * klines. Seeded: the same arguments give the same tape.
 */
export function syntheticTape (nowMs: number, minutes: number, seed: number): SyntheticTrade[] {
  const rng = createRng(seed)
  const trades: SyntheticTrade[] = []
  let priceQuote = 84_000
  for (let m = minutes; m >= 1; m--) {
    const qtyBase = Math.exp(-1 + 1.2 * rng.normal())
    const sign = rng.next() < 0.5 ? -1 : 1
    priceQuote *= 1 + sign * 0.6 * 0.022 * Math.sqrt(qtyBase / 5000) + 2e-5 * rng.normal()
    trades.push({ tsMs: nowMs - m * 60_000 + 10_000, side: sign > 0 ? 'Buy' : 'Sell', sizeBase: Math.round(qtyBase * 1000) / 1000 + 0.001, priceQuote: Math.round(priceQuote * 10) / 10 })
  }
  return trades
}

/**
 * Server settings under which the recalibration job trains on syntheticTape against a fake Bybit:
 * one-minute sample windows, 200 samples, a 5-minute train/test gap and 2-hour gate buckets (the
 * tape is hours, not days, long), a one-day ADV window the fake's recorded klines cover, and a
 * training thread that does not rest (TRAIN_REST_MS 0: a test waits for no throttle). The crons
 * never fire: the caller decides when market data is refreshed and models are trained.
 */
export function syntheticTapeJobEnv (venue: { restUrl: string, wsUrl: string }): Record<string, string> {
  return {
    MARKET_DATA_SOURCE: 'bybit',
    BYBIT_REST_URL: venue.restUrl,
    BYBIT_WS_URL: venue.wsUrl,
    ADV_WINDOW_MINUTES: '1440',
    RECALIBRATE_WINDOW_MINUTES: '1',
    RECALIBRATE_MIN_SAMPLES: '200',
    RECALIBRATE_GAP_MINUTES: '5',
    GATE_BUCKET_MINUTES: '120',
    TRAIN_REST_MS: '0',
    MARKET_REFRESH_CRON: '0 0 1 1 *',
    RECALIBRATE_CRON: '0 0 1 1 *'
  }
}
