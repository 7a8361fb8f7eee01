import { solveSpd, zeroMatrix } from './small-matrix.js'

/**
 * Weighted nonlinear least squares for the I-Star market impact
 *   f(theta) = a1 * sigma * s^a2 * (1 - b1 + b1 * p^a4),  theta = [a1, a2, a4, b1],
 * by Levenberg-Marquardt (Marquardt 1963, "An algorithm for least-squares estimation of
 * nonlinear parameters", with his diagonal scaling) and bounds kept by PROJECTION: every trial
 * point is clipped into the box, and a parameter at a bound whose gradient points out of the
 * box is held there for that step (a projected / active-set LM as in Kanzow, Yamashita &
 * Fukushima 2004). Internal to calibrate-istar.ts; inputs are prepared and checked there.
 */

/** Rows of a fit, as parallel arrays: log size, log POV, sigma, target, weight. */
export interface FitData {
  logSize: Float64Array
  logPov: Float64Array
  volDaily: Float64Array
  target: Float64Array
  weight: Float64Array
}

export interface Box { lower: readonly number[], upper: readonly number[] }

export interface LeastSquaresResult {
  theta: number[]
  weightedSse: number
  iterations: number
  converged: boolean
  atBound: boolean[]
}

export const PARAM_COUNT = 4

/** Fills `grad` with df/dtheta at row i and returns f. */
export function evaluateRow (theta: readonly number[], data: FitData, i: number, grad: number[]): number {
  const [a1, a2, a4, b1] = theta
  const sizePow = Math.exp(a2 * data.logSize[i])
  const povPow = Math.exp(a4 * data.logPov[i])
  const rateFactor = 1 - b1 + b1 * povPow
  const scale = data.volDaily[i] * sizePow
  const value = a1 * scale * rateFactor
  grad[0] = scale * rateFactor
  grad[1] = value * data.logSize[i]
  grad[2] = a1 * scale * b1 * povPow * data.logPov[i]
  grad[3] = a1 * scale * (povPow - 1)
  return value
}

export function weightedSse (theta: readonly number[], data: FitData): number {
  const grad = [0, 0, 0, 0]
  let sse = 0
  for (let i = 0; i < data.target.length; i++) {
    const r = data.target[i] - evaluateRow(theta, data, i, grad)
    sse += data.weight[i] * r * r
  }
  return sse
}

/** J^T W J and J^T W r at theta. */
function normalEquations (theta: readonly number[], data: FitData): { hessian: number[][], gradient: number[], sse: number } {
  const hessian = zeroMatrix(PARAM_COUNT)
  const gradient = [0, 0, 0, 0]
  const grad = [0, 0, 0, 0]
  let sse = 0
  for (let i = 0; i < data.target.length; i++) {
    const w = data.weight[i]
    const r = data.target[i] - evaluateRow(theta, data, i, grad)
    sse += w * r * r
    for (let a = 0; a < PARAM_COUNT; a++) {
      gradient[a] += w * r * grad[a]
      for (let b = 0; b <= a; b++) hessian[a][b] += w * grad[a] * grad[b]
    }
  }
  for (let a = 0; a < PARAM_COUNT; a++) for (let b = a + 1; b < PARAM_COUNT; b++) hessian[a][b] = hessian[b][a]
  return { hessian, gradient, sse }
}

function project (theta: readonly number[], box: Box): number[] {
  return theta.map((v, j) => Math.min(box.upper[j], Math.max(box.lower[j], v)))
}

const SSE_REL_TOL = 1e-13
const STEP_REL_TOL = 1e-10
const LAMBDA_MAX = 1e16

/**
 * Minimises sum_i w_i (y_i - f_i(theta))^2 over the box, moving only the `free` parameters.
 * Stops when a step lowers the weighted SSE by less than SSE_REL_TOL relative while moving
 * no parameter by more than 1e-6 relative, when a step moves none by more than STEP_REL_TOL,
 * when no descent is left (empty active set or damping above LAMBDA_MAX: a stationary point
 * of the box-constrained problem), or after maxIterations (converged = false).
 */
export function levenbergMarquardt (data: FitData, start: readonly number[], free: readonly boolean[], box: Box, maxIterations: number): LeastSquaresResult {
  let theta = project(start, box)
  let lambda = 1e-3
  let iterations = 0
  let converged = false
  let eq = normalEquations(theta, data)
  while (iterations < maxIterations && !converged) {
    iterations++
    const active: number[] = []
    for (let j = 0; j < PARAM_COUNT; j++) {
      if (!free[j]) continue
      const g = eq.gradient[j] // descent direction of the SSE
      if (theta[j] <= box.lower[j] && g <= 0) continue
      if (theta[j] >= box.upper[j] && g >= 0) continue
      active.push(j)
    }
    if (active.length === 0 || eq.sse === 0) { converged = true; break }
    let accepted = false
    while (!accepted) {
      const damped = eq.hessian.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) + 1e-300 : v)))
      const step = solveSpd(damped, eq.gradient, active)
      if (step === null) { lambda *= 10; if (lambda > LAMBDA_MAX) break; continue }
      const trial = project(theta.map((v, j) => v + step[j]), box)
      const trialSse = weightedSse(trial, data)
      if (trialSse < eq.sse) {
        let maxRelStep = 0
        for (let j = 0; j < PARAM_COUNT; j++) maxRelStep = Math.max(maxRelStep, Math.abs(trial[j] - theta[j]) / (Math.abs(theta[j]) + 1e-8))
        const relDecrease = (eq.sse - trialSse) / eq.sse
        converged = (relDecrease < SSE_REL_TOL && maxRelStep < 1e-6) || maxRelStep < STEP_REL_TOL
        theta = trial
        eq = normalEquations(theta, data)
        lambda = Math.max(lambda / 3, 1e-12)
        accepted = true
      } else {
        lambda *= 4
        if (lambda > LAMBDA_MAX) break
      }
    }
    if (!accepted) converged = true
  }
  const atBound = theta.map((v, j) => free[j] && (v <= box.lower[j] || v >= box.upper[j]))
  return { theta, weightedSse: eq.sse, iterations, converged, atBound }
}
