import t, { type Test } from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { standardNormalCdf, standardNormalQuantile, Z_95 } from '../../../src/domain/normal.js'
import { costDistribution, impactGradient, modelRiskFraction, type CostDistribution } from '../../../src/domain/execution/cost-distribution.js'
import { instantaneousImpact, marketImpact, type IStarParams } from '../../../src/domain/impact/istar.js'
import { planExecution, repriceTrades, type ExecutionMarket } from '../../../src/domain/execution/execution-plan.js'
import { createRng } from '../../../src/domain/learn/rng.js'

const SEED = 42
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}
function rangeError (t: Test, call: () => unknown, param: string, what: string): void {
  const err = thrown(call)
  t.ok(err instanceof DomainRangeError, `${what}: DomainRangeError`)
  t.equal((err as DomainRangeError).param, param, `${what}: names ${param}`)
}

const ZERO4 = (): number[][] => [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]

t.test('standardNormalQuantile: published values', async (t) => {
  // R 4.x qnorm (Wichura's AS241 as well) as quoted in issue 15; tolerance 1e-15 absolute (~4 ulp)
  t.ok(Math.abs(standardNormalQuantile(0.95) - 1.6448536269514722) < 1e-15, `z(0.95) = ${standardNormalQuantile(0.95)}`)
  t.ok(Math.abs(standardNormalQuantile(0.99) - 2.3263478740408408) < 1e-15, `z(0.99) = ${standardNormalQuantile(0.99)}`)
  t.ok(Math.abs(standardNormalQuantile(0.975) - 1.959963984540054) < 1e-15, `z(0.975) = ${standardNormalQuantile(0.975)}`)
  t.equal(standardNormalQuantile(0.5), 0, 'z(0.5) = 0 exactly')
  t.equal(Z_95, standardNormalQuantile(0.95))
  // the exact quantile of each double p: mpmath 1.3.0 at 50 digits (sqrt(2) erfinv(2p - 1), and
  // Newton on ln Phi in the far tail), rounded to the nearest double; tolerance 1e-15 relative (AS241
  // claims about 1e-16; observed <= 5e-16)
  const reference: Array<[number, number]> = [
    [1e-300, -37.0470962993612], [1e-20, -9.262340089798407], [1e-10, -6.361340902404057], [1e-4, -3.7190164854556804],
    [0.01, -2.326347874040841], [0.025, -1.9599639845400543], [0.05, -1.6448536269514726], [0.1, -1.2815515655446004],
    [0.3, -0.5244005127080408], [0.7, 0.5244005127080407], [0.9, 1.2815515655446006], [0.95, 1.6448536269514722],
    [0.975, 1.9599639845400538], [0.99, 2.3263478740408408], [0.9999, 3.7190164854557084]
  ]
  for (const [p, z] of reference) t.ok(relErr(standardNormalQuantile(p), z) < 1e-15, `z(${p}) = ${standardNormalQuantile(p)} vs ${z}`)
})

t.test('standardNormalCdf: values from mpmath (50 digits), 1e-15 relative', async (t) => {
  // mpmath 1.3.0 ncdf at 50 digits, rounded to the nearest double
  const reference: Array<[number, number]> = [
    [-37, 5.725571222524577e-300], [-20, 2.7536241186062337e-89], [-10, 7.619853024160525e-24], [-6, 9.86587645037698e-10],
    [-5, 2.866515718791939e-07], [-3, 0.0013498980316300946], [-1.96, 0.024997895148220435], [-1, 0.15865525393145705],
    [-0.5, 0.3085375387259869], [0.25, 0.5987063256829237], [0.67448975, 0.7499999999376898], [1, 0.8413447460685429],
    [2, 0.9772498680518208], [3, 0.9986501019683699], [5, 0.9999997133484281], [8, 0.9999999999999993]
  ]
  for (const [z, p] of reference) t.ok(relErr(standardNormalCdf(z), p) < 1e-15, `Phi(${z}) = ${standardNormalCdf(z)} vs ${p}`)
  t.equal(standardNormalCdf(0), 0.5, 'Phi(0) = 1/2 exactly')
  t.equal(standardNormalCdf(-40), 0, 'underflows to 0 below -38.47')
  t.equal(standardNormalCdf(40), 1)
})

