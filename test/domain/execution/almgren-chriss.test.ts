import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import {
  optimalSchedule,
  trajectoryCost,
  type AlmgrenChrissParams
} from '../../../src/domain/execution/almgren-chriss.js'

// The paper's example (Almgren & Chriss 2000, section 2.4 / "construction of the example"):
// 1e6 shares over 5 days in daily steps, sigma = 0.95 $/share/day^0.5, gamma = 2.5e-7, eta = 2.5e-6,
// epsilon = 1/16 (half of a 1/8 spread), lambda = 1e-6 per $.
const PAPER: AlmgrenChrissParams = {
  initialHoldingsBase: 1e6,
  horizonDays: 5,
  periods: 5,
  riskAversion: 1e-6,
  volQuote: 0.95,
  permanentImpact: 2.5e-7,
  temporaryImpact: 2.5e-6,
  halfSpreadQuote: 1 / 16
}

function relErr (actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE)
}

/** Minimal assertion surface, so helpers accept any subtest. */
interface Asserts { ok (condition: boolean, message: string): unknown }

function closeRel (t: Asserts, actual: number, expected: number, tol: number, msg: string): void {
  t.ok(relErr(actual, expected) <= tol, `${msg}: got ${actual}, expected ${expected} (rel tol ${tol})`)
}

/**
 * Independent reference: minimise E + lambda*V directly. With x_0 = X, x_N = 0 and monotone
 * trades, the first-order conditions in the interior x_1..x_{N-1} are the tridiagonal system
 *   -x_{j-1} + (2 + lambda*sigma^2*tau^2/etaTilde) x_j - x_{j+1} = 0,
 * solved here by the Thomas algorithm (no sinh, no kappa).
 */
function referenceHoldings (p: AlmgrenChrissParams): number[] {
  const n = p.periods
  const tau = p.horizonDays / n
  const etaTilde = p.temporaryImpact - p.permanentImpact * tau / 2
  const diag = 2 + p.riskAversion * p.volQuote * p.volQuote * tau * tau / etaTilde
  const m = n - 1
  const cPrime = new Array<number>(m)
  const dPrime = new Array<number>(m)
  for (let i = 0; i < m; i++) {
    const rhs = i === 0 ? p.initialHoldingsBase : 0
    const denom = diag - (i === 0 ? 0 : -cPrime[i - 1])
    cPrime[i] = -1 / denom
    dPrime[i] = (rhs + (i === 0 ? 0 : dPrime[i - 1])) / denom
  }
  const x = new Array<number>(n + 1).fill(0)
  x[0] = p.initialHoldingsBase
  for (let i = m - 1; i >= 0; i--) x[i + 1] = dPrime[i] - cPrime[i] * x[i + 2]
  return x
}

/** E and V straight from the paper's definitions (section 1.4-1.5), unnormalised. */
function referenceCost (p: AlmgrenChrissParams, x: number[]): { e: number, v: number } {
  const tau = p.horizonDays / p.periods
  const etaTilde = p.temporaryImpact - p.permanentImpact * tau / 2
  let e = p.permanentImpact * p.initialHoldingsBase ** 2 / 2
  let v = 0
  for (let j = 1; j <= p.periods; j++) {
    const n = x[j - 1] - x[j]
    e += p.halfSpreadQuote * Math.abs(n) + etaTilde / tau * n * n
    v += p.volQuote ** 2 * tau * x[j] ** 2
  }
  return { e, v }
}

t.test('paper example matches a tridiagonal solve of the first-order conditions (rel 1e-9)', async (t) => {
  const s = optimalSchedule(PAPER)
  const ref = referenceHoldings(PAPER)
  t.equal(s.holdingsBase.length, 6)
  t.equal(s.tradesBase.length, 5)
  for (let j = 0; j <= 5; j++) {
    t.ok(Math.abs(s.holdingsBase[j] - ref[j]) <= 1e-9 * PAPER.initialHoldingsBase, `x_${j}: ${s.holdingsBase[j]} vs ${ref[j]}`)
  }
  const { e, v } = referenceCost(PAPER, ref)
  closeRel(t, s.expectedCostQuote, e, 1e-9, 'E vs reference trajectory')
  closeRel(t, s.varianceQuote2, v, 1e-9, 'V vs reference trajectory')
  closeRel(t, s.stdCostQuote, Math.sqrt(v), 1e-9, 'std = sqrt(V)')
  t.same(s.timesDays, [0, 1, 2, 3, 4, 5])
  t.equal(s.tauDays, 1)
  closeRel(t, s.etaTilde, 2.375e-6, 1e-15, 'etaTilde = 2.5e-6 - 2.5e-7*1/2')
})

