import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { instantaneousImpact, marketImpact, timingRiskFraction, trajectoryImpact, validateIStarParams, type IStarParams } from '../../../src/domain/impact/istar.js'

const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}
const P: IStarParams = { a1: 0.5, a2: 0.5, a4: 0.5, b1: 0.9 }

/** Valid parameters: a1 in (0, 5], a2 in (0, 2], a4 in [0, 3], b1 in [0, 1]. */
const paramsArb = fc.record({
  a1: fc.double({ min: 1e-3, max: 5, noNaN: true }),
  a2: fc.double({ min: 0.05, max: 2, noNaN: true }),
  a4: fc.double({ min: 0, max: 3, noNaN: true }),
  b1: fc.double({ min: 0, max: 1, noNaN: true })
})
const sizeArb = fc.double({ min: 0, max: 10, noNaN: true })
const volArb = fc.double({ min: 0, max: 0.5, noNaN: true })
const povArb = fc.double({ min: 0, max: 1, noNaN: true })
const twap = (n: number): number[] => Array.from({ length: n }, (_, j) => 1 - (j + 1) / n)

t.test('closed forms (hand-computed, 1e-15 relative)', async (t) => {
  // I* = 0.5 * 0.02 * sqrt(0.01) = 0.001
  t.ok(relErr(instantaneousImpact(P, 0.01, 0.02), 0.001) < 1e-15, 'I* = 10 bps')
  // general a2: reference exp(a2 ln s) written here, 1e-14 relative
  const general = { ...P, a1: 0.8, a2: 0.6 }
  for (const s of [1e-6, 3.7e-4, 0.05, 0.9, 2.5]) {
    t.ok(relErr(instantaneousImpact(general, s, 0.031), 0.8 * 0.031 * Math.exp(0.6 * Math.log(s))) < 1e-14, `a2 = 0.6 at s = ${s}`)
  }
  // MI = 0.9 * 0.001 * 0.25^0.5 + 0.1 * 0.001 = 0.00045 + 0.0001 = 0.00055
  t.ok(relErr(marketImpact(P, 0.001, 0.25), 0.00055) < 1e-15, 'MI at POV 25 %')
  t.equal(marketImpact(P, 0.001, 1), 0.001, 'POV = 1 pays the whole I*')
  // two children: 0.9 * 0.001 * (0.5 * 0.5 + 0.5 * 1) + 0.0001 = 0.000775
  t.ok(relErr(trajectoryImpact(P, 0.001, [0.5, 0.5], [0.25, 1]), 0.000775) < 1e-15, 'two children at POV 25 % and 100 %')
  t.equal(instantaneousImpact(P, 0, 0.02), 0, 'zero size costs zero')
  t.equal(marketImpact(P, 0, 0.3), 0, 'zero I* costs zero')
})