t.test('round trip Phi(z(p)) = p on a grid', async (t) => {
  // lower half, down to 1e-300: relative, (z^2 + 10) * 1e-15: the probit's 1e-15 relative error
  // times Phi's condition number |z| phi(z) / Phi(z) ~ z^2 in the tail, plus Phi's own error;
  // upper half: absolute 1e-15 (p and Phi are both near 1, a few ulp)
  let worstLower = 0
  for (let e = -300; e <= 0; e += 0.25) {
    const p = Math.min(0.5, 10 ** e)
    const z = standardNormalQuantile(p)
    worstLower = Math.max(worstLower, relErr(standardNormalCdf(z), p) / ((z * z + 10) * 1e-15))
  }
  t.ok(worstLower < 1, `worst relative error, p <= 0.5, as a share of its tolerance: ${worstLower}`)
  let worstUpper = 0
  for (let p = 0.5; p < 1; p += 0.001) worstUpper = Math.max(worstUpper, Math.abs(standardNormalCdf(standardNormalQuantile(p)) - p))
  t.ok(worstUpper < 1e-15, `worst absolute error, p >= 0.5: ${worstUpper}`)
})

t.test('probit and CDF are monotone and (anti)symmetric', async (t) => {
  fc.assert(fc.property(fc.double({ min: 1e-300, max: 1, noNaN: true, maxExcluded: true }), fc.double({ min: 1e-300, max: 1, noNaN: true, maxExcluded: true }), (p, q) => {
    if (p < q) return standardNormalQuantile(p) <= standardNormalQuantile(q)
    return standardNormalQuantile(p) >= standardNormalQuantile(q)
  }), { seed: SEED, numRuns: 500 })
  fc.assert(fc.property(fc.double({ min: -38, max: 38, noNaN: true }), (z) => {
    // Phi(z) + Phi(-z) = 1 to an ulp of 1
    return Math.abs(standardNormalCdf(z) + standardNormalCdf(-z) - 1) <= 2.3e-16
  }), { seed: SEED, numRuns: 500 })
  fc.assert(fc.property(fc.double({ min: 1e-6, max: 0.5, noNaN: true }), (p) => {
    // z(1 - p) = -z(p) up to the rounding of 1 - p: 1e-15 * |z| + eps / phi(z)
    const z = standardNormalQuantile(p)
    const tol = 1e-15 * Math.abs(z) + 2.3e-16 / (Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI))
    return Math.abs(standardNormalQuantile(1 - p) + z) <= tol
  }), { seed: SEED, numRuns: 500 })
})

t.test('normal functions reject bad input, naming the field', async (t) => {
  for (const p of [0, 1, -0.1, 1.5, NaN, Infinity]) rangeError(t, () => standardNormalQuantile(p), 'p', `p = ${p}`)
  for (const z of [NaN, Infinity, -Infinity]) rangeError(t, () => standardNormalCdf(z), 'z', `z = ${z}`)
})

t.test('costDistribution: worked example', async (t) => {
  const d = costDistribution({ expectedCostBps: 10, timingRiskBps: 3, modelRiskBps: 4 })
  t.equal(d.costStdBps, 5, 'sqrt(3^2 + 4^2)')
  t.same([d.expectedCostBps, d.timingRiskBps, d.modelRiskBps], [10, 3, 4], 'inputs echoed')
  // z values of R's qnorm; 1e-13 absolute
  const expected = { p05: 10 - 5 * 1.6448536269514722, p50: 10, p90: 10 + 5 * 1.2815515655446004, p95: 10 + 5 * 1.6448536269514722, p99: 10 + 5 * 2.3263478740408408 }
  for (const [k, v] of Object.entries(expected)) t.ok(Math.abs(d.costQuantilesBps[k as keyof typeof expected] - v) < 1e-13, `${k}: ${d.costQuantilesBps[k as keyof typeof expected]} vs ${v}`)
  const flat = costDistribution({ expectedCostBps: -2.5, timingRiskBps: 0, modelRiskBps: 0 })
  t.same(flat.costQuantilesBps, { p05: -2.5, p50: -2.5, p90: -2.5, p95: -2.5, p99: -2.5 }, 'std 0: every quantile is the mean (a rebate may make it < 0)')
  t.equal(flat.costStdBps, 0)
})

