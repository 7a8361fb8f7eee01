import { requireFinite, requireNumber } from './guards.js'

/**
 * The standard normal distribution: its CDF Phi and its quantile function (the probit), for
 * cost quantiles (execution/cost-distribution.ts) and calibration reports (tca/calibration-report.ts).
 * Both are the algorithms R's pnorm and qnorm use, with their published coefficients (written as
 * the shortest decimals that parse to the same doubles as the papers' 20-digit ones).
 */

/** 1 / sqrt(2 pi) */
const ONE_OVER_SQRT_2PI = 0.3989422804014327
/** Phi(-x) for x above this is below the smallest subnormal double (R's pnorm bound). */
const CDF_ZERO_BELOW = -38.4674

// Cody (1993) ANORM coefficients, |x| <= 0.67448975 (= qnorm(3/4))
const A = [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745]
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673]
// 0.67448975 < |x| <= sqrt(32)
const C = [0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726, 6848.190450536283, 11602.65143764735, 9842.714838383978, 1.0765576773720192e-08]
const D = [22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097, 34900.95272114598, 38912.00328609327, 19685.429676859992]
// |x| > sqrt(32)
const P = [0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934, 2.9112874951168793e-05, 0.023073441764940174]
const Q = [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 7.297515550839662e-05]

/** exp(-x^2 / 2) with x^2 split in two so the tails keep full relative accuracy (Cody's "del"). */
function gaussianTail (x: number): number {
  const head = Math.trunc(x * 16) / 16
  const del = (x - head) * (x + head)
  return Math.exp(-head * head * 0.5) * Math.exp(-del * 0.5)
}

/**
 * Lower tail Phi(-y) for y = |x| > 0.67448975, by Cody's rational Chebyshev approximations.
 */
function lowerTail (y: number): number {
  if (y <= Math.sqrt(32)) {
    let num = C[8] * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y
      den = (den + D[i]) * y
    }
    return gaussianTail(y) * (num + C[7]) / (den + D[7])
  }
  if (-y <= CDF_ZERO_BELOW) return 0
  const ySqInv = 1 / (y * y)
  let num = P[5] * ySqInv
  let den = ySqInv
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ySqInv
    den = (den + Q[i]) * ySqInv
  }
  const ratio = ySqInv * (num + P[4]) / (den + Q[4])
  return gaussianTail(y) * (ONE_OVER_SQRT_2PI - ratio) / y
}

/**
 * Standard normal CDF Phi(z) = P(Z <= z), by W. J. Cody's rational Chebyshev approximations
 * (Cody 1969, "Rational Chebyshev approximations for the error function", Math. Comp. 23(107),
 * 631-637; as ANORM in Cody 1993, "Algorithm 715: SPECFUN", ACM TOMS 19(1), 22-32, the algorithm
 * and coefficients of R's pnorm). Cody designs the approximations for about 18 significant
 * digits; in double precision the result agrees with mpmath to a relative error below 1e-14 in
 * both tails down to Phi(-37) ~ 5.7e-300 (test/domain/execution/cost-distribution.test.ts). The
 * tail below the central range is computed directly, never as 1 - Phi, so small probabilities
 * keep their relative accuracy. O(1).
 * @param z any finite number
 * @returns Phi(z) in [0, 1]; exactly 0.5 at 0, 0 below -38.4674, 1 once 1 - Phi(z) rounds to 1
 * @throws DomainRangeError naming 'z' when it is not finite
 * @example standardNormalCdf(1.959963984540054) // 0.975
 */
export function standardNormalCdf (z: number): number {
  requireFinite('standardNormalCdf', 'z', z)
  const y = Math.abs(z)
  if (y <= 0.67448975) {
    let num = 0
    let den = 0
    if (y > 1.1102230246251565e-16) {
      const zSq = z * z
      num = A[4] * zSq
      den = zSq
      for (let i = 0; i < 3; i++) {
        num = (num + A[i]) * zSq
        den = (den + B[i]) * zSq
      }
    }
    return 0.5 + z * (num + A[3]) / (den + B[3])
  }
  const lower = lowerTail(y)
  return z < 0 ? lower : 1 - lower
}

/**
 * Standard normal quantile (the probit) z = Phi^-1(p), by Wichura's algorithm AS241 PPND16
 * (M. J. Wichura 1988, "Algorithm AS 241: The percentage points of the normal distribution",
 * Applied Statistics 37(3), 477-484), accurate to about 1 part in 10^16: rational minimax
 * approximations in p - 1/2 for |p - 1/2| <= 0.425 and in sqrt(-ln(min(p, 1 - p))) in the tails
 * (the algorithm of R's qnorm). Antisymmetric about 1/2 up to the rounding of 1 - p. O(1).
 * @param p a probability in (0, 1)
 * @throws DomainRangeError naming 'p' unless 0 < p < 1
 * @example standardNormalQuantile(0.95) // 1.6448536269514722
 */
export function standardNormalQuantile (p: number): number {
  requireNumber('standardNormalQuantile', 'p', p, p > 0 && p < 1, 'in (0, 1)')
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return q * (((((((r * 2509.0809287301227 + 33430.57558358813) * r + 67265.7709270087) * r +
      45921.95393154987) * r + 13731.69376550946) * r + 1971.5909503065513) * r + 133.14166789178438) * r +
      3.3871328727963665) /
      (((((((r * 5226.495278852546 + 28729.085735721943) * r + 39307.89580009271) * r +
        21213.794301586597) * r + 5394.196021424751) * r + 687.1870074920579) * r + 42.31333070160091) * r + 1)
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p))
  let value: number
  if (r <= 5) {
    r -= 1.6
    value = (((((((r * 0.0007745450142783414 + 0.022723844989269184) * r + 0.2417807251774506) * r +
      1.2704582524523684) * r + 3.6478483247632045) * r + 5.769497221460691) * r + 4.630337846156546) * r +
      1.4234371107496835) /
      (((((((r * 1.0507500716444169e-09 + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) * r + 0.6897673349851) * r + 1.6763848301838038) * r + 2.053191626637759) * r + 1)
  } else {
    r -= 5
    value = (((((((r * 2.0103343992922881e-07 + 2.7115555687434876e-05) * r + 0.0012426609473880784) * r +
      0.026532189526576124) * r + 0.29656057182850487) * r + 1.7848265399172913) * r + 5.463784911164114) * r +
      6.657904643501103) /
      (((((((r * 2.0442631033899397e-15 + 1.421511758316446e-07) * r + 1.8463183175100548e-05) * r +
        0.0007868691311456133) * r + 0.014875361290850615) * r + 0.1369298809227358) * r + 0.599832206555888) * r + 1)
  }
  return q < 0 ? -value : value
}

/** z_0.95 = Phi^-1(0.95) ~ 1.6449: |z| <= Z_95 is the central 90 % band, p05 to p95. */
export const Z_95 = standardNormalQuantile(0.95)
