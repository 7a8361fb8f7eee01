/**
 * Intraday volume profile of a 24/7 market: the share of a day's volume traded in each UTC hour,
 * and the expected market volume of any interval from ADV and that profile. Volume is assumed
 * spread evenly within an hour. Crypto trades around the clock, so there are 24 hourly weights
 * and no open or close; a day is 86,400,000 ms.
 */
import { DomainRangeError } from '../errors.js'
import { failRange, requireNonNegative, requireNumber, requirePositive } from '../guards.js'

export const HOURS_PER_DAY = 24
export const MS_PER_HOUR = 3_600_000
export const MS_PER_DAY = 86_400_000

/** Share of a day's volume traded in each UTC hour, index 0 = 00:00-01:00 UTC; 24 entries >= 0 summing to 1. */
export type HourlyVolumeShares = readonly number[]

/** Tolerance on sum(shares) = 1. */
export const HOURLY_SHARES_SUM_TOL = 1e-9

/** Every hour alike: what is assumed when no profile is known. */
export const FLAT_HOURLY_SHARES: HourlyVolumeShares = Object.freeze(new Array<number>(HOURS_PER_DAY).fill(1 / HOURS_PER_DAY))

/**
 * Checks a profile: 24 finite shares >= 0 summing to 1 within HOURLY_SHARES_SUM_TOL.
 * @throws DomainRangeError naming `param` or `param[h]`.
 */
export function validateHourlyShares (shares: HourlyVolumeShares, fn: string, param = 'hourlyVolumeShares'): void {
  if (!Array.isArray(shares) || shares.length !== HOURS_PER_DAY) failRange(fn, param, `an array of ${HOURS_PER_DAY} hourly shares`, shares)
  let sum = 0
  for (let h = 0; h < HOURS_PER_DAY; h++) {
    requireNonNegative(fn, `${param}[${h}]`, shares[h])
    sum += shares[h]
  }
  requireNumber(fn, param, sum, Math.abs(sum - 1) <= HOURLY_SHARES_SUM_TOL, `summing to 1 (within ${HOURLY_SHARES_SUM_TOL})`)
}

/**
 * The hourly profile of 1-minute bars: the mean volume per bar in each UTC hour of the day,
 * normalised to shares summing to 1. Means (not sums) per hour, so an hour that the bars cover
 * on more days does not weigh more. O(bars).
 * @param bars bars with openTimeMs (ms since epoch) and volumeBase >= 0, covering every UTC hour
 * @throws DomainRangeError (param bars) when an hour has no bar or all volume is 0, or a bar is invalid.
 */
export function hourlyVolumeShares (bars: ReadonlyArray<{ openTimeMs: number, volumeBase: number }>): number[] {
  const fn = 'hourlyVolumeShares'
  const sums = new Array<number>(HOURS_PER_DAY).fill(0)
  const counts = new Array<number>(HOURS_PER_DAY).fill(0)
  for (let i = 0; i < bars.length; i++) {
    const { openTimeMs, volumeBase } = bars[i]
    requireNumber(fn, `bars[${i}].openTimeMs`, openTimeMs, Number.isFinite(openTimeMs), 'finite')
    requireNonNegative(fn, `bars[${i}].volumeBase`, volumeBase)
    const hour = utcHour(openTimeMs)
    sums[hour] += volumeBase
    counts[hour]++
  }
  const missing = counts.findIndex((c) => c === 0)
  if (missing >= 0) failRange(fn, 'bars', `bars in every UTC hour (none in hour ${missing})`, `${bars.length} bars`)
  const means = sums.map((s, h) => s / counts[h])
  const total = means.reduce((a, b) => a + b, 0)
  if (!(total > 0)) failRange(fn, 'bars', 'some volume', total)
  return means.map((m) => m / total)
}

function utcHour (ms: number): number {
  const inDay = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY
  return Math.floor(inDay / MS_PER_HOUR)
}