t.test('paper example: kappa, kappaTilde and half-life from their closed forms (rel 1e-12)', async (t) => {
  const s = optimalSchedule(PAPER)
  const kappaTilde = Math.sqrt(1e-6 * 0.95 ** 2 / 2.375e-6)
  closeRel(t, s.kappaTilde, kappaTilde, 1e-12, 'kappaTilde = sqrt(lambda sigma^2 / etaTilde)')
  // acosh form of the paper; kappaTilde*tau ~ 0.62 so acosh(1 + y) has no harmful cancellation here
  const kappa = Math.acosh(1 + kappaTilde ** 2 / 2)
  closeRel(t, s.kappa, kappa, 1e-12, 'kappa = acosh(1 + kappaTilde^2 tau^2/2)/tau')
  closeRel(t, s.halfLifeDays ?? NaN, 1 / kappa, 1e-12, 'halfLife = 1/kappa')
  // ~0.607 per day, half-life ~1.65 days (two decimals, from the closed form above)
  t.ok(Math.abs(s.kappa - 0.607) < 0.001, `kappa ~ 0.607/day (got ${s.kappa})`)
})

t.test('paper example: E and V match the paper\'s closed forms for the optimal trajectory (rel 1e-10)', async (t) => {
  // Almgren & Chriss (2000) section 2.2:
  //   E = gamma X^2/2 + eps X + etaTilde X^2 tanh(kappa tau/2)(tau sinh(2 kappa T) + 2T sinh(kappa tau)) / (2 tau^2 sinh^2(kappa T))
  //   V = sigma^2 X^2/2 * (tau sinh(kappa T) cosh(kappa(T - tau)) - T sinh(kappa tau)) / (sinh^2(kappa T) sinh(kappa tau))
  const s = optimalSchedule(PAPER)
  const { kappa, etaTilde } = s
  const X = 1e6
  const T = 5
  const tau = 1
  const e = 2.5e-7 * X * X / 2 + X / 16 + etaTilde * X * X * Math.tanh(kappa * tau / 2) *
    (tau * Math.sinh(2 * kappa * T) + 2 * T * Math.sinh(kappa * tau)) / (2 * tau * tau * Math.sinh(kappa * T) ** 2)
  const v = 0.95 ** 2 * X * X / 2 * (tau * Math.sinh(kappa * T) * Math.cosh(kappa * (T - tau)) - T * Math.sinh(kappa * tau)) /
    (Math.sinh(kappa * T) ** 2 * Math.sinh(kappa * tau))
  closeRel(t, s.expectedCostQuote, e, 1e-10, 'E closed form')
  closeRel(t, s.varianceQuote2, v, 1e-10, 'V closed form')
})

t.test('tridiagonal reference agrees for larger N and stronger urgency (rel 1e-9)', async (t) => {
  for (const [periods, riskAversion] of [[50, 1e-6], [200, 1e-5], [1000, 2e-6]] as const) {
    const p = { ...PAPER, periods, riskAversion }
    const s = optimalSchedule(p)
    const ref = referenceHoldings(p)
    let worst = 0
    for (let j = 0; j <= periods; j++) worst = Math.max(worst, Math.abs(s.holdingsBase[j] - ref[j]) / p.initialHoldingsBase)
    t.ok(worst <= 1e-9, `N=${periods}, lambda=${riskAversion}: max |x - ref|/X = ${worst}`)
    const { e, v } = referenceCost(p, ref)
    closeRel(t, s.expectedCostQuote, e, 1e-9, `N=${periods} E`)
    closeRel(t, s.varianceQuote2, v, 1e-9, `N=${periods} V`)
  }
})