t.test('a uniform trajectory equals MI(Q, POV) (1e-12 relative, 300 seeded runs)', async (t) => {
  // tolerance: two sums of n <= 2000 terms, each off by at most n * 2^-53 ~ 2.2e-13 relative
  fc.assert(fc.property(paramsArb, fc.integer({ min: 1, max: 2000 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), (params, n, pov) => {
    const shares = new Array<number>(n).fill(1 / n)
    const povs = new Array<number>(n).fill(pov)
    return relErr(trajectoryImpact(params, 0.002, shares, povs), marketImpact(params, 0.002, pov)) < 1e-12
  }), { seed: 13, numRuns: 300 })
  t.pass('held')
})

t.test('b1 = 0 ignores POV: MI = I* exactly', async (t) => {
  fc.assert(fc.property(paramsArb, povArb, fc.array(povArb, { minLength: 3, maxLength: 3 }), (params, pov, povs) => {
    const sizeOnly = { ...params, b1: 0 }
    return marketImpact(sizeOnly, 0.003, pov) === 0.003 && trajectoryImpact(sizeOnly, 0.003, [0.2, 0.3, 0.5], povs) === 0.003
  }), { seed: 5, numRuns: 200 })
  t.pass('held')
})

t.test('timing risk: exact discrete values and the TWAP limit sigma * sqrt(T/3)', async (t) => {
  // N = 1: all traded in the first period, nothing held afterwards
  t.equal(timingRiskFraction(0.02, [0], 1), 0, 'immediate execution has no timing risk')
  // N = 2, T = 1: x_1 = 1/2 held for tau = 1/2: 0.02 * sqrt(0.5 * 0.25) = 0.02 * sqrt(1/8)
  t.ok(relErr(timingRiskFraction(0.02, [0.5, 0], 0.5), 0.02 * Math.sqrt(1 / 8)) < 1e-15, 'N = 2 by hand')
  // N = 3, T = 1: x = 2/3, 1/3, 0 and tau = 1/3: sum x^2 tau = 5/27
  t.ok(relErr(timingRiskFraction(0.02, [2 / 3, 1 / 3, 0], 1 / 3), 0.02 * Math.sqrt(5 / 27)) < 1e-15, 'N = 3 by hand')
  // closed form sigma * sqrt(T (N-1)(2N-1) / (6 N^2)) for every N, 1e-12 relative
  const sigma = 0.035
  const horizonDays = 0.25
  const limit = sigma * Math.sqrt(horizonDays / 3)
  let previousErr = Infinity
  for (const n of [2, 10, 100, 1000, 10000]) {
    const risk = timingRiskFraction(sigma, twap(n), horizonDays / n)
    t.ok(relErr(risk, sigma * Math.sqrt(horizonDays * (n - 1) * (2 * n - 1) / (6 * n * n))) < 1e-12, `N = ${n}: closed form`)
    // relative gap 1 - sqrt(1 - 3/(2N) + 1/(2N^2)) ~ 3/(4N), below 1/N for N >= 2
    const gap = relErr(risk, limit)
    t.ok(gap < 1 / n && gap < previousErr, `N = ${n}: within 1/N of sigma sqrt(T/3) (gap ${gap.toExponential(2)}) and closer than before`)
    previousErr = gap
  }
})

t.test('properties: symmetry, monotonicity, scaling (seeded fast-check)', async (t) => {
  fc.assert(fc.property(paramsArb, sizeArb, sizeArb, volArb, (params, s1, s2, vol) => {
    const [small, large] = s1 <= s2 ? [s1, s2] : [s2, s1]
    return instantaneousImpact(params, small, vol) <= instantaneousImpact(params, large, vol)
  }), { seed: 1, numRuns: 500 })
  t.pass('I* non-decreasing in size')
  fc.assert(fc.property(paramsArb, povArb, povArb, fc.double({ min: 0, max: 1, noNaN: true }), (params, p1, p2, istar) => {
    const [slow, fast] = p1 <= p2 ? [p1, p2] : [p2, p1]
    const mi = marketImpact(params, istar, slow)
    return mi <= marketImpact(params, istar, fast) && mi <= istar * (1 + 1e-15) && Number.isFinite(mi)
  }), { seed: 2, numRuns: 500 })
  t.pass('MI non-decreasing in POV, at most I*, finite')
  fc.assert(fc.property(paramsArb, fc.array(povArb, { minLength: 2, maxLength: 6 }), fc.nat(5), fc.double({ min: 0, max: 1, noNaN: true }), (params, povs, k, bump) => {
    const j = k % povs.length
    const faster = povs.map((p, i) => (i === j ? Math.max(p, bump) : p))
    const shares = povs.map(() => 1 / povs.length)
    return trajectoryImpact(params, 0.001, shares, povs) <= trajectoryImpact(params, 0.001, shares, faster)
  }), { seed: 3, numRuns: 300 })
  t.pass('trajectory impact non-decreasing in each child POV')
  fc.assert(fc.property(paramsArb, fc.double({ min: 1e-6, max: 10, noNaN: true }), fc.double({ min: 1e-4, max: 0.5, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), (params, s, vol, k) => {
    const base = instantaneousImpact(params, s, vol)
    return relErr(instantaneousImpact(params, s, k * vol), k * base) < 1e-12 &&
      relErr(instantaneousImpact({ ...params, a1: k * params.a1 }, s, vol), k * base) < 1e-12
  }), { seed: 4, numRuns: 300 })
  t.pass('I* linear in volDaily and in a1 (1e-12 relative)')
  fc.assert(fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 20 }), volArb, (holdings, vol) => {
    return timingRiskFraction(vol, holdings, 0.01) === timingRiskFraction(vol, holdings.map((x) => -x), 0.01)
  }), { seed: 6, numRuns: 200 })
  t.pass('timing risk of a sell (holdings -x) equals that of a buy, exactly')
  fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 1e-3, max: 5, noNaN: true }), fc.double({ min: 1.01, max: 10, noNaN: true }), (n, horizonDays, k) => {
    return timingRiskFraction(0.03, twap(n), horizonDays / n) <= timingRiskFraction(0.03, twap(n), (k * horizonDays) / n)
  }), { seed: 8, numRuns: 200 })
  t.pass('TWAP timing risk rises with the horizon')
})

