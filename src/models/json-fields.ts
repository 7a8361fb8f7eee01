/**
 * Shared pieces of the stored JSON (model records, the embedded files), as TypeBox schemas
 * checked with `checkJson` (src/domain/learn/checks.ts: TypeError / RangeError naming the JSON
 * path and the rule, so a bad file stops start-up with a message an operator can act on), and
 * the rules a schema cannot hold. The embedded files keep their numbers in `{ value, origin }` leaves.
 */
import { Type, type Static } from '@sinclair/typebox'

export type JsonObject = Record<string, unknown>

/** Any JSON object (not an array, not null). */
export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown())

/** A `{ min, max }` range of finite numbers (max >= min: checkRange). */
export const RangeSchema = Type.Object({ min: Type.Number(), max: Type.Number() })
export type Range = Static<typeof RangeSchema>

/** A number with where it came from: `{ value, origin }`, origin not blank. */
export const SourcedNumberSchema = Type.Object({ value: Type.Number(), origin: Type.String({ minLength: 1, pattern: '\\S' }) })

/**
 * A fresh `{ min, max }` of a range that passed RangeSchema.
 * @throws RangeError `${path}.max must be >= min (got max)` when max < min.
 */
export function checkRange (range: Range, path: string): Range {
  if (!(range.max >= range.min)) throw new RangeError(`${path}.max must be >= min (got ${range.max})`)
  return { min: range.min, max: range.max }
}

// The plain readers below are what src/market/market-state.ts still reads embedded/market-state.json with.

export function objectAt (node: unknown, path: string): JsonObject {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new TypeError(`${path} must be an object`)
  }
  return node as JsonObject
}

export function finiteAt (node: unknown, path: string, check?: (n: number) => boolean, rule?: string): number {
  if (typeof node !== 'number' || !Number.isFinite(node)) throw new TypeError(`${path} must be a finite number`)
  if (check !== undefined && !check(node)) throw new RangeError(`${path} must be ${rule ?? 'in range'} (got ${node})`)
  return node
}

/** Reads the `value` of a `{ value, origin }` leaf and insists on a non-empty origin. */
export function sourcedValue (parent: JsonObject, key: string, path: string, check?: (n: number) => boolean, rule?: string): number {
  const leaf = objectAt(parent[key], `${path}.${key}`)
  if (typeof leaf.origin !== 'string' || leaf.origin.trim() === '') throw new TypeError(`${path}.${key}.origin must be a non-empty string`)
  return finiteAt(leaf.value, `${path}.${key}.value`, check, rule)
}
