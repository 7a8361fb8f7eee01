/**
 * Shared pieces of the stored JSON (model records, the embedded files), as TypeBox schemas
 * checked with `checkJson` (src/domain/learn/checks.ts: TypeError / RangeError naming the JSON
 * path and the rule, so a bad file stops start-up with a message an operator can act on), and
 * the rules a schema cannot hold. The embedded files keep their numbers in `{ value, origin }` leaves.
 */
import { Type, type NumberOptions, type Static } from '@sinclair/typebox'

export type JsonObject = Record<string, unknown>

/** Any JSON object (not an array, not null). */
export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown())

/** A `{ min, max }` range of finite numbers (max >= min: checkRange). */
export const RangeSchema = Type.Object({ min: Type.Number(), max: Type.Number() })
export type Range = Static<typeof RangeSchema>

/** A number with where it came from: `{ value, origin }`, origin not blank; `bounds` (JSON Schema number keywords) limit the value. */
export function sourcedNumber (bounds: NumberOptions = {}) {
  return Type.Object({ value: Type.Number(bounds), origin: Type.String({ minLength: 1, pattern: '\\S' }) })
}

/** A `{ value, origin }` number without bounds. */
export const SourcedNumberSchema = sourcedNumber()

/**
 * A fresh `{ min, max }` of a range that passed RangeSchema.
 * @throws RangeError `${path}.max must be >= min (got max)` when max < min.
 */
export function checkRange (range: Range, path: string): Range {
  if (!(range.max >= range.min)) throw new RangeError(`${path}.max must be >= min (got ${range.max})`)
  return { min: range.min, max: range.max }
}
