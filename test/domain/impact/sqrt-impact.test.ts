import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { sqrtImpactCost, sqrtImpactSignedReturn, validateSqrtImpactParams, type SqrtImpactParams } from '../../../src/domain/impact/sqrt-impact.js'

const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}
const SQRT: SqrtImpactParams = { impactCoef: 0.5, impactExponent: 0.5 }

t.test('closed form eta * sigma * p^delta * smearing', async (t) => {
  // 0.5 * 0.02 * sqrt(0.01) = 0.001 exactly in decimal; 1e-15 relative (a few ulps)
  t.ok(relErr(sqrtImpactCost(SQRT, 0.01, 0.02), 0.001) < 1e-15, '10 bps for eta 0.5, 2 %/day vol, 1 % of ADV')
  // smearing multiplies: 0.001 * 1.2
  t.ok(relErr(sqrtImpactCost({ ...SQRT, smearingFactor: 1.2 }, 0.01, 0.02), 0.0012) < 1e-15, 'smearing 1.2 scales the cost')
  // general delta: reference exp(delta * ln p) written here, 1e-14 relative
  const params = { impactCoef: 0.8, impactExponent: 0.6, smearingFactor: 1.1 }
  for (const p of [1e-6, 3.7e-4, 0.05, 0.9, 2.5]) {
    const expected = 0.8 * 0.031 * Math.exp(0.6 * Math.log(p)) * 1.1
    t.ok(relErr(sqrtImpactCost(params, p, 0.031), expected) < 1e-14, `delta 0.6 at p=${p}`)
  }
})

t.test('zero participation or zero quantity costs zero', async (t) => {
  t.equal(sqrtImpactCost(SQRT, 0, 0.02), 0)
  t.equal(sqrtImpactCost({ impactCoef: 1, impactExponent: 2 }, 0, 0.02), 0)
  t.equal(sqrtImpactSignedReturn(SQRT, 0, 1000, 0.02), 0)
  t.equal(sqrtImpactCost(SQRT, 0.01, 0), 0, 'zero volatility: no impact')
})

t.test('doubling Q at delta = 0.5 multiplies impact by sqrt(2) (1e-12 relative)', async (t) => {
  for (const qty of [1e-3, 1, 250, 1e6]) {
    const ratio = sqrtImpactSignedReturn(SQRT, 2 * qty, 1e7, 0.03) / sqrtImpactSignedReturn(SQRT, qty, 1e7, 0.03)
    t.ok(relErr(ratio, Math.SQRT2) < 1e-12, `qty ${qty}: ratio ${ratio}`)
  }
  // for a general delta the ratio is 2^delta (closed form), 1e-12 relative
  const ratio = sqrtImpactCost({ impactCoef: 0.3, impactExponent: 0.7 }, 0.02, 0.01) / sqrtImpactCost({ impactCoef: 0.3, impactExponent: 0.7 }, 0.01, 0.01)
  t.ok(relErr(ratio, 2 ** 0.7) < 1e-12, 'delta 0.7: ratio 2^0.7')
})

t.test('buys and sells: signed return flips, cost equal', async (t) => {
  const buy = sqrtImpactSignedReturn(SQRT, 500, 1e5, 0.025)
  const sell = sqrtImpactSignedReturn(SQRT, -500, 1e5, 0.025)
  t.ok(buy > 0, 'a buy pushes the price up')
  t.equal(sell, -buy, 'a sell of the same size moves it down by exactly as much')
  t.equal(buy, sqrtImpactCost(SQRT, 500 / 1e5, 0.025), 'signed return of a buy is the cost')
})

t.test('cost is linear in volDaily (1e-12 relative)', async (t) => {
  const base = sqrtImpactCost(SQRT, 0.003, 0.01)
  for (const k of [0.5, 3, 17.25]) {
    t.ok(relErr(sqrtImpactCost(SQRT, 0.003, 0.01 * k), k * base) < 1e-12, `vol x${k}`)
  }
})

