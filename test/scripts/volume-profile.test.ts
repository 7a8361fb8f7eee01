// The rounding and cross-check helpers behind the embedded volume profiles.
import t from 'tap'
import { pearsonCorrelation, roundShares } from '../../scripts/lib/volume-profile.js'

t.test('roundShares: 7 decimals, each within one unit of its input, summing to exactly 1', async (t) => {
  // thirds of 1/8 etc.: none is a whole number of 1e-7 units
  const raw = Array.from({ length: 24 }, (_, h) => (h + 1) / 300)
  const rounded = roundShares(raw)
  t.equal(rounded.length, 24)
  rounded.forEach((r, h) => {
    t.ok(Math.abs(r - raw[h]) < 1e-7, `hour ${h}: ${r} vs ${raw[h]}`)
    t.equal(r, Number(r.toFixed(7)), `hour ${h} has at most 7 decimals`)
  })
  // in units of 1e-7 the sum is exactly 10^7; as doubles it is 1 to rounding
  t.equal(rounded.reduce((a, r) => a + Math.round(r * 1e7), 0), 1e7)
  t.ok(Math.abs(rounded.reduce((a, b) => a + b, 0) - 1) < 1e-12)
  // by hand: three shares of 1/3 with 1 decimal: 0.3 each floors to 0.9, the missing 0.1 goes to the first (tie)
  t.same(roundShares([1 / 3, 1 / 3, 1 / 3], 1), [0.4, 0.3, 0.3])
  // largest remainder: [0.26, 0.74] with 1 decimal floors to [0.2, 0.7]; 0.06 > 0.04 so the first gets 0.1
  t.same(roundShares([0.26, 0.74], 1), [0.3, 0.7])
  t.throws(() => roundShares([0.5, 0.6]), RangeError)
})

t.test('pearsonCorrelation: +1, -1 and a hand-computed value', async (t) => {
  t.ok(Math.abs(pearsonCorrelation([1, 2, 3], [2, 4, 6]) - 1) < 1e-15)
  t.ok(Math.abs(pearsonCorrelation([1, 2, 3], [3, 2, 1]) + 1) < 1e-15)
  // x = [1, 2, 3, 4], y = [1, 3, 2, 4]: sxy = 4, sxx = syy = 5, r = 0.8
  t.ok(Math.abs(pearsonCorrelation([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-15)
})
