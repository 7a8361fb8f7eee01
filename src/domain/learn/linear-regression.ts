/**
 * Ordinary least squares with an intercept on standardised features, solved exactly by
 * Householder QR (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 5.2.1), never by
 * gradient descent or the normal equations (QR keeps the condition number, the normal
 * equations square it).
 *
 * Rank deficiency (a constant column, a duplicated or exactly collinear column) is handled
 * deterministically as R's lm() does (LINPACK dqrdc2 with tol 1e-7): columns are taken in
 * order (intercept first); a column whose norm, after removing its projection on the columns
 * already kept, falls below RANK_REL_TOL times sqrt(rows) (the norm of every standardised
 * non-constant column and of the intercept column) is dropped and gets coefficient 0 (where
 * R reports NA). So of two identical columns the first keeps the weight, and a constant
 * column (standardised to zeros) always gets 0.
 */
import { Type, type Static } from '@sinclair/typebox'
import { DomainRangeError } from '../errors.js'
import { checkDesign, checkJson, checkLength, resolveFeatureNames } from './checks.js'
import { fitStandardiser, standardiserFromJson, standardiserToJson, StandardiserSchema, type Standardiser } from './standardiser.js'

/** Relative norm below which a column counts as linearly dependent (R lm's default `tol`). */
export const RANK_REL_TOL = 1e-7

/** A fitted linear model: prediction = intercept + sum_j coefficients[j] * (x_j - mean_j) / std_j. */
export interface LinearModel {
  kind: 'linear'
  featureNames: string[]
  standardiser: Standardiser
  /** one per standardised feature; 0 for a dropped (constant or collinear) column */
  coefficients: number[]
  /** in target units: the prediction at the feature means */
  intercept: number
  trainingRows: number
}

/**
 * The JSON form of a LinearModel (already plain data). Lengths are checked by linearFromJson:
 * featureNames fixes n, and trainingRows must be >= n + 1.
 */
export const LinearJsonSchema = Type.Object({
  kind: Type.Literal('linear'),
  featureNames: Type.Array(Type.String(), { minItems: 1 }),
  standardiser: StandardiserSchema,
  coefficients: Type.Array(Type.Number()),
  intercept: Type.Number(),
  trainingRows: Type.Integer()
})
export type LinearJson = Static<typeof LinearJsonSchema>

export interface LinearFitOptions {
  featureNames?: string[]
}

/**
 * Fits y ~ intercept + Z beta by least squares, Z the standardised `rows`.
 * O(rows x columns^2).
 * @param rows one array of raw feature values per observation
 * @param targets one value per row, in target units
 * @throws DomainRangeError naming `rows` (empty, ragged, non-finite, fewer than columns + 1),
 *   `targets` (length mismatch, non-finite) or `options.featureNames` (wrong length).
 * @example fitLinearRegression([[0], [1], [2]], [1, 3, 5]).intercept // 3 (slope 2 per raw unit)
 */
export function fitLinearRegression (rows: number[][], targets: number[], options: LinearFitOptions = {}): LinearModel {
  const fn = 'fitLinearRegression'
  const nFeatures = checkDesign(fn, rows, targets, (d) => d + 1)
  const featureNames = resolveFeatureNames(fn, options.featureNames, nFeatures)
  const standardiser = fitStandardiser(rows)
  const nRows = rows.length
  const nCols = nFeatures + 1

  // Column-major design [1, Z].
  const design = new Float64Array(nRows * nCols)
  for (let i = 0; i < nRows; i++) {
    design[i] = 1
    for (let j = 0; j < nFeatures; j++) {
      design[(j + 1) * nRows + i] = (rows[i][j] - standardiser.mean[j]) / standardiser.std[j]
    }
  }
  // Every standardised non-constant column, like the intercept, has norm sqrt(nRows).
  const { solution } = solveLeastSquaresQr(design, nRows, nCols, targets, RANK_REL_TOL * Math.sqrt(nRows))
  return {
    kind: 'linear',
    featureNames,
    standardiser,
    coefficients: Array.from(solution.subarray(1)),
    intercept: solution[0],
    trainingRows: nRows
  }
}

/**
 * Least squares min ||y - A b|| for the column-major design A (nRows x nCols) by Householder QR,
 * columns taken in order; a column whose norm after removing its projection on the kept ones is
 * <= dependentNorm is dropped (coefficient 0, as R's lm() reports NA). Overwrites `design`.
 * @returns the coefficients, the kept column indices and the residual sum of squares.
 */