t.test('invalid inputs throw DomainRangeError naming the parameter', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    ['participation', () => sqrtImpactCost(SQRT, -0.1, 0.02)],
    ['participation', () => sqrtImpactCost(SQRT, NaN, 0.02)],
    ['participation', () => sqrtImpactCost({ impactCoef: 1, impactExponent: 2 }, 1e200, 1)],
    ['volDaily', () => sqrtImpactCost(SQRT, 0.1, -0.02)],
    ['volDaily', () => sqrtImpactCost(SQRT, 0.1, Infinity)],
    ['impactCoef', () => sqrtImpactCost({ impactCoef: -0.1, impactExponent: 0.5 }, 0.1, 0.02)],
    ['impactCoef', () => sqrtImpactCost({ impactCoef: NaN, impactExponent: 0.5 }, 0.1, 0.02)],
    ['impactExponent', () => sqrtImpactCost({ impactCoef: 0.5, impactExponent: 0 }, 0.1, 0.02)],
    ['impactExponent', () => sqrtImpactCost({ impactCoef: 0.5, impactExponent: 2.01 }, 0.1, 0.02)],
    ['smearingFactor', () => sqrtImpactCost({ ...SQRT, smearingFactor: 0 }, 0.1, 0.02)],
    ['advBase', () => sqrtImpactSignedReturn(SQRT, 10, 0, 0.02)],
    ['advBase', () => sqrtImpactSignedReturn(SQRT, 10, -5, 0.02)],
    ['signedQtyBase', () => sqrtImpactSignedReturn(SQRT, NaN, 10, 0.02)],
    ['signedQtyBase', () => sqrtImpactSignedReturn(SQRT, 1e300, 1e-300, 0.02)],
    ['volDaily', () => sqrtImpactSignedReturn(SQRT, 0, 10, NaN)]
  ]
  for (const [param, call] of cases) {
    const err = thrown(call)
    t.ok(err instanceof DomainRangeError && err.param === param && err.message.includes(param), `rejects ${param}: ${String(err)}`)
  }
  t.doesNotThrow(() => validateSqrtImpactParams({ impactCoef: 0, impactExponent: 2 }), 'boundaries eta = 0 and delta = 2 are allowed')
})

t.test('properties (fast-check, seed 42)', async (t) => {
  const params = fc.record({
    impactCoef: fc.double({ min: 0, max: 5, noNaN: true }),
    impactExponent: fc.double({ min: 0.05, max: 2, noNaN: true }),
    smearingFactor: fc.double({ min: 0.5, max: 3, noNaN: true })
  })
  const qty = fc.double({ min: 0, max: 1e9, noNaN: true })
  const adv = fc.double({ min: 1e-3, max: 1e10, noNaN: true })
  const vol = fc.double({ min: 0, max: 0.5, noNaN: true })

  fc.assert(fc.property(params, qty, qty, adv, vol, (p, q1, q2, advBase, volDaily) => {
    const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1]
    const costLo = sqrtImpactSignedReturn(p, lo, advBase, volDaily)
    const costHi = sqrtImpactSignedReturn(p, hi, advBase, volDaily)
    return Number.isFinite(costLo) && Number.isFinite(costHi) && costLo >= 0 && costLo <= costHi
  }), { seed: 42, numRuns: 2000 })
  t.pass('cost is finite, >= 0 and monotone non-decreasing in qty')

  fc.assert(fc.property(params, adv, vol, (p, advBase, volDaily) => sqrtImpactSignedReturn(p, 0, advBase, volDaily) === 0), { seed: 42, numRuns: 500 })
  t.pass('zero qty costs zero for any parameters')

  fc.assert(fc.property(params, qty, adv, vol, (p, q, advBase, volDaily) =>
    sqrtImpactSignedReturn(p, -q, advBase, volDaily) === -sqrtImpactSignedReturn(p, q, advBase, volDaily)), { seed: 42, numRuns: 1000 })
  t.pass('sell = -buy exactly')
})