const finiteBps = fc.double({ min: -1e6, max: 1e6, noNaN: true })
const riskBps = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true }))

t.test('costDistribution properties (fast-check, seeded)', async (t) => {
  const levels = (d: CostDistribution): number[] => { const q = d.costQuantilesBps; return [q.p05, q.p50, q.p90, q.p95, q.p99] }
  fc.assert(fc.property(finiteBps, riskBps, riskBps, (mean, timing, model) => {
    const d = costDistribution({ expectedCostBps: mean, timingRiskBps: timing, modelRiskBps: model })
    const q = levels(d)
    const monotone = q.every((v, i) => i === 0 || q[i - 1] <= v)
    const tol = 1e-12 * (Math.abs(mean) + d.costStdBps) + 1e-300
    // p50 is the mean exactly; p05 and p95 mirror each other about it
    return monotone && d.costQuantilesBps.p50 === mean && q.every(Number.isFinite) &&
      Math.abs((d.costQuantilesBps.p95 - mean) - (mean - d.costQuantilesBps.p05)) <= tol &&
      d.costStdBps >= Math.max(timing, model) && d.costStdBps <= timing + model + tol
  }), { seed: SEED, numRuns: 1000 })
  fc.assert(fc.property(finiteBps, riskBps, riskBps, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (mean, timing, model, c) => {
    // scaling every input by c > 0 scales every output by c (1e-12 of the scale, 1e-300 for subnormals)
    const d = costDistribution({ expectedCostBps: mean, timingRiskBps: timing, modelRiskBps: model })
    const s = costDistribution({ expectedCostBps: c * mean, timingRiskBps: c * timing, modelRiskBps: c * model })
    const tol = 1e-12 * c * (Math.abs(mean) + d.costStdBps) + 1e-300
    return levels(s).every((v, i) => Math.abs(v - c * levels(d)[i]) <= tol) && Math.abs(s.costStdBps - c * d.costStdBps) <= tol
  }), { seed: SEED, numRuns: 500 })
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (mean, timing, model) => {
    // any finite input: finite outputs or a DomainRangeError, never NaN or Infinity
    try {
      const d = costDistribution({ expectedCostBps: mean, timingRiskBps: timing, modelRiskBps: model })
      return [...levels(d), d.costStdBps].every(Number.isFinite)
    } catch (err) { return err instanceof DomainRangeError }
  }), { seed: SEED, numRuns: 1000 })
})

t.test('costDistribution rejects bad input, naming the field', async (t) => {
  const ok = { expectedCostBps: 5, timingRiskBps: 1, modelRiskBps: 1 }
  for (const v of [NaN, Infinity, -Infinity]) rangeError(t, () => costDistribution({ ...ok, expectedCostBps: v }), 'expectedCostBps', `expectedCostBps ${v}`)
  for (const v of [NaN, Infinity, -1]) rangeError(t, () => costDistribution({ ...ok, timingRiskBps: v }), 'timingRiskBps', `timingRiskBps ${v}`)
  for (const v of [NaN, Infinity, -1e-9]) rangeError(t, () => costDistribution({ ...ok, modelRiskBps: v }), 'modelRiskBps', `modelRiskBps ${v}`)
  rangeError(t, () => costDistribution({ expectedCostBps: 1.7e308, timingRiskBps: 1e308, modelRiskBps: 0 }), 'expectedCostBps', 'quantile overflow')
  rangeError(t, () => costDistribution({ expectedCostBps: 0, timingRiskBps: 1.5e308, modelRiskBps: 1.5e308 }), 'timingRiskBps', 'std overflow')
})

