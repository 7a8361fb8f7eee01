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