function solveLeastSquaresQr (design: Float64Array, nRows: number, nCols: number, targets: ArrayLike<number>, dependentNorm: number): { solution: Float64Array, kept: number[], rss: number } {
  const qty = Float64Array.from(targets)
  const kept: number[] = []
  const reflector = new Float64Array(nRows)
  for (let j = 0; j < nCols; j++) {
    const r = kept.length
    const norm = columnNorm(design, nRows, j, r)
    if (norm <= dependentNorm) continue
    // Householder vector v = x - alpha e1, alpha = -sign(x0) ||x|| (no cancellation).
    const base = j * nRows
    const x0 = design[base + r]
    const alpha = x0 >= 0 ? -norm : norm
    let vNormSq = 0
    for (let i = r; i < nRows; i++) {
      reflector[i] = design[base + i]
      if (i === r) reflector[i] -= alpha
      vNormSq += reflector[i] * reflector[i]
    }
    design[base + r] = alpha
    for (let i = r + 1; i < nRows; i++) design[base + i] = 0
    for (let k = j + 1; k < nCols; k++) applyReflector(reflector, vNormSq, design, k * nRows, r, nRows)
    applyReflector(reflector, vNormSq, qty, 0, r, nRows)
    kept.push(j)
  }
  // Back substitution R b = Q^T y over the kept columns; the rest of Q^T y is the residual.
  const solution = new Float64Array(nCols)
  for (let k = kept.length - 1; k >= 0; k--) {
    let acc = qty[k]
    for (let m = k + 1; m < kept.length; m++) acc -= design[kept[m] * nRows + k] * solution[kept[m]]
    solution[kept[k]] = acc / design[kept[k] * nRows + k]
  }
  let rss = 0
  for (let i = kept.length; i < nRows; i++) rss += qty[i] * qty[i]
  return { solution, kept, rss }
}

/** Supports tried by fitNonNegativeLinear: 2^columns, so at most this many columns. */
export const NNLS_MAX_COLUMNS = 8

export interface NonNegativeFitOptions {
  featureNames?: string[]
  /** the feature indices that may get a (non-negative) coefficient; the others get 0 */
  columns: readonly number[]
}

/**
 * Non-negative least squares through the origin: min ||y - X b||^2 subject to b >= 0, b_j = 0
 * outside `columns`. Solved exactly by enumerating the supports S of `columns`: the solution is
 * the unconstrained least squares on its own support with every coefficient > 0 (the
 * Kuhn-Tucker conditions, Lawson & Hanson 1974, "Solving Least Squares Problems", ch. 23), so
 * the feasible support fit with the smallest residual is the optimum. Each column is scaled by
 * its root mean square before QR (conditioning); the scale is stored as the standardiser's std,
 * with mean 0 and intercept 0, so predictLinear evaluates sum_j b_j x_j exactly.
 * With every chosen feature >= 0 and non-decreasing in some input, the prediction is >= 0 and
 * non-decreasing in it too: how the learned "linear" impact model is monotone in size by construction.
 * O(2^k rows k^2), k = columns.length <= NNLS_MAX_COLUMNS.
 * @throws DomainRangeError naming `rows` (as fitLinearRegression, with fewer than columns + 1 rows), `targets`, `options.featureNames`
 *   or `options.columns` (empty, repeated, out of range, more than NNLS_MAX_COLUMNS).
 * @example fitNonNegativeLinear([[1], [2], [3]], [2, 4, 6], { columns: [0] }) // 2 per raw unit: std [2.16] (the rms), coefficients [4.32]
 */
export function fitNonNegativeLinear (rows: number[][], targets: number[], options: NonNegativeFitOptions): LinearModel {
  const fn = 'fitNonNegativeLinear'
  const columns = options.columns
  // as many rows as columns identify the fit; one more leaves a residual (as fitLinearRegression's d + 1)
  const nFeatures = checkDesign(fn, rows, targets, () => Math.max(1, columns.length) + 1)
  const featureNames = resolveFeatureNames(fn, options.featureNames, nFeatures)
  const columnsOk = columns.length >= 1 && columns.length <= NNLS_MAX_COLUMNS && new Set(columns).size === columns.length &&
    columns.every((j) => Number.isInteger(j) && j >= 0 && j < nFeatures)
  if (!columnsOk) {
    throw new DomainRangeError(`${fn}: options.columns must be 1 to ${NNLS_MAX_COLUMNS} distinct feature indices in [0, ${nFeatures - 1}] (got [${columns.join(', ')}])`, 'options.columns', 'distinct feature indices')
  }
  const nRows = rows.length
  const scale = columns.map((j) => {
    let sumSq = 0
    for (const row of rows) sumSq += row[j] * row[j]
    const rms = Math.sqrt(sumSq / nRows)
    return rms > 0 ? rms : 1
  })
  let best: { coefficients: Float64Array, rss: number } = { coefficients: new Float64Array(columns.length), rss: targets.reduce((acc, y) => acc + y * y, 0) }
  for (let mask = 1; mask < 1 << columns.length; mask++) {
    const support = columns.map((_, k) => k).filter((k) => (mask & (1 << k)) !== 0)
    const design = new Float64Array(nRows * support.length)
    support.forEach((k, c) => { for (let i = 0; i < nRows; i++) design[c * nRows + i] = rows[i][columns[k]] / scale[k] })
    const { solution, kept, rss } = solveLeastSquaresQr(design, nRows, support.length, targets, RANK_REL_TOL * Math.sqrt(nRows))
    // a dropped (dependent) column is a smaller support, tried on its own; a negative one is infeasible
    if (kept.length !== support.length || !solution.every((b) => b > 0) || !(rss < best.rss)) continue
    const coefficients = new Float64Array(columns.length)
    support.forEach((k, c) => { coefficients[k] = solution[c] })
    best = { coefficients, rss }
  }
  const mean = new Array<number>(nFeatures).fill(0)
  const std = new Array<number>(nFeatures).fill(1)
  const coefficients = new Array<number>(nFeatures).fill(0)
  columns.forEach((j, k) => { std[j] = scale[k]; coefficients[j] = best.coefficients[k] })
  return { kind: 'linear', featureNames, standardiser: { mean, std }, coefficients, intercept: 0, trainingRows: nRows }
}