// ---- model risk ----

const SQRT_LAW: IStarParams = { a1: 1.7639014356973213, a2: 0.5, a4: 0, b1: 0 }
/** embedded/models.json istar.calibration.covariance (the square-root law's, a1 only) */
const SQRT_COV = [[0.005698418734166101, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]

t.test('delta method vs closed form: square-root law, only a1 uncertain', async (t) => {
  // impact a1 sigma sqrt(|Q|/ADV) is linear in a1: modelRisk = impact * se(a1) / a1 exactly;
  // tolerance 1e-9 relative (the central difference of a linear function errs only by rounding, ~eps / 1e-5)
  const se = Math.sqrt(SQRT_COV[0][0])
  for (const [size, vol] of [[1e-6, 0.02], [0.01, 0.03], [0.2, 0.1]]) {
    const impactOf = (p: IStarParams): number => instantaneousImpact(p, size, vol)
    const risk = modelRiskFraction(SQRT_LAW, SQRT_COV, impactOf) as number
    const impact = impactOf(SQRT_LAW)
    t.ok(relErr(risk, impact * se / SQRT_LAW.a1) < 1e-9, `size ${size}: ${risk} vs ${impact * se / SQRT_LAW.a1}`)
  }
  // the same through a TWAP plan, repriced as the lead's endpoints do (b1 = 0: impact = I*)
  const market: ExecutionMarket = { priceQuote: 100, volDaily: 0.04, advBase: 1e6, hourlyVolumeShares: new Array(24).fill(1 / 24), startMs: Date.UTC(2026, 1, 2) }
  const plan = planExecution(SQRT_LAW, 5000, market, { strategy: 'twap', horizonDays: 1 / 24, periods: 60 })
  const risk = modelRiskFraction(SQRT_LAW, SQRT_COV, (p) => repriceTrades(p, plan, market.volDaily, market.advBase, plan.tradesBase).impactFraction) as number
  t.ok(relErr(risk, plan.impactFraction * se / SQRT_LAW.a1) < 1e-9, `twap plan: ${risk} vs ${plan.impactFraction * se / SQRT_LAW.a1}`)
  t.equal(modelRiskFraction(SQRT_LAW, ZERO4(), (p) => instantaneousImpact(p, 0.01, 0.03)), 0, 'no uncertainty: no model risk')
})

t.test('delta method vs analytic gradients, with correlations and at the bounds', async (t) => {
  // I* = a1 sigma s^a2: dI/da1 = I/a1, dI/da2 = I ln s. Correlated (a1, a2): corr -0.8
  const params: IStarParams = { a1: 14.7, a2: 0.817, a4: 0.6, b1: 0.4 }
  const size = 0.003; const vol = 0.05; const pov = 0.2
  const cov = ZERO4()
  cov[0][0] = 1.46 ** 2; cov[1][1] = 0.012 ** 2; cov[0][1] = cov[1][0] = -0.8 * 1.46 * 0.012
  const istar = instantaneousImpact(params, size, vol)
  const gI = [istar / params.a1, istar * Math.log(size)]
  const analyticI = Math.sqrt(gI[0] ** 2 * cov[0][0] + 2 * gI[0] * gI[1] * cov[0][1] + gI[1] ** 2 * cov[1][1])
  const riskI = modelRiskFraction(params, cov, (p) => instantaneousImpact(p, size, vol)) as number
  t.ok(relErr(riskI, analyticI) < 1e-8, `(a1, a2): ${riskI} vs analytic ${analyticI} (1e-8 relative)`)

  // MI = b1 I* pov^a4 + (1 - b1) I*: dMI/da4 = b1 I* pov^a4 ln pov, dMI/db1 = I* (pov^a4 - 1)
  const mi = (p: IStarParams): number => marketImpact(p, instantaneousImpact(p, size, vol), pov)
  const analyticGradient = (p: IStarParams): number[] => {
    const i = instantaneousImpact(p, size, vol)
    const m = mi(p)
    return [m / p.a1, m * Math.log(size), p.b1 * i * pov ** p.a4 * Math.log(pov), i * (pov ** p.a4 - 1)]
  }
  // every parameter, in the interior and on each bound of the box (one-sided differences):
  // 1e-7 relative to the largest component (O(h^2) truncation ~ 1e-10, rounding ~ 1e-11)
  const cases: IStarParams[] = [params, { ...params, b1: 0 }, { ...params, b1: 1 }, { ...params, a4: 0 }, { ...params, a2: 2 }, { ...params, a2: 5e-6 }]
  for (const p of cases) {
    const fd = impactGradient(p, mi)
    const exact = analyticGradient(p)
    const scale = Math.max(...exact.map(Math.abs))
    t.ok(fd.every((g, j) => Math.abs(g - exact[j]) <= 1e-7 * scale), `gradient at ${JSON.stringify(p)}: ${fd} vs ${exact}`)
  }
  t.same(impactGradient(params, mi, [false, true, false, false]).map((g, j) => j === 1 ? g !== 0 : g), [0, true, 0, 0], 'only the parameters asked for')

  // all four uncertain, full covariance built as L L^T: sqrt(g^T V g) with the analytic g
  const L = [[1.2, 0, 0, 0], [-0.004, 0.01, 0, 0], [0.05, 0.02, 0.3, 0], [-0.01, 0.003, 0.02, 0.05]]
  const full = L.map((ri) => L.map((rj) => ri.reduce((a, v, k) => a + v * rj[k], 0)))
  const g = analyticGradient(params)
  let variance = 0
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) variance += g[i] * g[j] * full[i][j]
  const risk = modelRiskFraction(params, full, mi) as number
  t.ok(relErr(risk, Math.sqrt(variance)) < 1e-8, `4 parameters: ${risk} vs ${Math.sqrt(variance)}`)
})

