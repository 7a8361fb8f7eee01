/*
 * Numerical core of power-law-schedule.ts. The problem, normalised by the order size |X| and by
 * P*k*|X| (sell frame; holdings r_i = x_i/|X|, i = 0..N, r_0 = 1, r_N = 0; trades d_t = r_t - r_{t+1},
 * t = 0..N-1, the paper's n_{t+1}/|X|):
 *   minimise Phi(r) = sum_t d_t*(d_t/w_t)^a + beta*sum_{i=1..N-1} r_i^2
 *   subject to 0 <= d_t <= cap_t = maxParticipation*w_t,
 * where w_t = v_t/|X| (so d_t/w_t is the period's POV), a = a4 and beta = lambda*sigma^2*tau*|X|/(P*k).
 * Phi is strictly convex: |d|^(1+a) is convex for every a > 0 (Almgren 2003, section 3).
 *
 * Structure used (derived here from the KKT conditions; Almgren 2003 treats the uncapped case):
 * with g_t = phi'(POV_t) + mu_t, stationarity in r_{t+1} reads g_t - g_{t+1} = 2*beta*r_{t+1} >= 0,
 * and phi'(POV) = (1+a)*POV^a is the same function in every period. So the optimal POV never rises,
 * d_t > 0 for all t (a zero trade would chain zeros back to t = 0), and the cap binds on a prefix
 * t < m only. Newton steps on the free holdings r_{m+1..N-1} (tridiagonal Hessian, Thomas algorithm,
 * O(N); Armijo line search keeping every trade >= 0) start from the same conditions solved backwards
 * (power-law-warm-start.ts), which also gives m; they converge there in one iteration in practice and
 * certify the point. If that fails, m is found by bisection (a free solution that respects the cap in
 * its first period respects it everywhere, and does so for every later start too), Newton starting
 * from VWAP for each candidate.
 */

import { kktWarmStart } from './power-law-warm-start.js'

export interface NormalizedProblem {
  /** a: the POV exponent a4, > 0. */
  exponent: number
  /** beta = lambda*sigma^2*tau*|X|/(P*k), >= 0. */
  riskWeight: number
  /** w_t = v_t/|X|, t = 0..N-1, > 0. */
  volumeShare: Float64Array
  /** maxParticipation*w_t, or null when uncapped. */
  capShare: Float64Array | null
}

export interface SolverOptions {
  /** Converged when the Newton step is at most this (a fraction of |X|) ... */
  stepTolerance: number
  /** ... or when the gradient is at most this times its scale (max phi' + 2*beta*r_1). */
  gradientTolerance: number
  /** Budget of Newton iterations over all candidate prefixes. */
  maxIterations: number
  /** Start from the KKT backward recursion (power-law-warm-start.ts); false: from VWAP only. */
  warmStart: boolean
}

export interface SolverResult {
  /** r_0..r_N. */
  holdings: Float64Array
  /** m: trades 0..m-1 are at their cap. */
  cappedPrefix: number
  iterations: number
  converged: boolean
  /** Largest KKT violation (free gradient, negative cap multipliers) relative to the gradient scale. */
  kktResidual: number
}

const FRACTION_TO_BOUNDARY = 0.9
/** Step tolerance of the bisection's probes (a fraction of |X|). */
const PROBE_STEP_TOLERANCE = 1e-8
const ARMIJO = 1e-4
/** For a >= 1 a trade may end this close below zero (a fraction of |X|): tails below rounding are zero to machine precision. */
const ROUNDING_FLOOR = 8 * Number.EPSILON
/** Trades are evaluated at no less than this, so that phi'' = a(1+a)POV^a/d stays finite for a < 1. */
const MIN_TRADE = 1e-300
const MAX_CURVATURE = 1e150
const TRADE_STEP_RELATIVE = 1e-6

export function solveNormalized (problem: NormalizedProblem, options: SolverOptions): SolverResult {
  return new PrefixSolver(problem, options).solve()
}

