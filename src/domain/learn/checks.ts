/**
 * Input checks shared by the learners: training designs (rows x features, targets) and the
 * TypeBox check behind every reader of stored JSON (`linearFromJson`, `mlpFromJson`, model
 * records, the embedded files).
 *
 * Training inputs that are numerically invalid throw DomainRangeError (the HTTP layer maps
 * it to a 422 naming `param`). Stored-JSON readers throw TypeError for a missing field or a
 * wrong type and RangeError for a wrong shape or value; every message names the JSON path of
 * the field (and the function, where one is given).
 */
import type { Static, TSchema } from '@sinclair/typebox'
import { Value, type ValueError } from '@sinclair/typebox/value'
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

export interface JsonCheckOptions {
  /** named first in the message, e.g. `mlpFromJson: layers[1].weights[3] ...` */
  fn?: string
  /**
   * true: fields are named from inside the value (`layers[1]`) and `path` only names the value
   * itself; false (default): fields are named under `path` (`record.validity.volDaily.max`).
   */
  relative?: boolean
}

/**
 * Checks `value` against a TypeBox `schema` with `Value` (whose numbers are finite: NaN and
 * +-Infinity fail `Type.Number()`) and throws for the first problem in the schema's field order
 * (so a wrong `kind` is reported before the fields it lacks), naming its JSON path:
 * a missing field, a wrong type or a non-finite number is a TypeError (`x must be a finite
 * number (got NaN)`, `x must be an object`, `kind must be 'mlp' (got linear)`); a finite number
 * outside its bounds or an array of the wrong length is a RangeError (`x must be > 0 (got 0)`,
 * `layers must have length 3 (got 2)`). Rules the schema cannot hold (lengths that depend on
 * other fields, orderings) stay with the caller, after this check.
 * @throws TypeError / RangeError as above.
 */
export function checkJson<T extends TSchema> (schema: T, value: unknown, path: string, options: JsonCheckOptions = {}): asserts value is Static<T> {
  if (Value.Check(schema, value)) return
  let error: ValueError | undefined
  let errorOrder: number[] = []
  for (const candidate of Value.Errors(schema, value)) {
    const order = schemaOrder(schema, candidate.path)
    if (error === undefined || compareOrder(order, errorOrder) < 0) { error = candidate; errorOrder = order }
  }
  if (error === undefined) return
  const [ErrorType, rule] = problemOf(error.schema, error.value)
  const prefix = options.fn === undefined ? '' : `${options.fn}: `
  throw new ErrorType(`${prefix}${fieldPath(error.path, path, options.relative === true)} ${rule}`)
}

/**
 * @throws RangeError `${fn}: ${path} must have length ${length} (got n)` unless `array` has `length` items.
 */
export function checkLength (fn: string, array: readonly unknown[], path: string, length: number): void {
  if (array.length !== length) throw new RangeError(`${fn}: ${path} must have length ${length} (got ${array.length})`)
}

function pointerKeys (pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Where a JSON pointer falls in the schema: per level, the property's position or the array index. */
function schemaOrder (schema: TSchema, pointer: string): number[] {
  const order: number[] = []
  let node: TSchema | undefined = schema
  for (const key of pointerKeys(pointer)) {
    if (node?.properties !== undefined) {
      const position = Object.keys(node.properties as object).indexOf(key)
      order.push(position < 0 ? Number.MAX_SAFE_INTEGER : position)
      node = (node.properties as Record<string, TSchema>)[key]
    } else {
      order.push(/^\d+$/.test(key) ? Number(key) : Number.MAX_SAFE_INTEGER)
      node = Array.isArray(node?.items) ? node.items[Number(key)] : node?.items
    }
  }
  return order
}

/** Lexicographic; a parent (a prefix) comes before its fields. */
function compareOrder (a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** A JSON pointer (`/layers/1/weights/3`) as a field path: `layers[1].weights[3]`, under `path` unless `relative`. */
function fieldPath (pointer: string, path: string, relative: boolean): string {
  if (pointer === '') return path
  let out = relative ? '' : path
  for (const key of pointerKeys(pointer)) {
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`
  }
  return out
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** The error class and the rule (`must be ...`) for a value that fails `schema` itself. */
function problemOf (schema: TSchema, value: unknown): [TypeErrorConstructor | RangeErrorConstructor, string] {
  if (schema.const !== undefined) {
    const expected = typeof schema.const === 'string' ? `'${schema.const}'` : String(schema.const)
    return [typeof schema.const === 'number' && isFiniteNumber(value) ? RangeError : TypeError, `must be ${expected} (got ${String(value)})`]
  }
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((option: TSchema) => option.const !== undefined)) {
    const options = schema.anyOf.map((option: TSchema) => String(option.const))
    return [TypeError, `must be ${options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}` : options[0]}`]
  }
  switch (schema.type) {
    case 'number':
    case 'integer':
      return isFiniteNumber(value) ? [RangeError, `must be ${numberRule(schema)} (got ${value})`] : [TypeError, `must be a finite number (got ${String(value)})`]
    case 'string':
      return [TypeError, (schema.minLength ?? 0) >= 1 ? 'must be a non-empty string' : 'must be a string']
    case 'object':
      return [TypeError, 'must be an object']
    case 'array': {
      if (!Array.isArray(value)) return [TypeError, `must be an array${itemsOf(schema)}`]
      const { minItems, maxItems } = schema as { minItems?: number, maxItems?: number }
      if (minItems !== undefined && minItems === maxItems) return [RangeError, `must have length ${minItems} (got ${value.length})`]
      if (minItems === 1 && value.length === 0) return [TypeError, `must be a non-empty array${itemsOf(schema)}`]
      if (minItems !== undefined && value.length < minItems) return [RangeError, `must have at least ${minItems} item${minItems === 1 ? '' : 's'} (got ${value.length})`]
      return [RangeError, `must have at most ${String(maxItems)} items (got ${value.length})`]
    }
  }
  return [TypeError, 'is not valid']
}

/** `a positive integer`, `an integer >= 2`, `a safe integer`, `> 0`, `>= 0`, ... from the schema's bounds. */
function numberRule (schema: TSchema): string {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema as Record<string, number | undefined>
  if (schema.type === 'integer') {
    if (minimum === -Number.MAX_SAFE_INTEGER && maximum === Number.MAX_SAFE_INTEGER) return 'a safe integer'
    if (minimum === 1 && maximum === undefined) return 'a positive integer'
    if (minimum !== undefined && maximum !== undefined) return `an integer in [${minimum}, ${maximum}]`
    return minimum !== undefined ? `an integer >= ${minimum}` : 'an integer'
  }
  const bounds: string[] = []
  if (exclusiveMinimum !== undefined) bounds.push(`> ${exclusiveMinimum}`)
  if (minimum !== undefined) bounds.push(`>= ${minimum}`)
  if (exclusiveMaximum !== undefined) bounds.push(`< ${exclusiveMaximum}`)
  if (maximum !== undefined) bounds.push(`<= ${maximum}`)
  return bounds.length > 0 ? bounds.join(' and ') : 'a finite number'
}

/** ` of numbers`, ` of strings`, ` of 3 items` or nothing, for an array schema. */
function itemsOf (schema: TSchema): string {
  if (Array.isArray(schema.items)) return ` of ${schema.items.length} items`
  const type = (schema.items as TSchema | undefined)?.type
  return type === 'number' ? ' of numbers' : type === 'string' ? ' of strings' : type === 'array' ? ' of arrays' : type === 'object' ? ' of objects' : ''
}