t.test('delta method vs Monte Carlo: two correlated parameters (seeded)', async (t) => {
  // theta ~ N(theta_hat, V) with V small, impact's SD over 40,000 draws: the delta method's error is
  // O(V) and the Monte-Carlo SD's relative standard error 1/sqrt(2n) ~ 0.35 %; tolerance 2 %
  const params: IStarParams = { a1: 2, a2: 0.6, a4: 0, b1: 0 }
  const sd = [0.1, 0.02]; const rho = 0.5
  const cov = ZERO4()
  cov[0][0] = sd[0] ** 2; cov[1][1] = sd[1] ** 2; cov[0][1] = cov[1][0] = rho * sd[0] * sd[1]
  const impactOf = (p: IStarParams): number => instantaneousImpact(p, 0.01, 0.03)
  const rng = createRng(SEED)
  const n = 40_000
  let sum = 0; let sumSq = 0
  for (let i = 0; i < n; i++) {
    const z1 = rng.normal(); const z2 = rng.normal()
    const a1 = params.a1 + sd[0] * z1
    const a2 = params.a2 + sd[1] * (rho * z1 + Math.sqrt(1 - rho * rho) * z2)
    const v = impactOf({ ...params, a1, a2 })
    sum += v; sumSq += v * v
  }
  const mcSd = Math.sqrt((sumSq - sum * sum / n) / (n - 1))
  const risk = modelRiskFraction(params, cov, impactOf) as number
  t.ok(relErr(risk, mcSd) < 0.02, `delta ${risk} vs Monte Carlo ${mcSd}`)
})

