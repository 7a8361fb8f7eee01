import t from 'tap'
import path from 'node:path'
import { median, sampleStdev, scoreForecast, formatNumber, formatUtc } from '../../scripts/lib/stats.js'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'

t.test('median and sampleStdev on hand-computed values (exact)', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: mean of the middle two')
  t.throws(() => median([]), RangeError)
  // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sample variance 32/7
  t.ok(Math.abs(sampleStdev([2, 4, 4, 4, 5, 5, 7, 9]) - Math.sqrt(32 / 7)) < 1e-15, 'sqrt(32/7) to 1e-15')
  t.throws(() => sampleStdev([1]), RangeError)
})

t.test('scoreForecast: R^2 about the test mean; perfect = 1, mean forecast = 0', async (t) => {
  const actual = [1, 2, 3, 4]
  t.same(scoreForecast(actual, actual), { mse: 0, r2: 1, count: 4 })
  t.equal(scoreForecast(actual, [2.5, 2.5, 2.5, 2.5]).r2, 0, 'predicting the mean scores 0')
  // zero forecast: SSE = 1+4+9+16 = 30, SST = 5, R^2 = 1 - 6 = -5, MSE = 7.5 (exact)
  t.same(scoreForecast(actual, [0, 0, 0, 0]), { mse: 7.5, r2: -5, count: 4 })
  t.throws(() => scoreForecast([1], [1, 2]), RangeError)
})

t.test('formatting helpers are stable', async (t) => {
  t.equal(formatNumber(0.0221767638), '0.02218')
  t.equal(formatNumber(47293.887, 6), '47293.9')
  t.equal(formatUtc(1742539980000), '2025-03-21T06:53:00Z')
  t.equal(formatUtc(1723161600029), '2024-08-09T00:00:00.029Z')
})

t.test('resolveDataDir: env override, else ../shared/data from the working directory', async (t) => {
  t.equal(resolveDataDir({}, '/work/main'), path.resolve('/work/shared/data'))
  t.equal(resolveDataDir({ PRETRADE_DATA_DIR: '' }, '/work/main'), path.resolve('/work/shared/data'), 'empty env falls back')
  t.equal(resolveDataDir({ PRETRADE_DATA_DIR: '/data/x' }, '/work/main'), '/data/x')
  t.equal(resolveDataDir({ PRETRADE_DATA_DIR: 'rel' }, '/work/main'), '/work/main/rel', 'relative env paths resolve from cwd')
})
