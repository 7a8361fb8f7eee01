import { evaluateRow, PARAM_COUNT, type FitData } from './istar-least-squares.js'
import { addOuter, invertSpd, markRowsNaN, multiply3, zeroMatrix } from './small-matrix.js'

export type IStarParamName = 'a1' | 'a2' | 'a4' | 'b1'
/** Order of the covariance rows and columns. */
export const ISTAR_PARAM_ORDER: readonly IStarParamName[] = ['a1', 'a2', 'a4', 'b1']

/** A parameter covariance in ISTAR_PARAM_ORDER; rows of fixed parameters are 0. */
export interface ParamCovariance {
  covariance: number[][]
  /** sqrt of the diagonal; 0 for a fixed parameter, NaN for an unidentified one */
  stdErrors: Record<IStarParamName, number>
  /** fitted parameters the data cannot identify (their Jacobian column is ~ dependent), rows NaN */
  unidentified: IStarParamName[]
}

function withStdErrors (covariance: number[][], unidentified: number[]): ParamCovariance {
  markRowsNaN(covariance, unidentified)
  const se = ISTAR_PARAM_ORDER.map((_, j) => Math.sqrt(Math.max(0, covariance[j][j])))
  return {
    covariance,
    stdErrors: { a1: se[0], a2: se[1], a4: se[2], b1: se[3] },
    unidentified: unidentified.map((j) => ISTAR_PARAM_ORDER[j])
  }
}

/**
 * Day-clustered sandwich covariance of weighted NLS (Cameron & Miller 2015, "A practitioner's
 * guide to cluster-robust inference", J. Human Resources 50(2), CR1):
 *   V = c * B^-1 M B^-1,  B = sum_i w_i J_i J_i^T,  M = sum_days s_d s_d^T,  s_d = sum_{i in d} w_i r_i J_i,
 *   c = G/(G-1) * (n-1)/(n-k),
 * with J_i = df_i/dtheta at the estimate, G days, k identified fitted parameters. Invariant to
 * the scale of the weights. Columns dependent on earlier ones (order a1, a2, a4, b1) are left
 * out of B^-1 and reported unidentified.
 */
export function clusteredCovariance (theta: readonly number[], data: FitData, dayIndex: Int32Array, dayCount: number, free: readonly boolean[]): ParamCovariance {
  const bread = zeroMatrix(PARAM_COUNT)
  const scores = Array.from({ length: dayCount }, () => new Array<number>(PARAM_COUNT).fill(0))
  const grad = [0, 0, 0, 0]
  const n = data.target.length
  for (let i = 0; i < n; i++) {
    const r = data.target[i] - evaluateRow(theta, data, i, grad)
    const w = data.weight[i]
    addOuter(bread, grad, w)
    const score = scores[dayIndex[i]]
    for (let j = 0; j < PARAM_COUNT; j++) score[j] += w * r * grad[j]
  }
  const meat = zeroMatrix(PARAM_COUNT)
  for (const score of scores) addOuter(meat, score, 1)
  const active = [0, 1, 2, 3].filter((j) => free[j])
  const { inverse, dropped } = invertSpd(bread, active)
  const k = active.length - dropped.length
  const correction = (dayCount / (dayCount - 1)) * ((n - 1) / Math.max(1, n - k))
  const covariance = multiply3(inverse, meat, inverse).map((row) => row.map((v) => v * correction))
  return withStdErrors(covariance, dropped)
}

/**
 * Sample covariance (divisor B - 1) of bootstrap estimates (Efron & Tibshirani 1993, "An
 * Introduction to the Bootstrap", eq. 6.6, here over day blocks). A fitted parameter whose
 * draws are not all finite, or fewer than 2 draws, is reported unidentified.
 */
export function drawsCovariance (draws: ReadonlyArray<readonly number[]>, free: readonly boolean[]): ParamCovariance {
  const covariance = zeroMatrix(PARAM_COUNT)
  const mean = new Array<number>(PARAM_COUNT).fill(0)
  for (const d of draws) for (let j = 0; j < PARAM_COUNT; j++) mean[j] += d[j] / draws.length
  for (const d of draws) addOuter(covariance, d.map((v, j) => (free[j] ? v - mean[j] : 0)), 1 / Math.max(1, draws.length - 1))
  const unidentified = [0, 1, 2, 3].filter((j) => free[j] && (draws.length < 2 || !Number.isFinite(covariance[j][j])))
  return withStdErrors(covariance, unidentified)
}

/**
 * The speed effect: how much more an order worked at a high POV pays than one worked at a low
 * POV, relative, for the same I*:
 *   R = MI(povHigh) / MI(povLow) - 1 = b1 (povHigh^a4 - povLow^a4) / (1 - b1 + b1 povLow^a4).
 * R = 0 exactly when b1 = 0 or a4 = 0 (the rate part is absent), so it is the quantity to test:
 * separate z-tests on b1 and a4 are not valid, because a4 is unidentified when b1 = 0 (Davies
 * 1987, Biometrika 74; Hansen 1996, Econometrica 64) and a free a4 then fits noise.
 * @returns R and its gradient in ISTAR_PARAM_ORDER (zero for a1 and a2).
 */
export function speedEffectWithGradient (theta: readonly number[], povLow: number, povHigh: number): { value: number, gradient: number[] } {
  const [, , a4, b1] = theta
  const low = Math.pow(povLow, a4)
  const high = Math.pow(povHigh, a4)
  const denominator = 1 - b1 + b1 * low
  const value = (b1 * (high - low)) / denominator
  const dA4 = (b1 * (high * Math.log(povHigh) - low * Math.log(povLow))) / denominator - (value * b1 * low * Math.log(povLow)) / denominator
  const dB1 = (high - low) / (denominator * denominator)
  return { value, gradient: [0, 0, dA4, dB1] }
}

/** Delta-method standard error sqrt(g^T V g) (NaN when V has an unidentified row that g uses). */
export function deltaMethodStdErr (gradient: readonly number[], covariance: readonly number[][]): number {
  let variance = 0
  for (let i = 0; i < gradient.length; i++) {
    if (gradient[i] === 0) continue
    for (let j = 0; j < gradient.length; j++) if (gradient[j] !== 0) variance += gradient[i] * gradient[j] * covariance[i][j]
  }
  return Math.sqrt(Math.max(0, variance))
}

/** Sample standard deviation (divisor n - 1); NaN for fewer than 2 values. */
export function sampleStdDev (values: readonly number[]): number {
  if (values.length < 2) return NaN
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1))
}