t.test('unidentified parameters: ignored when they do not move the impact, else undefined', async (t) => {
  const mi = (p: IStarParams): number => marketImpact(p, instantaneousImpact(p, 0.003, 0.05), 0.2)
  // the embedded joint I-Star fit: a4 unidentified (null row), b1 = 0 on its bound with variance 0
  const joint: IStarParams = { a1: 14.693493682706386, a2: 0.8172445928842171, a4: 10, b1: 0 }
  const withNull = [[2.119, 0.0117, null, 0], [0.0117, 0.0001438, null, 0], [null, null, null, null], [0, 0, null, 0]]
  const known = [[2.119, 0.0117, 0, 0], [0.0117, 0.0001438, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
  const r = modelRiskFraction(joint, withNull, mi)
  t.ok(r !== undefined && r > 0, `a4 null with b1 = 0: defined (${r})`)
  t.equal(r, modelRiskFraction(joint, known, mi), 'and equal to the risk without a4')
  const withNaN = known.map((row) => [...row]); withNaN[2] = [NaN, NaN, NaN, NaN]; withNaN[0][2] = withNaN[1][2] = withNaN[3][2] = NaN
  t.equal(modelRiskFraction(joint, withNaN, mi), r, 'NaN rows as null')
  t.equal(modelRiskFraction({ ...joint, b1: 0.5 }, withNull, mi), undefined, 'a4 unidentified but b1 = 0.5: a4 moves the impact, the risk is unavailable')
  // b1 unidentified when a4 = 0: b1 I* + (1 - b1) I* does not depend on b1 (up to rounding)
  const b1Null = [[2.119, 0, 0, null], [0, 0, 0, null], [0, 0, 0, null], [null, null, null, null]]
  const r2 = modelRiskFraction({ a1: 3, a2: 0.6, a4: 0, b1: 0.3 }, b1Null, mi)
  t.ok(r2 !== undefined && Number.isFinite(r2), `b1 null with a4 = 0: defined (${r2})`)
})

t.test('modelRiskFraction never returns NaN (fast-check over valid params and PSD covariances)', async (t) => {
  const paramsArb = fc.record({
    a1: fc.double({ min: 1e-3, max: 50, noNaN: true }),
    a2: fc.oneof(fc.constant(2), fc.double({ min: 1e-6, max: 2, noNaN: true })),
    a4: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
    b1: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }))
  })
  const lArb = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 })
  fc.assert(fc.property(paramsArb, lArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.double({ min: 1e-8, max: 0.5, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), (p, l, unknown, size, pov) => {
    const L = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (j <= i ? l[4 * i + j] : 0)))
    const cov: Array<Array<number | null>> = L.map((ri) => L.map((rj) => ri.reduce((a, v, k) => a + v * rj[k], 0)))
    for (let j = 0; j < 4; j++) if (unknown[j]) for (let k = 0; k < 4; k++) { cov[j][k] = null; cov[k][j] = null }
    const r = modelRiskFraction(p, cov, (q) => marketImpact(q, instantaneousImpact(q, size, 0.05), pov))
    return r === undefined || (Number.isFinite(r) && r >= 0)
  }), { seed: SEED, numRuns: 500 })
})

t.test('modelRiskFraction rejects bad input, naming the field', async (t) => {
  const impactOf = (p: IStarParams): number => instantaneousImpact(p, 0.01, 0.03)
  rangeError(t, () => modelRiskFraction({ ...SQRT_LAW, a2: 3 }, SQRT_COV, impactOf), 'a2', 'a2 out of the box')
  rangeError(t, () => modelRiskFraction(SQRT_LAW, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], impactOf), 'covariance', '3 x 3')
  const negative = ZERO4(); negative[1][1] = -1e-6
  rangeError(t, () => modelRiskFraction(SQRT_LAW, negative, impactOf), 'covariance[1][1]', 'negative variance')
  const inf = ZERO4(); inf[0][0] = 1; inf[0][1] = Infinity
  rangeError(t, () => modelRiskFraction(SQRT_LAW, inf, impactOf), 'covariance[0][1]', 'infinite covariance')
  rangeError(t, () => modelRiskFraction(SQRT_LAW, SQRT_COV, () => NaN), 'impactOf', 'impactOf returns NaN')
  rangeError(t, () => modelRiskFraction(SQRT_LAW, SQRT_COV, (p) => p.a1 === SQRT_LAW.a1 ? 1 : Infinity), 'impactOf', 'impactOf non-finite at a step')
})
