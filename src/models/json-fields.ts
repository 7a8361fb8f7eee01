/**
 * Readers for the embedded JSON files, whose numbers sit in `{ value, origin }` leaves.
 * Each throws a TypeError naming the JSON path and the rule, so a bad file stops start-up
 * with a message an operator can act on.
 */
export type JsonObject = Record<string, unknown>

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

export function rangeAt (node: unknown, path: string): { min: number, max: number } {
  const o = objectAt(node, path)
  const min = finiteAt(o.min, `${path}.min`)
  const max = finiteAt(o.max, `${path}.max`, (n) => n >= min, '>= min')
  return { min, max }
}
