import t from 'tap'
import {
  daysToTradeVolume, FLAT_HOURLY_SHARES, hourlyVolumeShares, MS_PER_DAY, MS_PER_HOUR, periodVolumesBase, validateHourlyShares
} from '../../../src/domain/execution/volume-profile.js'

const DAY0 = Date.UTC(2026, 0, 5) // a UTC midnight

/** Hour h carries weight h + 1 (sum 300): shares (h + 1) / 300. */
const RAMP = Array.from({ length: 24 }, (_, h) => (h + 1) / 300)

t.test('hourlyVolumeShares: mean volume per bar per UTC hour, normalised (hand computed)', async (t) => {
  const bars: Array<{ openTimeMs: number, volumeBase: number }> = []
  for (let m = 0; m < 1440; m++) bars.push({ openTimeMs: DAY0 + m * 60_000, volumeBase: Math.floor(m / 60) + 1 })
  // a second day where hour 0 has 3x the volume: its mean becomes (1 + 3) / 2 = 2
  for (let m = 0; m < 60; m++) bars.push({ openTimeMs: DAY0 + MS_PER_DAY + m * 60_000, volumeBase: 3 })
  const shares = hourlyVolumeShares(bars)
  const means = Array.from({ length: 24 }, (_, h) => h === 0 ? 2 : h + 1)
  const total = means.reduce((a, b) => a + b, 0) // 301
  shares.forEach((s, h) => t.equal(s, means[h] / total, `hour ${h}`))
  t.throws(() => hourlyVolumeShares(bars.slice(0, 600)), { name: 'DomainRangeError', param: 'bars' })
})

t.test('periodVolumesBase: flat profile gives ADV * tau per period (to 1e-12 relative)', async (t) => {
  const v = periodVolumesBase(48_000, FLAT_HOURLY_SHARES, DAY0 + 17 * 60_000, 1 / 24 / 12, 12)
  t.equal(v.length, 12)
  for (const x of v) t.ok(Math.abs(x / (48_000 / 288) - 1) < 1e-12, `${x}`)
})

t.test('periodVolumesBase: ramp profile, periods crossing hour boundaries (hand computed)', async (t) => {
  // two periods of 1 hour starting at 00:30 UTC: [00:30, 01:30) = half of hour 0 + half of hour 1
  const v = periodVolumesBase(300, RAMP, DAY0 + MS_PER_HOUR / 2, 1 / 24, 2)
  t.ok(Math.abs(v[0] - (0.5 * 1 + 0.5 * 2)) < 1e-12, `v1 ${v[0]}`)
  t.ok(Math.abs(v[1] - (0.5 * 2 + 0.5 * 3)) < 1e-12, `v2 ${v[1]}`)
  // a whole day from any start is ADV
  const day = periodVolumesBase(300, RAMP, DAY0 + 7 * MS_PER_HOUR + 123_456, 1, 1)
  t.ok(Math.abs(day[0] - 300) < 1e-9, `${day[0]}`)
})

t.test('daysToTradeVolume inverts the cumulative volume (property over start times and targets)', async (t) => {
  for (const startMs of [DAY0, DAY0 + 5 * MS_PER_HOUR + 777, DAY0 + 23.5 * MS_PER_HOUR]) {
    for (const target of [0.2, 7, 150, 300, 1234.5]) {
      const days = daysToTradeVolume(300, RAMP, startMs, target)
      const [v] = periodVolumesBase(300, RAMP, startMs, days, 1)
      t.ok(Math.abs(v / target - 1) < 1e-9, `start ${startMs} target ${target}: ${v}`)
    }
  }
  t.equal(daysToTradeVolume(300, FLAT_HOURLY_SHARES, DAY0 + 1, 600), 2)
})

t.test('validateHourlyShares names the field and the rule', async (t) => {
  t.throws(() => validateHourlyShares([1], 'f'), { name: 'DomainRangeError', param: 'hourlyVolumeShares' })
  t.throws(() => validateHourlyShares(RAMP.map((s, h) => h === 3 ? -s : s), 'f'), { name: 'DomainRangeError', param: 'hourlyVolumeShares[3]' })
  t.throws(() => validateHourlyShares(RAMP.map((s) => s * 1.01), 'f'), { name: 'DomainRangeError', param: 'hourlyVolumeShares' })
  t.throws(() => periodVolumesBase(300, RAMP.map((_, h) => h < 12 ? 1 / 12 : 0), DAY0 + 13 * MS_PER_HOUR, 1 / 24, 1),
    { name: 'DomainRangeError', param: 'hourlyVolumeShares' })
})
