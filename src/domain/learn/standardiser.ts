/**
 * Feature standardisation z = (x - mean) / std, fitted once on training data and stored
 * with a model so predictions apply exactly the same transform.
 */
import { Type } from '@sinclair/typebox'
import { DomainRangeError } from '../errors.js'
import { checkJson, checkLength } from './checks.js'

/**
 * Per-column mean and (population) standard deviation; `std[j] > 0` always. A constant
 * column stores std 1 and its own value as mean, so it standardises to exactly 0.
 */
export interface Standardiser {
  mean: number[]
  std: number[]
}

/** A stored standardiser: finite means, finite std > 0 (the lengths are checked against the model). */
export const StandardiserSchema = Type.Object({
  mean: Type.Array(Type.Number()),
  std: Type.Array(Type.Number({ exclusiveMinimum: 0 }))
})

/**
 * A column whose spread is below this fraction of |mean| (or exactly zero) is constant up
 * to rounding: the two-pass variance of n equal doubles is of order (2^-52 |mean|)^2, not 0.
 */
export const CONSTANT_COLUMN_REL_TOL = 1e-12

/**
 * Mean and population standard deviation (divide by n, two-pass) of `values[indices[k]]`
 * (all values if `indices` is absent). A constant column (see CONSTANT_COLUMN_REL_TOL) gets
 * std 1 and, as mean, its first value (not the rounded average), so equal values map to exactly 0.
 * @throws DomainRangeError (param `values`) if there are no values to summarise.
 */
export function fitScalarStandardiser (values: ArrayLike<number>, indices?: ArrayLike<number>): { mean: number, std: number } {
  const count = indices === undefined ? values.length : indices.length
  if (count === 0) throw new DomainRangeError('fitScalarStandardiser: values must be non-empty', 'values', 'nonEmpty')
  let sum = 0
  for (let k = 0; k < count; k++) sum += values[indices === undefined ? k : indices[k]]
  const mean = sum / count
  let sumSq = 0
  for (let k = 0; k < count; k++) {
    const dev = values[indices === undefined ? k : indices[k]] - mean
    sumSq += dev * dev
  }
  const std = Math.sqrt(sumSq / count)
  if (std <= CONSTANT_COLUMN_REL_TOL * Math.abs(mean)) return { mean: values[indices === undefined ? 0 : indices[0]], std: 1 }
  return { mean, std }
}

/**
 * Fits per-column mean and population standard deviation over `rows` (or the rows listed
 * in `indices`, e.g. a training split). Constant columns (see CONSTANT_COLUMN_REL_TOL) get
 * std 1, so they map to 0 and carry no weight. O(rows x columns).
 * Rows are assumed already checked (equal lengths, finite values).
 * @throws DomainRangeError (param `rows`) if there are no rows.
 * @example fitStandardiser([[1, 5], [3, 5]]) // { mean: [2, 5], std: [1, 1] }
 */
export function fitStandardiser (rows: readonly (readonly number[])[], indices?: ArrayLike<number>): Standardiser {
  const count = indices === undefined ? rows.length : indices.length
  if (count === 0) throw new DomainRangeError('fitStandardiser: rows must be non-empty', 'rows', 'nonEmpty')
  const nColumns = rows[indices === undefined ? 0 : indices[0]].length
  const mean = new Array<number>(nColumns)
  const std = new Array<number>(nColumns)
  const column = new Float64Array(count)
  for (let j = 0; j < nColumns; j++) {
    for (let k = 0; k < count; k++) column[k] = rows[indices === undefined ? k : indices[k]][j]
    const fitted = fitScalarStandardiser(column)
    mean[j] = fitted.mean
    std[j] = fitted.std
  }
  return { mean, std }
}

/**
 * Writes (row[j] - mean[j]) / std[j] into `out` (allocated if absent) and returns it.
 * No allocation when `out` is given, so it suits a hot path.
 * @throws RangeError if `row` does not have one value per standardised column (programmer error).
 */
export function standardiseRow<T extends { length: number, [index: number]: number } = number[]> (standardiser: Standardiser, row: ArrayLike<number>, out?: T): T {
  const { mean, std } = standardiser
  if (row.length !== mean.length) throw new RangeError(`standardiseRow: row must have ${mean.length} values (got ${row.length})`)
  const target = out ?? (new Array<number>(mean.length) as unknown as T)
  for (let j = 0; j < mean.length; j++) target[j] = (row[j] - mean[j]) / std[j]
  return target
}

/** Plain copy of a standardiser (for JSON output). */
export function standardiserToJson (standardiser: Standardiser): Standardiser {
  return { mean: [...standardiser.mean], std: [...standardiser.std] }
}

/**
 * Validates a stored standardiser: `mean` and `std` of length `nColumns`, finite, std > 0.
 * @throws TypeError / RangeError naming `${path}.mean[j]` or `${path}.std[j]`.
 */
export function standardiserFromJson (fn: string, node: unknown, path: string, nColumns: number): Standardiser {
  checkJson(StandardiserSchema, node, path, { fn })
  checkLength(fn, node.mean, `${path}.mean`, nColumns)
  checkLength(fn, node.std, `${path}.std`, nColumns)
  return { mean: [...node.mean], std: [...node.std] }
}
