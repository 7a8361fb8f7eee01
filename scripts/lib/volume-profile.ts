/**
 * Embedded hour-of-day volume profiles (`volumeProfile` of each symbol in
 * embedded/market-state.json): the share of a day's volume traded in each UTC hour, from the
 * longest recorded 1-minute series of the symbol, or of the closest proxy, with the origin saying
 * which. Shares are written with SHARE_DECIMALS decimals, rounded so that they sum to exactly 1 in
 * decimal (largest remainders), so the file passes validateHourlyShares (1e-9) as stored and the
 * reader never renormalises.
 */
import path from 'node:path'
import { hourlyVolumeShares, HOURS_PER_DAY } from '../../src/domain/execution/volume-profile.js'
import type { MinuteBar } from '../../src/domain/impact/minute-bars.js'
import { readBinanceUsKlines } from './readers.js'
import { formatNumber as fmt, formatUtc } from './stats.js'

/** Decimals of each written share: 1e-7 of a day's volume (5-6 significant digits for shares of 2-8%). */
export const SHARE_DECIMALS = 7

/** Binance.US BTCUSDT 1-minute klines, 21 days (binanceus-btc-1m-klines/PROVENANCE.md). */
export const BINANCE_US_BTCUSDT_KLINES = 'binanceus-btc-1m-klines/BTCUSDT_1m_20230301_20230321.csv'

const MINUTES_PER_DAY = 1440

export type VolumeProfileNode = {
  /** short label; the service shows `embedded: <source>` */
  source: string
  hourlyShares: { value: number[], origin: string }
  days: { value: number, origin: string }
}

/**
 * Shares rounded to `decimals` decimals that sum to exactly 1 in decimal: each share is floored to
 * an integer number of units of 10^-decimals, and the units still missing go to the shares with
 * the largest remainders (ties: the earlier hour). Each result differs from its input by < 1 unit.
 * @throws RangeError unless `shares` are finite, >= 0 and sum to 1 within 1e-9.
 */
export function roundShares (shares: readonly number[], decimals = SHARE_DECIMALS): number[] {
  const sum = shares.reduce((a, b) => a + b, 0)
  if (!shares.every((s) => Number.isFinite(s) && s >= 0) || Math.abs(sum - 1) > 1e-9) throw new RangeError(`roundShares: shares must be finite, >= 0 and sum to 1 (got sum ${sum})`)
  const units = 10 ** decimals
  const floors = shares.map((s) => Math.floor(s * units))
  let missing = units - floors.reduce((a, b) => a + b, 0)
  const byRemainder = shares.map((s, i) => ({ i, remainder: s * units - floors[i] })).sort((a, b) => b.remainder - a.remainder || a.i - b.i)
  for (let k = 0; missing > 0; k = (k + 1) % byRemainder.length, missing--) floors[byRemainder[k].i]++
  return floors.map((f) => Number((f / units).toFixed(decimals)))
}

