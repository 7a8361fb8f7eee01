import t from 'tap'
import { sideSign, fractionToBps, bpsToFraction } from '../../src/domain/units.js'

t.test('sideSign is +1 for buys and -1 for sells', async (t) => {
  t.equal(sideSign('buy'), 1)
  t.equal(sideSign('sell'), -1)
})

t.test('bps and fractions round-trip to 1e-12 (floating point, exact by definition)', async (t) => {
  t.ok(Math.abs(fractionToBps(0.0012) - 12) < 1e-12)
  t.ok(Math.abs(bpsToFraction(12) - 0.0012) < 1e-16)
  t.ok(Math.abs(bpsToFraction(fractionToBps(0.000123)) - 0.000123) < 1e-16)
})
