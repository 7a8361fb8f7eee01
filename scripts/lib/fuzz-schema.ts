import fc from 'fast-check'
import { Pairs, hostileValue, toJsonText, toTree, unknownKey } from './fuzz-values.js'

/**
 * Request bodies generated from the route's own JSON schema (the OpenAPI document the app
 * serves), so a new field or route is fuzzed without anyone writing a generator for it.
 * Covers the subset the routes use: type, enum, pattern, bounds, items, required,
 * additionalProperties, minProperties, draft-07 `dependencies`, local `$ref`s and a one-element `allOf`.
 */
export type JsonSchema = Record<string, unknown>

export interface SchemaContext {
  /** `#/components/schemas/*` of the OpenAPI document */
  components: Record<string, JsonSchema>
  /** preferred values for a property of this name (e.g. `symbol`: the symbols the server knows) */
  hints: Record<string, fc.Arbitrary<unknown>>
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
/** Arrays are short, except now and then exactly maxItems and maxItems + 1 long (a full batch, one too many). */
const SHORT_ARRAY = 5
const FULL_ARRAY_WEIGHT = 1
const SHORT_ARRAY_WEIGHT = 40

function resolve (schema: JsonSchema, ctx: SchemaContext): JsonSchema {
  // `allOf: [one]` (a $ref wrapped so it can carry siblings such as examples) is that one schema
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.type === undefined) return resolve(schema.allOf[0] as JsonSchema, ctx)
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  const name = ref.replace('#/components/schemas/', '')
  const target = ctx.components[name]
  if (target === undefined) throw new Error(`fuzz: unresolved $ref ${ref}`)
  return resolve(target, ctx)
}

const num = (value: unknown): number | undefined => typeof value === 'number' ? value : undefined

function numberArbitrary (schema: JsonSchema): fc.Arbitrary<number> {
  // OpenAPI 3.0 from TypeBox: exclusiveMinimum/exclusiveMaximum are numbers (draft 6+)
  const min = num(schema.minimum) ?? num(schema.exclusiveMinimum) ?? -Number.MAX_VALUE
  const max = num(schema.maximum) ?? num(schema.exclusiveMaximum) ?? Number.MAX_VALUE
  if (schema.type === 'integer') {
    const lo = Math.ceil(num(schema.minimum) ?? (num(schema.exclusiveMinimum) !== undefined ? Math.floor(min) + 1 : INT32_MIN))
    const hi = Math.floor(num(schema.maximum) ?? (num(schema.exclusiveMaximum) !== undefined ? Math.ceil(max) - 1 : INT32_MAX))
    if (lo >= INT32_MIN && hi <= INT32_MAX) return fc.integer({ min: lo, max: hi })
    return fc.double({ min: lo, max: hi, noNaN: true }).map((x) => Math.min(hi, Math.max(lo, Math.round(x))))
  }
  return fc.double({
    min,
    max,
    noNaN: true,
    noDefaultInfinity: true,
    minExcluded: schema.exclusiveMinimum !== undefined && schema.minimum === undefined,
    maxExcluded: schema.exclusiveMaximum !== undefined && schema.maximum === undefined
  })
}

function objectArbitrary (schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = (schema.required ?? []) as string[]
  const names = Object.keys(properties)
  if (names.length === 0) {
    // a free-form record (Type.Record(String, Unknown)): any small JSON object
    return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
  }
  const fields: Record<string, fc.Arbitrary<unknown>> = {}
  for (const name of names) fields[name] = valueFor(properties[name], ctx, name)
  let record: fc.Arbitrary<Record<string, unknown>> = fc.record(fields, { requiredKeys: required })
  // draft-07 `dependencies` (property -> properties it needs): a present key brings its dependents
  const dependencies = Object.entries((schema.dependencies ?? {}) as Record<string, unknown>).filter((e): e is [string, string[]] => Array.isArray(e[1]))
  if (dependencies.length > 0) record = record.filter((o) => dependencies.every(([key, needs]) => !(key in o) || needs.every((n) => n in o)))
  const minProperties = num(schema.minProperties) ?? 0
  return minProperties > 0 ? record.filter((o) => Object.keys(o).length >= minProperties) : record
}