class PrefixSolver {
  private readonly n: number
  private readonly a: number
  private readonly beta: number
  private readonly w: Float64Array
  private readonly cap: Float64Array | null
  private readonly opts: SolverOptions
  private readonly problem: NormalizedProblem
  private readonly r: Float64Array
  private readonly trial: Float64Array
  private readonly phiPrime: Float64Array
  private readonly phiSecond: Float64Array
  private readonly grad: Float64Array
  private readonly ratio: Float64Array
  private readonly dz: Float64Array
  private gScale = 1
  private iterations = 0
  /** phiPrime, phiSecond, grad and gScale are those of the current r (every write to r clears it). */
  private derivativesFresh = false

  constructor (problem: NormalizedProblem, opts: SolverOptions) {
    const n = problem.volumeShare.length
    this.n = n
    this.a = problem.exponent
    this.beta = problem.riskWeight
    this.w = problem.volumeShare
    this.cap = problem.capShare
    this.opts = opts
    this.problem = problem
    this.r = new Float64Array(n + 1)
    this.trial = new Float64Array(n + 1)
    this.phiPrime = new Float64Array(n)
    this.phiSecond = new Float64Array(n)
    this.grad = new Float64Array(n + 1)
    this.ratio = new Float64Array(n + 1)
    this.dz = new Float64Array(n + 1)
  }

