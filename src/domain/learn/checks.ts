/**
 * Input checks shared by the learners: training designs (rows x features, targets) and the
 * readers that validate stored models (`linearFromJson`, `mlpFromJson`).
 *
 * Training inputs that are numerically invalid throw DomainRangeError (the HTTP layer maps
 * it to a 422 naming `param`). Stored-model readers throw TypeError for a missing field or a
 * wrong type and RangeError for a wrong shape or value; every message names the function and
 * the JSON path of the field.
 */
import { DomainRangeError } from '../errors.js'

/**
 * Checks a training design: `rows` is a non-empty array of equally long arrays of finite
 * numbers, `targets` has one finite number per row, and there are at least `minRows` rows.
 * @returns the number of features (columns) per row.
 * @throws DomainRangeError naming `rows` or `targets` and the rule broken.
 */
export function checkDesign (fn: string, rows: readonly (readonly number[])[], targets: readonly number[], minRows: (nFeatures: number) => number): number {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new DomainRangeError(`${fn}: rows must be a non-empty array of rows`, 'rows', 'nonEmpty')
  }
  const first = rows[0]
  if (!Array.isArray(first) || first.length === 0) {
    throw new DomainRangeError(`${fn}: rows[0] must be a non-empty array of numbers`, 'rows', 'nonEmpty')
  }
  const nFeatures = first.length
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    if (!Array.isArray(row) || row.length !== nFeatures) {
      throw new DomainRangeError(`${fn}: rows[${i}] must have ${nFeatures} values like rows[0]`, 'rows', 'equalLength')
    }
    for (let j = 0; j < nFeatures; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) {
        throw new DomainRangeError(`${fn}: rows[${i}][${j}] must be a finite number (got ${String(row[j])})`, 'rows', 'finite')
      }
    }
  }
  if (!Array.isArray(targets) || targets.length !== rows.length) {
    throw new DomainRangeError(`${fn}: targets must have one value per row (${rows.length}), got ${Array.isArray(targets) ? targets.length : typeof targets}`, 'targets', 'lengthEqualsRows')
  }
  for (let i = 0; i < targets.length; i++) {
    if (typeof targets[i] !== 'number' || !Number.isFinite(targets[i])) {
      throw new DomainRangeError(`${fn}: targets[${i}] must be a finite number (got ${String(targets[i])})`, 'targets', 'finite')
    }
  }
  const needed = minRows(nFeatures)
  if (rows.length < needed) {
    throw new DomainRangeError(`${fn}: rows must number at least ${needed} for ${nFeatures} features (got ${rows.length})`, 'rows', `minItems ${needed}`)
  }
  return nFeatures
}

/**
 * Checks optional feature names: absent gives x0..x(n-1); present must be n strings.
 * @throws DomainRangeError naming `options.featureNames`.
 */
export function resolveFeatureNames (fn: string, featureNames: readonly string[] | undefined, nFeatures: number): string[] {
  if (featureNames === undefined) return Array.from({ length: nFeatures }, (_, j) => `x${j}`)
  if (!Array.isArray(featureNames) || featureNames.length !== nFeatures || !featureNames.every((name) => typeof name === 'string')) {
    throw new DomainRangeError(`${fn}: options.featureNames must be ${nFeatures} strings, one per column`, 'options.featureNames', 'lengthEqualsColumns')
  }
  return [...featureNames]
}

export type JsonRecord = Record<string, unknown>

/** @throws TypeError unless `node` is a plain (non-array) object. */
export function readObject (fn: string, node: unknown, path: string): JsonRecord {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new TypeError(`${fn}: ${path} must be an object`)
  return node as JsonRecord
}

/**
 * @throws TypeError unless `node` is a finite number; RangeError if `check` rejects it.
 */
export function readFinite (fn: string, node: unknown, path: string, check?: (n: number) => boolean, rule?: string): number {
  if (typeof node !== 'number' || !Number.isFinite(node)) throw new TypeError(`${fn}: ${path} must be a finite number (got ${String(node)})`)
  if (check !== undefined && !check(node)) throw new RangeError(`${fn}: ${path} must be ${rule ?? 'in range'} (got ${node})`)
  return node
}

/** @throws TypeError unless `node` is a positive integer (RangeError if a non-positive or fractional number). */
export function readPositiveInt (fn: string, node: unknown, path: string): number {
  return readFinite(fn, node, path, (n) => Number.isInteger(n) && n >= 1, 'a positive integer')
}

/**
 * Reads an array of `length` finite numbers (optionally each passing `check`).
 * @throws TypeError if not an array or an element is not a finite number; RangeError on the wrong length or a rejected value.
 */
export function readFiniteArray (fn: string, node: unknown, path: string, length: number, check?: (n: number) => boolean, rule?: string): number[] {
  if (!Array.isArray(node)) throw new TypeError(`${fn}: ${path} must be an array of numbers`)
  if (node.length !== length) throw new RangeError(`${fn}: ${path} must have length ${length} (got ${node.length})`)
  const out = new Array<number>(length)
  for (let i = 0; i < length; i++) out[i] = readFinite(fn, node[i], `${path}[${i}]`, check, rule)
  return out
}

/** @throws TypeError if not an array of strings; RangeError on the wrong length. */
export function readStringArray (fn: string, node: unknown, path: string, length: number): string[] {
  if (!Array.isArray(node)) throw new TypeError(`${fn}: ${path} must be an array of strings`)
  if (node.length !== length) throw new RangeError(`${fn}: ${path} must have length ${length} (got ${node.length})`)
  return node.map((name, i) => {
    if (typeof name !== 'string') throw new TypeError(`${fn}: ${path}[${i}] must be a string`)
    return name
  })
}