function arrayArbitrary (schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<unknown[]> {
  const item = valueFor((schema.items ?? {}) as JsonSchema, ctx)
  const minLength = num(schema.minItems) ?? 0
  const maxItems = num(schema.maxItems)
  const short = fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(maxItems ?? SHORT_ARRAY, SHORT_ARRAY)) })
  if (maxItems === undefined) return short
  const filled = (n: number) => item.map((v) => new Array<unknown>(n).fill(v))
  return fc.oneof(
    { weight: SHORT_ARRAY_WEIGHT, arbitrary: short },
    { weight: FULL_ARRAY_WEIGHT, arbitrary: filled(maxItems) },
    { weight: FULL_ARRAY_WEIGHT, arbitrary: filled(maxItems + 1) }
  )
}

/** Values that satisfy `schema` (apart from what a schema cannot say: a known symbol, etaTilde > 0). */
export function valueFor (raw: JsonSchema, ctx: SchemaContext, name?: string): fc.Arbitrary<unknown> {
  const schema = resolve(raw, ctx)
  let generic: fc.Arbitrary<unknown>
  if (Array.isArray(schema.enum)) generic = fc.constantFrom(...(schema.enum as unknown[]))
  else if (schema.type === 'string') {
    generic = typeof schema.pattern === 'string'
      ? fc.stringMatching(new RegExp(schema.pattern))
      : fc.string({ minLength: num(schema.minLength) ?? 0, maxLength: num(schema.maxLength) ?? 20 })
  } else if (schema.type === 'number' || schema.type === 'integer') generic = numberArbitrary(schema)
  else if (schema.type === 'boolean') generic = fc.boolean()
  else if (schema.type === 'array') generic = arrayArbitrary(schema, ctx)
  else if (schema.type === 'object') generic = objectArbitrary(schema, ctx)
  else generic = fc.jsonValue({ maxDepth: 2 })
  const hint = name !== undefined ? ctx.hints[name] : undefined
  return hint === undefined ? generic : fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: generic })
}

type Container = Pairs | unknown[]

/** Every object or array in a tree, the root first. */
function containersOf (tree: unknown, out: Container[] = []): Container[] {
  if (tree instanceof Pairs) {
    out.push(tree)
    for (const [, v] of tree.pairs) containersOf(v, out)
  } else if (Array.isArray(tree)) {
    out.push(tree)
    for (const v of tree) containersOf(v, out)
  }
  return out
}

const MUTATIONS = ['replace', 'replace', 'replace', 'drop', 'unknown', 'duplicate', 'wrap'] as const

/**
 * A valid value with one hostile change: a field replaced by a hostile value, a field dropped,
 * an unknown field added, a key repeated with a hostile value (before or after the good one),
 * or the whole body wrapped in an array, an object or a string.
 */
export function mutated (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.record({
    value: valid,
    kind: fc.constantFrom(...MUTATIONS),
    pick: fc.nat(),
    hostile: hostileValue,
    key: unknownKey
  }).map(({ value, kind, pick, hostile, key }) => {
    const tree = toTree(value)
    if (kind === 'wrap') return [[tree], new Pairs([['body', tree]]), toJsonText(tree), [], null][pick % 5]
    const containers = containersOf(tree)
    const objects = containers.filter((c): c is Pairs => c instanceof Pairs)
    const nonEmpty = containers.filter((c) => (c instanceof Pairs ? c.pairs.length : c.length) > 0)
    if (kind === 'unknown' || kind === 'duplicate') {
      const target = objects[pick % Math.max(1, objects.length)]
      if (target === undefined) return hostile
      const at = target.pairs.length === 0 ? 0 : pick % target.pairs.length
      const name = kind === 'unknown' || target.pairs.length === 0 ? key : target.pairs[at][0]
      // JSON.parse keeps the last of repeated keys: half the time the hostile value wins, half the time the good one
      target.pairs.splice(pick % 2 === 0 ? at + 1 : at, 0, [name, hostile])
      return tree
    }
    const target = nonEmpty[pick % Math.max(1, nonEmpty.length)]
    if (target === undefined) return hostile
    const items = target instanceof Pairs ? target.pairs : target
    const at = pick % items.length
    if (kind === 'drop') items.splice(at, 1)
    else if (target instanceof Pairs) target.pairs[at] = [target.pairs[at][0], hostile]
    else target[at] = hostile
    return tree
  })
}