/** cosh(x) - 1 without cancellation: Taylor series sum x^(2k)/(2k)! for |x| < 1, else cosh(x) - 1 directly. */
function coshMinusOne (x: number): number {
  if (Math.abs(x) >= 1) return Math.cosh(x) - 1
  let term = x * x / 2
  let sum = 0
  for (let k = 1; k < 30 && term !== 0; k++) {
    sum += term
    term *= x * x / ((2 * k + 1) * (2 * k + 2))
  }
  return sum
}

t.test('kappa satisfies (2/tau^2)(cosh(kappa tau) - 1) = kappaTilde^2 (rel 1e-12), kappaTilde*tau from 1e-9 to 1e3', async (t) => {
  // tau = 0.5 day; sigma = eta = 1, gamma = 0 so kappaTilde = sqrt(lambda)
  for (const kappaTildeTau of [1e-9, 1e-6, 1e-3, 0.1, 1, 3, 10, 100, 1e3]) {
    const tau = 0.5
    const kappaTildeTarget = kappaTildeTau / tau
    const p: AlmgrenChrissParams = {
      initialHoldingsBase: 100,
      horizonDays: 10 * tau,
      periods: 10,
      riskAversion: kappaTildeTarget ** 2,
      volQuote: 1,
      permanentImpact: 0,
      temporaryImpact: 1,
      halfSpreadQuote: 0
    }
    const s = optimalSchedule(p)
    const lhs = 2 / (tau * tau) * coshMinusOne(s.kappa * tau)
    closeRel(t, lhs, s.kappaTilde ** 2, 1e-12, `kappaTilde*tau = ${kappaTildeTau}`)
    closeRel(t, s.kappaTilde, kappaTildeTarget, 1e-15, `kappaTilde for ${kappaTildeTau}`)
  }
})

t.test('lambda = 0, sigma = 0 and strategy twap are TWAP exactly (1e-12) with the paper\'s TWAP E and V', async (t) => {
  const X = PAPER.initialHoldingsBase
  const N = 8
  const base = { ...PAPER, periods: N, horizonDays: 2 }
  for (const [label, p, strategy] of [
    ['lambda = 0', { ...base, riskAversion: 0 }, 'optimal'],
    ['sigma = 0', { ...base, volQuote: 0 }, 'optimal'],
    ['twap', base, 'twap']
  ] as const) {
    const s = optimalSchedule(p, strategy)
    for (let j = 0; j <= N; j++) {
      t.ok(Math.abs(s.holdingsBase[j] - X * (1 - j / N)) <= 1e-12 * X, `${label}: x_${j} = X(1 - j/N)`)
    }
    t.equal(s.kappa, 0, `${label}: kappa = 0`)
    t.equal(s.kappaTilde, 0, `${label}: kappaTilde = 0`)
    t.notOk('halfLifeDays' in s, `${label}: halfLifeDays absent`)
    // paper section 2.2, lambda -> 0 limit: E = eps X + gamma X^2/2 + etaTilde X^2/T;
    // V = sigma^2 X^2 T (1 - 1/N)(1 - 1/(2N))/3
    const tau = p.horizonDays / N
    const etaTilde = p.temporaryImpact - p.permanentImpact * tau / 2
    closeRel(t, s.expectedCostQuote, X / 16 + 2.5e-7 * X * X / 2 + etaTilde * X * X / p.horizonDays, 1e-12, `${label}: E`)
    const v = p.volQuote ** 2 * X * X * p.horizonDays * (1 - 1 / N) * (1 - 1 / (2 * N)) / 3
    if (v === 0) t.equal(s.varianceQuote2, 0, `${label}: V = 0`)
    else closeRel(t, s.varianceQuote2, v, 1e-12, `${label}: V`)
  }
})