function columnNorm (design: Float64Array, nRows: number, column: number, fromRow: number): number {
  // Scaled sum of squares, as in LAPACK dnrm2, to avoid overflow/underflow.
  let scale = 0
  let sumSq = 1
  for (let i = fromRow; i < nRows; i++) {
    const value = Math.abs(design[column * nRows + i])
    if (value === 0) continue
    if (scale < value) {
      sumSq = 1 + sumSq * (scale / value) * (scale / value)
      scale = value
    } else {
      sumSq += (value / scale) * (value / scale)
    }
  }
  return scale * Math.sqrt(sumSq)
}

/** x <- (I - 2 v v^T / v^T v) x on rows fromRow..nRows-1 of the column starting at `offset`. */
function applyReflector (reflector: Float64Array, vNormSq: number, target: Float64Array, offset: number, fromRow: number, nRows: number): void {
  let dot = 0
  for (let i = fromRow; i < nRows; i++) dot += reflector[i] * target[offset + i]
  const factor = (2 * dot) / vNormSq
  for (let i = fromRow; i < nRows; i++) target[offset + i] -= factor * reflector[i]
}

/**
 * Predicts the target for one row of raw feature values. O(columns), no allocation.
 * Non-finite feature values give a non-finite prediction (callers validate inputs).
 * @throws RangeError if `row` has the wrong number of values (programmer error).
 */
export function predictLinear (model: LinearModel, row: ArrayLike<number>): number {
  const { mean, std } = model.standardiser
  const coefficients = model.coefficients
  if (row.length !== coefficients.length) throw new RangeError(`predictLinear: row must have ${coefficients.length} values (got ${row.length})`)
  let acc = model.intercept
  for (let j = 0; j < coefficients.length; j++) acc += coefficients[j] * ((row[j] - mean[j]) / std[j])
  return acc
}

/** A plain, JSON-serialisable copy of the model. */
export function linearToJson (model: LinearModel): LinearJson {
  return {
    kind: 'linear',
    featureNames: [...model.featureNames],
    standardiser: standardiserToJson(model.standardiser),
    coefficients: [...model.coefficients],
    intercept: model.intercept,
    trainingRows: model.trainingRows
  }
}

/**
 * Validates parsed JSON and builds a LinearModel from it.
 * Rules: LinearJsonSchema (kind 'linear'; featureNames a non-empty string array; finite
 * numbers; std > 0), then the lengths: featureNames' length n fixes standardiser.mean/std and
 * coefficients; trainingRows an integer >= n + 1.
 * @throws TypeError (missing field, wrong type) or RangeError (wrong length or value), the
 *   message naming the field path, e.g. `linearFromJson: coefficients[1] must be a finite number`.
 */
export function linearFromJson (json: unknown): LinearModel {
  const fn = 'linearFromJson'
  checkJson(LinearJsonSchema, json, 'model', { fn, relative: true })
  const nFeatures = json.featureNames.length
  const standardiser = standardiserFromJson(fn, json.standardiser, 'standardiser', nFeatures)
  checkLength(fn, json.coefficients, 'coefficients', nFeatures)
  if (json.trainingRows < nFeatures + 1) throw new RangeError(`${fn}: trainingRows must be an integer >= ${nFeatures + 1} (got ${json.trainingRows})`)
  return {
    kind: 'linear',
    featureNames: [...json.featureNames],
    standardiser,
    coefficients: [...json.coefficients],
    intercept: json.intercept,
    trainingRows: json.trainingRows
  }
}