/** Pearson correlation of two equally long series. */
export function pearsonCorrelation (a: readonly number[], b: readonly number[]): number {
  const n = a.length
  const meanA = a.reduce((s, x) => s + x, 0) / n
  const meanB = b.reduce((s, x) => s + x, 0) / n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    sab += (a[i] - meanA) * (b[i] - meanB)
    saa += (a[i] - meanA) ** 2
    sbb += (b[i] - meanB) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

const pct = (share: number): string => `${fmt(share * 100, 3)} %`
const hourText = (h: number): string => `${String(h).padStart(2, '0')}:00-${String((h + 1) % HOURS_PER_DAY).padStart(2, '0')}:00 UTC`

/** Peak and trough hours of a profile, for origin strings. */
function describeShape (shares: readonly number[]): string {
  let peak = 0
  let trough = 0
  shares.forEach((s, h) => { if (s > shares[peak]) peak = h; if (s < shares[trough]) trough = h })
  return `peak ${hourText(peak)} ${pct(shares[peak])}, trough ${hourText(trough)} ${pct(shares[trough])} (flat would be ${pct(1 / HOURS_PER_DAY)})`
}

/**
 * The profiles of BTCUSDT and ETHUSDT. BTCUSDT: 21 days of Binance.US BTCUSDT 1-minute bars, the
 * only multi-day BTC series in the data. ETHUSDT: there is no multi-day ETH series (only minutes of
 * Binance tape around 00:00 UTC), so the BTC profile stands in, said so in its origin.
 * `bybitBars` (the 33.5 h of Bybit inverse BTCUSD 1-minute bars) is only a cross-check: it covers
 * each UTC hour once or twice, too little for a profile of its own.
 * @throws Error when the file breaks an assumption (not whole contiguous days).
 */
export async function computeVolumeProfiles (dataDir: string, bybitBars: readonly MinuteBar[], bybitFile: string): Promise<{ BTCUSDT: VolumeProfileNode, ETHUSDT: VolumeProfileNode }> {
  const bars = await readBinanceUsKlines(path.join(dataDir, BINANCE_US_BTCUSDT_KLINES))
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].openTimeMs - bars[i - 1].openTimeMs !== 60_000) throw new Error(`${BINANCE_US_BTCUSDT_KLINES}: bars ${i - 1} and ${i} are not one minute apart`)
  }
  if (bars.length % MINUTES_PER_DAY !== 0 || bars[0].openTimeMs % 86_400_000 !== 0) throw new Error(`${BINANCE_US_BTCUSDT_KLINES}: expected whole UTC days of bars`)
  const days = bars.length / MINUTES_PER_DAY
  const shares = roundShares(hourlyVolumeShares(bars))
  const bybitShares = hourlyVolumeShares(bybitBars)
  const window = `${formatUtc(bars[0].openTimeMs)} to ${formatUtc(bars[bars.length - 1].openTimeMs + 60_000)}`
  const zeroBars = bars.filter((b) => b.volumeBase === 0).length
  const method = `mean base volume per 1-minute bar in each UTC hour of the day, normalised to sum to 1 (hourlyVolumeShares, src/domain/execution/volume-profile.ts), rounded to ${SHARE_DECIMALS} decimals summing to exactly 1`
  const btcOrigin = `${method}; ${BINANCE_US_BTCUSDT_KLINES} (Binance.US spot BTCUSDT, ${bars.length} consecutive bars = ${days} days, ${window}, ${zeroBars} bars with zero volume): the only multi-day BTC 1-minute series in the data. ${describeShape(shares)}. Binance.US is a thin US venue in March 2023 (the USDC depeg is inside the window), not Bybit: its profile may lean towards US hours. Cross-check: correlation ${fmt(pearsonCorrelation(shares, bybitShares), 3)} over the 24 hours with the profile of the ${bybitBars.length} Bybit inverse BTCUSD bars in ${bybitFile} (${fmt(bybitBars.length / 60 / HOURS_PER_DAY, 3)} days, each hour seen once or twice: too few for a profile of its own).`
  const daysOrigin = `${bars.length} one-minute bars / 1440 in ${BINANCE_US_BTCUSDT_KLINES}.`
  const source = `Binance.US BTCUSDT 1m klines ${formatUtc(bars[0].openTimeMs).slice(0, 10)}..${formatUtc(bars[bars.length - 1].openTimeMs).slice(0, 10)} (${days} days)`
  return {
    BTCUSDT: { source, hourlyShares: { value: shares, origin: btcOrigin }, days: { value: days, origin: daysOrigin } },
    ETHUSDT: {
      source: `${source}, BTC as a proxy for ETH`,
      hourlyShares: {
        value: shares,
        origin: `PROXY: the BTCUSDT profile, unchanged. There is no multi-day ETH series in the data (only about 14 minutes of Binance ETHUSDT tape around 00:00 UTC, which says nothing about the other hours); BTC and ETH trade in the same global sessions, so BTC's hour-of-day pattern stands in for ETH's. BTCUSDT's origin: ${btcOrigin}`
      },
      days: { value: days, origin: `${daysOrigin} (BTC data: the ETH profile is a proxy)` }
    }
  }
}
