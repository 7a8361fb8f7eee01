/*
 * Warm start for power-law-solver.ts from the KKT conditions read backwards. With the notation of
 * power-law-solver.ts and g_t = (1+a)*POV_t^a + mu_t (mu_t >= 0 only at the cap), stationarity in
 * r_{t+1} is g_t = g_{t+1} + 2*beta*r_{t+1} and POV_t = min(maxParticipation, (g_t/(1+a))^(1/a)). A trial
 * g_{N-1} determines every trade by adding positive terms backwards (no cancellation), and r_0 rises
 * with it, so one scalar equation r_0(g_{N-1}) = 1 remains: safeguarded Halley (Newton near caps) on
 * log g_{N-1} against log r_0, O(N) per step (a power per period: most of a converged solve's time).
 * Newton on the holdings then polishes and certifies the point (KKT check).
 */

/** The normalised problem of power-law-solver.ts (declared here too, so the two files import one way only). */
export interface WarmStartProblem {
  /** a > 0 */
  exponent: number
  /** beta >= 0 */
  riskWeight: number
  /** w_t = v_t/|X| > 0 */
  volumeShare: Float64Array
  /** maxParticipation*w_t, or null */
  capShare: Float64Array | null
}

export interface WarmStart {
  /** r_0..r_N with r_0 = 1, r_N = 0. */
  holdings: Float64Array
  /** Leading trades at their cap. */
  cappedPrefix: number
}

const MAX_STEPS = 100
const LOG_TOLERANCE = 1e-14
const LOG_G_MIN = Math.log(1e-300)

/** The backward recursion's trajectory (trades that would need a marginal cost below 1e-300 set to zero), or null. */
export function kktWarmStart (problem: WarmStartProblem): WarmStart | null {
  const { exponent: a, riskWeight: beta, volumeShare: w, capShare: cap } = problem
  const n = w.length
  const r = new Float64Array(n + 1)
  const capped = new Uint8Array(n)
  let end = n - 1
  /**
   * log r_0 and its first two derivatives in u = log g_end for a trial u, trades after `end` zero; fills r
   * and capped. With q = free/(a*g): free' = q*g', free'' = q*(g'' + (1/a - 1)*g'^2/g).
   */
  let anyCapped = false
  const shoot = (logG: number): [number, number, number] => {
    let g = Math.exp(logG)
    let dg = g // d g / d log g_end
    let ddg = g
    let dr = 0
    let ddr = 0
    anyCapped = false
    r.fill(0, end + 1)
    capped.fill(0, end + 1)
    for (let t = end; t >= 0; t--) {
      const free = w[t] * (g / (1 + a)) ** (1 / a)
      const atCap = cap !== null && free >= cap[t]
      capped[t] = atCap ? 1 : 0
      if (atCap) anyCapped = true
      r[t] = r[t + 1] + (atCap ? (cap as Float64Array)[t] : free)
      if (!atCap) {
        const q = free / (a * g)
        dr += q * dg
        ddr += q * (ddg + (1 / a - 1) * dg * (dg / g))
      }
      g += 2 * beta * r[t]
      dg += 2 * beta * dr
      ddg += 2 * beta * ddr
    }
    const slope = dr / r[0]
    return [Math.log(r[0]), slope, ddr / r[0] - slope * slope]
  }
  let totalVolume = 0
  for (let t = 0; t < n; t++) totalVolume += w[t]
  let lo = LOG_G_MIN
  // VWAP's marginal cost: g only grows backwards and VWAP's POV 1/sum(w) is under the cap, so r_0 >= 1 here
  let hi = Math.log((1 + a) * (1 / totalVolume) ** a)
  if (shoot(lo)[0] > 0) {
    // the last marginal cost is below 1e-300 (a > 1 stops trading in finite time, Almgren 2003): the latest
    // end whose chain still fits, trades after it zero (below 1e-150 of the order)
    let fits = 0
    let overfills = n - 1
    while (overfills - fits > 1) {
      end = (fits + overfills) >>> 1
      if (shoot(lo)[0] > 0) overfills = end
      else fits = end
    }
    end = fits
    if (shoot(lo)[0] > 0) return null
  }
  let logG = hi // from the right: log r_0 is convex-like in log g in practice, so steps rarely overshoot (the bracket catches them)
  for (let step = 0; step < MAX_STEPS; step++) {
    const [logR, slope, curvature] = shoot(logG)
    if (Math.abs(logR) <= LOG_TOLERANCE) break
    if (!Number.isFinite(logR)) { // overflowed backwards: the root is usually a few units below
      hi = logG
      logG = Math.max((lo + hi) / 2, hi - 2)
      continue
    }
    if (logR > 0) hi = logG
    else lo = logG
    // Halley's step: cubic convergence, one or two trials fewer than Newton's from the same start. Newton's
    // when a trade is capped (log r_0 has a kink wherever a trade reaches its cap, the curvature misleads
    // there) or when the curvature term would more than double the step
    const denominator = slope - logR * curvature / (2 * slope)
    const newton = logG - logR / (!anyCapped && denominator > 0.5 * slope ? denominator : slope)
    logG = slope > 0 && newton > lo && newton < hi ? newton : (lo + hi) / 2
  }
  const scale = 1 / r[0]
  for (let i = 1; i < n; i++) r[i] *= scale
  r[0] = 1
  let cappedPrefix = 0
  while (cappedPrefix < n && capped[cappedPrefix] === 1) cappedPrefix++
  return { holdings: r, cappedPrefix }
}