  solve (): SolverResult {
    const { n, cap } = this
    // mMax: the most periods that can trade at the cap while some of the order is left for period mMax
    let mMax = 0
    if (cap !== null) {
      let sumCap = 0
      while (mMax < n - 1 && sumCap + cap[mMax] < 1) sumCap += cap[mMax++]
      if (mMax === n - 1 && sumCap + cap[mMax] <= 1) return this.allCapped() // |X| = cap*sum(v) up to rounding
    }
    // Newton from the KKT backward recursion: one or two iterations when its capped prefix is right
    const warm = this.opts.warmStart ? kktWarmStart(this.problem) : null
    if (warm !== null && (cap === null || warm.cappedPrefix <= mMax)) {
      const m = warm.cappedPrefix
      this.r.set(warm.holdings)
      this.derivativesFresh = false
      if (this.solveFrom(m, this.opts.stepTolerance, true) && !this.violates(m) &&
        (m === 0 || this.lastCapMultiplier(m) >= -this.opts.gradientTolerance * this.gScale)) return this.finish(m, true)
    }
    if (!this.solveFrom(0)) return this.finish(0, false)
    if (cap === null || !this.violates(0)) return this.finish(0, true)
    // smallest m in [1, mMax] whose free solution respects the cap (not violated at mMax: see header)
    const probeTolerance = Math.max(this.opts.stepTolerance, PROBE_STEP_TOLERANCE)
    let lo = 1
    let hi = mMax
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (!this.solveFrom(mid, probeTolerance)) return this.finish(mid, false)
      if (this.violates(mid)) lo = mid + 1
      else hi = mid
    }
    // full accuracy at m; a probe misread at the loose tolerance is corrected by stepping to a neighbour
    let m = lo
    for (;;) {
      if (!this.solveFrom(m)) return this.finish(m, false)
      if (m < mMax && this.violates(m)) m++
      else if (m > 1 && this.lastCapMultiplier(m) < -this.opts.gradientTolerance * this.gScale) m--
      else return this.finish(m, true)
    }
  }

  /** mu_{m-1}, the multiplier of the last capped trade: G_m, from mu_{m-1} = mu_m + G_m with mu_m = 0. */
  private lastCapMultiplier (m: number): number {
    this.derivatives()
    return this.grad[m]
  }

  private violates (m: number): boolean {
    return this.cap !== null && this.r[m] - this.r[m + 1] > this.cap[m]
  }

  private allCapped (): SolverResult {
    const { r, n, cap } = this
    this.derivativesFresh = false
    r[0] = 1
    for (let t = 0; t < n - 1; t++) r[t + 1] = r[t] - (cap as Float64Array)[t]
    r[n] = 0
    return this.finish(n, true)
  }

  /**
   * Trades 0..m-1 at the cap, then Newton on r_{m+1..N-1} from a volume-weighted start, to the step
   * tolerance `stepTolerance` (looser while bisecting: only the sign of d_m - cap_m is needed there).
   */
  private solveFrom (m: number, stepTolerance = this.opts.stepTolerance, warm = false): boolean {
    const { r, n, w, cap } = this
    this.derivativesFresh = false
    r[0] = 1
    for (let t = 0; t < m; t++) r[t + 1] = r[t] - (cap as Float64Array)[t]
    if (!warm) {
      let freeVolume = 0
      for (let t = m; t < n; t++) freeVolume += w[t]
      const remaining = r[m]
      for (let t = m; t < n - 1; t++) r[t + 1] = r[t] - remaining * (w[t] / freeVolume)
    }
    r[n] = 0
    for (;;) {
      if (this.iterations >= this.opts.maxIterations) return false
      this.iterations++
      this.derivatives()
      const stepMax = this.newtonDirection(m)
      let gradMax = 0
      let slope = 0
      for (let i = m + 1; i < n; i++) {
        gradMax = Math.max(gradMax, Math.abs(this.grad[i]))
        slope += this.grad[i] * this.dz[i]
      }
      if (gradMax <= this.opts.gradientTolerance * this.gScale) return true
      if (stepMax <= stepTolerance && this.tradeStepsSmall(m)) return true
      if (!this.lineSearch(m, slope)) return false
    }
  }

  /**
   * For a < 1 a small step is not enough: near a zero trade phi'' ~ d^(a-1) is huge, so Newton creeps
   * (a trade of 1e-23 whose optimum is 1e-8 moves by less than 1e-13 of |X|). Converged also needs every
   * free trade to change by at most TRADE_STEP_RELATIVE of itself. For a >= 1 curvature does not blow up.
   */
  private tradeStepsSmall (m: number): boolean {
    if (this.a >= 1) return true
    const { r, dz, n } = this
    for (let t = m; t < n; t++) {
      const deltaTrade = (t > m ? dz[t] : 0) - (t + 1 < n ? dz[t + 1] : 0)
      if (Math.abs(deltaTrade) > TRADE_STEP_RELATIVE * Math.max(r[t] - r[t + 1], MIN_TRADE)) return false
    }
    return true
  }

  /** Armijo backtracking from the largest step that keeps every trade >= 0 (fraction to the boundary). */
  private lineSearch (m: number, slope: number): boolean {
    const { r, dz, trial, n } = this
    // for a >= 1 a trade may land within rounding below zero (tails far below rounding when lambda is large);
    // for a < 1 never: phi'' -> infinity at zero, and a trade stuck there would stop Newton short
    const floor = this.a >= 1 ? -ROUNDING_FLOOR : 0
    let alpha = 1
    for (let t = m; t < n; t++) {
      const deltaTrade = (t > m ? dz[t] : 0) - (t + 1 < n ? dz[t + 1] : 0)
      const d = r[t] - r[t + 1]
      if (deltaTrade < 0 && d + deltaTrade < floor) alpha = Math.min(alpha, FRACTION_TO_BOUNDARY * Math.max(d, 0) / -deltaTrade)
    }
    const phi0 = this.objective(r)
    const noise = 4 * Number.EPSILON * Math.abs(phi0)
    trial.set(r)
    for (let tries = 0; tries < 60 && alpha > 0; tries++) {
      for (let i = m + 1; i < n; i++) trial[i] = r[i] + alpha * dz[i]
      if (this.objective(trial) <= phi0 + ARMIJO * alpha * slope + noise) {
        r.set(trial)
        this.derivativesFresh = false
        return true
      }
      alpha /= 2
    }
    return false
  }

  private objective (r: Float64Array): number {
    const { n, w, a, beta } = this
    let cost = 0
    let risk = 0
    for (let t = 0; t < n; t++) {
      const d = Math.abs(r[t] - r[t + 1])
      cost += d * (d / w[t]) ** a
    }
    for (let i = 1; i < n; i++) risk += r[i] * r[i]
    return cost + beta * risk
  }

  /**
   * phi'_t = (1+a)POV^a, phi''_t = a(1+a)POV^a/d, G_i = dPhi/dr_i, and the gradient scale. phi'' is
   * taken at no less than the rounding resolution of the holdings (4 ulps of r_t): a trade that rounding
   * has made 0 would otherwise have infinite curvature for a < 1 and never move again.
   */
  private derivatives (): void {
    // already at this r: the last Newton iteration's, when finish() or lastCapMultiplier() asks again (a
    // pass of N powers, most of a converged solve's time when a is not 0.5 or 1)
    if (this.derivativesFresh) return
    this.derivativesFresh = true
    const { n, w, a, beta, r, phiPrime, phiSecond, grad } = this
    let maxPrime = 0
    for (let t = 0; t < n; t++) {
      const d = Math.max(r[t] - r[t + 1], 0)
      const povPow = (d / w[t]) ** a
      phiPrime[t] = (1 + a) * povPow
      const resolved = Math.max(4 * Number.EPSILON * r[t], MIN_TRADE)
      const second = d >= resolved ? a * (1 + a) * povPow / d : a * (1 + a) * (resolved / w[t]) ** a / resolved
      phiSecond[t] = Math.min(second, MAX_CURVATURE)
      if (phiPrime[t] > maxPrime) maxPrime = phiPrime[t]
    }
    for (let i = 1; i < n; i++) grad[i] = phiPrime[i] - phiPrime[i - 1] + 2 * beta * r[i]
    const scale = maxPrime + 2 * beta * (n > 1 ? r[1] : 0)
    this.gScale = scale > 0 ? scale : 1
  }

  /**
   * Solves H dz = -G on the free holdings i = m+1..N-1 and returns max|dz|. H is tridiagonal: a
   * path-graph Laplacian with edge weights h_t = phi''_t (edges m and N-1 tie to the fixed r_m and
   * r_N) plus 2*beta on the diagonal. Thomas' algorithm runs in series-conductance form, pivot
   * p_i = e_i + 2*beta + h_i with e_{i+1} = h_i*(e_i + 2*beta)/p_i: no subtraction, so curvatures
   * 1e150 apart (tiny tail trades when a < 1) lose nothing.
   */
  private newtonDirection (m: number): number {
    const { n, phiSecond, grad, beta, ratio, dz } = this
    if (m + 1 >= n) return 0
    let inflow = phiSecond[m]
    for (let i = m + 1; i < n; i++) {
      const grounded = inflow + 2 * beta
      const outflow = phiSecond[i]
      const pivot = grounded + outflow
      ratio[i] = outflow / pivot // h_i/p_i in [0, 1]
      dz[i] = (-grad[i] + (i > m + 1 ? phiSecond[i - 1] * dz[i - 1] : 0)) / pivot
      inflow = outflow * (grounded / pivot)
    }
    let stepMax = Math.abs(dz[n - 1])
    for (let i = n - 2; i > m; i--) {
      dz[i] += ratio[i] * dz[i + 1]
      stepMax = Math.max(stepMax, Math.abs(dz[i]))
    }
    return stepMax
  }

  /**
   * KKT check at the final point: gradient on the free holdings, and multipliers of the capped trades
   * (Lagrangian Phi + sum mu_t (d_t - cap_t)), mu_{t-1} = mu_t + G_t from mu_m = 0.
   */
  private finish (m: number, solved: boolean): SolverResult {
    this.derivatives()
    const { grad, n } = this
    let residual = 0
    for (let i = m + 1; i < n; i++) residual = Math.max(residual, Math.abs(grad[i]))
    let multiplier = 0
    let minMultiplier = Infinity
    if (m < n) {
      for (let i = m; i >= 1; i--) {
        multiplier += grad[i]
        minMultiplier = Math.min(minMultiplier, multiplier)
      }
    }
    if (minMultiplier < 0) residual = Math.max(residual, -minMultiplier)
    const kktResidual = residual / this.gScale
    return {
      holdings: this.r,
      cappedPrefix: m,
      iterations: this.iterations,
      converged: solved && (minMultiplier >= -this.opts.gradientTolerance * this.gScale),
      kktResidual
    }
  }
}