t.test('invalid inputs throw DomainRangeError naming the parameter', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    ['a1', () => validateIStarParams({ ...P, a1: 0 })],
    ['a1', () => instantaneousImpact({ ...P, a1: NaN }, 0.1, 0.02)],
    ['a2', () => instantaneousImpact({ ...P, a2: 0 }, 0.1, 0.02)],
    ['a2', () => instantaneousImpact({ ...P, a2: 2.01 }, 0.1, 0.02)],
    ['a4', () => marketImpact({ ...P, a4: -0.1 }, 0.001, 0.5)],
    ['b1', () => marketImpact({ ...P, b1: 1.01 }, 0.001, 0.5)],
    ['b1', () => trajectoryImpact({ ...P, b1: -0.01 }, 0.001, [1], [0.5])],
    ['sizeFractionOfAdv', () => instantaneousImpact(P, -0.01, 0.02)],
    ['sizeFractionOfAdv', () => instantaneousImpact({ ...P, a2: 2, a1: 1 }, 1e200, 1)],
    ['volDaily', () => instantaneousImpact(P, 0.01, Infinity)],
    ['istar', () => marketImpact(P, -1e-9, 0.5)],
    ['pov', () => marketImpact(P, 0.001, 1.5)],
    ['pov', () => marketImpact(P, 0.001, -0.1)],
    ['childShares', () => trajectoryImpact(P, 0.001, [], [])],
    ['childShares', () => trajectoryImpact(P, 0.001, [0.5, 0.4], [0.1, 0.1])],
    ['childShares[1]', () => trajectoryImpact(P, 0.001, [1.5, -0.5], [0.1, 0.1])],
    ['povs', () => trajectoryImpact(P, 0.001, [0.5, 0.5], [0.1])],
    ['povs[0]', () => trajectoryImpact(P, 0.001, [0.5, 0.5], [NaN, 0.1])],
    ['volDaily', () => timingRiskFraction(-0.02, [0.5, 0], 0.5)],
    ['tauDays', () => timingRiskFraction(0.02, [0.5, 0], 0)],
    ['holdingsFractions', () => timingRiskFraction(0.02, [], 0.5)],
    ['holdingsFractions[1]', () => timingRiskFraction(0.02, [0.5, Infinity], 0.5)],
    ['holdingsFractions', () => timingRiskFraction(0.02, [1e200, 1e200], 1)]
  ]
  for (const [param, call] of cases) {
    const err = thrown(call)
    t.ok(err instanceof DomainRangeError && err.param === param && err.message.includes(param), `rejects ${param}: ${String(err)}`)
  }
  t.doesNotThrow(() => validateIStarParams({ a1: 1e-9, a2: 2, a4: 0, b1: 1 }), 'boundaries a2 = 2, a4 = 0, b1 = 0 or 1 are allowed')
  t.doesNotThrow(() => validateIStarParams({ a1: 1, a2: 0.5, a4: 0, b1: 0 }), 'b1 = 0 allowed')
})