t.test('N = 1: one trade of X, V = 0 (only x_N = 0 enters the sum), E = gamma X^2/2 + eps|X| + etaTilde X^2/tau', async (t) => {
  for (const X of [1e6, -1e6]) {
    const s = optimalSchedule({ ...PAPER, initialHoldingsBase: X, periods: 1 })
    t.same(s.holdingsBase, [X, 0])
    t.same(s.tradesBase, [X])
    t.equal(s.varianceQuote2, 0)
    t.equal(s.stdCostQuote, 0)
    const etaTilde = 2.5e-6 - 2.5e-7 * 5 / 2
    closeRel(t, s.expectedCostQuote, 2.5e-7 * X * X / 2 + Math.abs(X) / 16 + etaTilde * X * X / 5, 1e-14, 'E (closed form)')
  }
})

t.test('a buy mirrors a sell: holdings and trades negate, E and V identical', async (t) => {
  const sell = optimalSchedule(PAPER)
  const buy = optimalSchedule({ ...PAPER, initialHoldingsBase: -PAPER.initialHoldingsBase })
  for (let j = 0; j <= 5; j++) t.ok(buy.holdingsBase[j] === -sell.holdingsBase[j], `x_${j}`)
  for (let j = 0; j < 5; j++) t.ok(buy.tradesBase[j] === -sell.tradesBase[j], `n_${j + 1}`)
  t.ok(Object.is(buy.holdingsBase[5], 0), 'x_N is +0, not -0')
  t.equal(buy.expectedCostQuote, sell.expectedCostQuote)
  t.equal(buy.varianceQuote2, sell.varianceQuote2)
})

/** lambda that gives kappa*T = kappaT exactly, by inverting kappa*tau = 2 asinh(kappaTilde tau/2). */
function riskAversionForKappaT (kappaT: number, p: Omit<AlmgrenChrissParams, 'riskAversion'>): number {
  const tau = p.horizonDays / p.periods
  const etaTilde = p.temporaryImpact - p.permanentImpact * tau / 2
  const kappaTilde = 2 * Math.sinh(kappaT / p.periods / 2) / tau
  return etaTilde * kappaTilde ** 2 / p.volQuote ** 2
}

t.test('kappa*T = 2000 and 1e5: finite, monotone, front-loaded; x_1/x_0 = exp(-kappa tau) (rel 1e-12)', async (t) => {
  for (const [kappaT, periods] of [[2000, 100], [1e5, 10000]] as const) {
    const { riskAversion: _unused, ...rest } = PAPER
    const market = { ...rest, horizonDays: 1, periods }
    const p = { ...market, riskAversion: riskAversionForKappaT(kappaT, market) }
    const s = optimalSchedule(p)
    closeRel(t, s.kappa * p.horizonDays, kappaT, 1e-9, `kappa*T for ${kappaT}`)
    t.ok(s.holdingsBase.every(Number.isFinite) && s.tradesBase.every(Number.isFinite), 'finite trajectory')
    t.ok(Number.isFinite(s.expectedCostQuote) && Number.isFinite(s.varianceQuote2), 'finite E and V')
    let monotone = true
    let frontLoaded = true
    for (let j = 1; j <= periods; j++) if (!(s.holdingsBase[j] <= s.holdingsBase[j - 1])) monotone = false
    for (let j = 1; j < periods; j++) if (!(s.tradesBase[j] <= s.tradesBase[j - 1])) frontLoaded = false
    t.ok(monotone, `holdings non-increasing (kappa T = ${kappaT})`)
    t.ok(frontLoaded, `trades non-increasing (kappa T = ${kappaT})`)
    // sinh(kappa(T - tau))/sinh(kappa T) = exp(-kappa tau)(1 - e^{-2 kappa (T - tau)})/(1 - e^{-2 kappa T}) = exp(-kappa tau) to 1e-800
    closeRel(t, s.holdingsBase[1] / s.holdingsBase[0], Math.exp(-kappaT / periods), 1e-12, 'x_1/x_0')
  }
})