/**
 * Expected market volume between two times: advBase * (sum over the hours it overlaps of
 * share[h] * 24 * overlap in days). Walks hour cells, so every term is positive and nothing
 * cancels. O(hours crossed).
 */
function intervalVolume (advBase: number, shares: HourlyVolumeShares, fromMs: number, toMs: number): number {
  let volume = 0
  let t = fromMs
  while (t < toMs) {
    const cellEnd = Math.min(toMs, (Math.floor(t / MS_PER_HOUR) + 1) * MS_PER_HOUR)
    volume += shares[utcHour(t)] * (cellEnd - t)
    t = cellEnd
  }
  return advBase * HOURS_PER_DAY * (volume / MS_PER_DAY)
}

/**
 * Expected market volume v_j in each of `periods` equal periods of tauDays from startMs, from
 * ADV and the hourly profile: v_j = ADV * integral over period j of the profile's density. With
 * the flat profile every v_j = ADV * tauDays up to rounding. O(periods + hours crossed).
 * @param advBase average daily volume, base units, > 0
 * @param startMs start of the first period, ms since epoch
 * @param tauDays period length, days, > 0
 * @throws DomainRangeError naming 'advBase', 'hourlyVolumeShares', 'startMs', 'tauDays' or 'periods'.
 */
export function periodVolumesBase (advBase: number, shares: HourlyVolumeShares, startMs: number, tauDays: number, periods: number): number[] {
  const fn = 'periodVolumesBase'
  requirePositive(fn, 'advBase', advBase)
  validateHourlyShares(shares, fn)
  requireNumber(fn, 'startMs', startMs, Number.isFinite(startMs), 'finite')
  requirePositive(fn, 'tauDays', tauDays)
  requireNumber(fn, 'periods', periods, Number.isInteger(periods) && periods >= 1, 'an integer >= 1')
  const tauMs = tauDays * MS_PER_DAY
  const volumes = new Array<number>(periods)
  for (let j = 0; j < periods; j++) {
    const from = startMs + j * tauMs
    const to = j === periods - 1 ? startMs + periods * tauMs : startMs + (j + 1) * tauMs
    volumes[j] = intervalVolume(advBase, shares, from, to)
    if (!(volumes[j] > 0)) {
      throw new DomainRangeError(`${fn}: the profile expects no volume in period ${j + 1} (hours with share 0, or a period too short); volumes must be > 0`, 'hourlyVolumeShares', 'a positive share in every hour the execution spans')
    }
  }
  return volumes
}

/**
 * Days from startMs until the market is expected to have traded volumeBase, from ADV and the
 * hourly profile (the horizon of a participation-rate execution: |Q| / rate of market volume).
 * O(hours crossed in the last day): whole days are skipped, each being ADV.
 * @throws DomainRangeError naming 'advBase', 'hourlyVolumeShares', 'startMs' or 'volumeBase'.
 */
export function daysToTradeVolume (advBase: number, shares: HourlyVolumeShares, startMs: number, volumeBase: number): number {
  const fn = 'daysToTradeVolume'
  requirePositive(fn, 'advBase', advBase)
  validateHourlyShares(shares, fn)
  requireNumber(fn, 'startMs', startMs, Number.isFinite(startMs), 'finite')
  requirePositive(fn, 'volumeBase', volumeBase)
  const wholeDays = Math.floor(volumeBase / advBase)
  let remaining = volumeBase - wholeDays * advBase
  let elapsedMs = 0
  let t = startMs
  while (remaining > 0) {
    const cellEnd = (Math.floor(t / MS_PER_HOUR) + 1) * MS_PER_HOUR
    const rate = advBase * HOURS_PER_DAY * shares[utcHour(t)] / MS_PER_DAY // base per ms in this hour
    const cellVolume = rate * (cellEnd - t)
    if (cellVolume >= remaining) {
      elapsedMs += remaining / rate
      remaining = 0
    } else {
      remaining -= cellVolume
      elapsedMs += cellEnd - t
      t = cellEnd
    }
  }
  return wholeDays + elapsedMs / MS_PER_DAY
}