t.test('extreme but valid inputs (X = 1e12, sigma = 1e6, lambda = 1e3) give finite, near-immediate output', async (t) => {
  const p = { ...PAPER, initialHoldingsBase: 1e12, volQuote: 1e6, riskAversion: 1e3 }
  const s = optimalSchedule(p)
  const X = 1e12
  const tau = 1
  const etaTilde = s.etaTilde
  const kappaTau = Math.acosh(1 + (p.riskAversion * p.volQuote ** 2 / etaTilde) * tau * tau / 2) // ~61, no cancellation
  closeRel(t, s.kappa, kappaTau / tau, 1e-12, 'kappa (acosh form)')
  // Nearly everything is sold in the first interval: x_j = X e^{-kappa tau j} up to e^{-2 kappa tau} ~ 1e-53 relative.
  const eImmediate = p.permanentImpact * X * X / 2 + p.halfSpreadQuote * X + etaTilde / tau * X * X
  closeRel(t, s.expectedCostQuote, eImmediate, 1e-12, 'E ~ sell-all-in-first-interval cost')
  let sumSq = 0
  for (let j = 1; j < 5; j++) sumSq += Math.exp(-2 * kappaTau * j)
  closeRel(t, s.varianceQuote2, p.volQuote ** 2 * tau * X * X * sumSq, 1e-12, 'V ~ sigma^2 tau X^2 sum e^{-2 kappa tau j}')
  t.ok(Number.isFinite(s.stdCostQuote) && Number.isFinite(s.halfLifeDays ?? NaN), 'finite std and half-life')
})

t.test('overflowing E/V or kappa throw DomainRangeError instead of returning Infinity', async (t) => {
  const check = (p: AlmgrenChrissParams, param: string, label: string): void => {
    try {
      optimalSchedule(p)
      t.fail(`${label}: should throw`)
    } catch (err) {
      t.ok(err instanceof DomainRangeError, `${label}: DomainRangeError`)
      t.equal((err as DomainRangeError).param, param, `${label}: names ${param}`)
      t.match((err as Error).message, /^optimalSchedule: /, `${label}: names the function`)
    }
  }
  check({ ...PAPER, initialHoldingsBase: 1e200 }, 'initialHoldingsBase', 'X = 1e200')
  check({ ...PAPER, riskAversion: 1e300, volQuote: 1e300 }, 'riskAversion', 'kappaTilde overflow')
})

t.test('trajectoryCost of the optimal holdings reproduces the schedule E and V (rel 1e-14)', async (t) => {
  const s = optimalSchedule(PAPER)
  const c = trajectoryCost(PAPER, s.holdingsBase)
  closeRel(t, c.expectedCostQuote, s.expectedCostQuote, 1e-14, 'E')
  closeRel(t, c.varianceQuote2, s.varianceQuote2, 1e-14, 'V')
  // a non-monotone trajectory pays the spread on the round trip: eps*sum|n_j| = eps*(X + 2*overshoot)
  const x = [1e6, 1.2e6, 5e5, 0, 0, 0]
  const ref = referenceCost(PAPER, x)
  const got = trajectoryCost(PAPER, x)
  closeRel(t, got.expectedCostQuote, ref.e, 1e-14, 'E of a non-monotone trajectory')
  closeRel(t, got.varianceQuote2, ref.v, 1e-14, 'V of a non-monotone trajectory')
})

t.test('scaling: with eps = 0, E(cX) = c^2 E(X), V(cX) = c^2 V(X), x(cX)/(cX) unchanged (rel 1e-12)', async (t) => {
  const p = { ...PAPER, halfSpreadQuote: 0 }
  const s1 = optimalSchedule(p)
  for (const c of [1e-3, 7, -2.5, 1e4]) {
    const sc = optimalSchedule({ ...p, initialHoldingsBase: c * p.initialHoldingsBase })
    closeRel(t, sc.expectedCostQuote, c * c * s1.expectedCostQuote, 1e-12, `E scales as c^2, c=${c}`)
    closeRel(t, sc.varianceQuote2, c * c * s1.varianceQuote2, 1e-12, `V scales as c^2, c=${c}`)
    for (let j = 0; j <= 5; j++) {
      t.ok(Math.abs(sc.holdingsBase[j] / (c * p.initialHoldingsBase) - s1.holdingsBase[j] / p.initialHoldingsBase) <= 1e-12, `c=${c}, r_${j}`)
    }
  }
})
