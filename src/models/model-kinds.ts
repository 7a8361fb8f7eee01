/**
 * The table of model kinds. Each kind is one file in src/models/kinds (its record schema, how a
 * record is served, its gate candidates and how they become records, its embedded default);
 * adding one is that file and one line in MODEL_KINDS. Everything else reads this table: model
 * names (requests, GET /v1/models, the registry), ModelRecord, the admin body, the training
 * worker, the job.
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox'
import type { CandidateSpec } from '../domain/validation/candidates.js'
import type { ModelKind } from './kinds/kind.js'
import { linearKind } from './kinds/linear.js'
import { mlpKind } from './kinds/mlp.js'
import { istarKind } from './kinds/istar.js'
import { sqrtKind } from './kinds/sqrt.js'
import type { ModelMeta } from './model-record.js'

/** Every kind, in the order they are listed and served; the first is the default model. */
export const MODEL_KINDS = [sqrtKind, linearKind, mlpKind, istarKind] as const

type AnyKind = typeof MODEL_KINDS[number]
type NameTuple<K extends readonly AnyKind[]> = { readonly [I in keyof K]: K[I]['name'] }
export const MODEL_NAMES = Object.freeze(MODEL_KINDS.map((kind) => kind.name)) as unknown as NameTuple<typeof MODEL_KINDS>
export type ModelName = AnyKind['name']

type Flatten<T> = { [K in keyof T]: T[K] }
type FitOf<K> = K extends ModelKind<infer N, infer F, infer P> ? Flatten<{ name: N } & { [field in F]: Static<P> }> : never
/** The fitted part of a model, as JSON: what a registry stores and a worker thread sends back. */
export type ModelFit = FitOf<AnyKind>
type RecordOf<F> = F extends unknown ? Flatten<F & ModelMeta> : never
/** A complete, immutable, serialisable model record. */
export type ModelRecord = RecordOf<ModelFit>

/** The gate candidates of every kind (the job trains and judges all of them). */
export type GateCandidateName = AnyKind['candidates'][number]['name']
export const GATE_CANDIDATES: ReadonlyArray<CandidateSpec<GateCandidateName>> = MODEL_KINDS.flatMap((kind) => kind.candidates.map((c) => c.spec))

const BY_NAME = new Map<string, AnyKind>(MODEL_KINDS.map((kind) => [kind.name, kind]))
const BY_CANDIDATE = new Map<string, AnyKind>(MODEL_KINDS.flatMap((kind) => kind.candidates.map((c) => [c.name, kind] as const)))

/** The kind named `name`, or undefined. */
export function kindOf (name: unknown): AnyKind | undefined {
  return typeof name === 'string' ? BY_NAME.get(name) : undefined
}

/** The kind whose slot candidate `candidate` competes for. */
export function kindOfCandidate (candidate: GateCandidateName): AnyKind {
  return BY_CANDIDATE.get(candidate) as AnyKind
}

/** The model an estimate or a TCA report uses when the request names none: the table's first kind. */
export const DEFAULT_MODEL_NAME: ModelName = MODEL_KINDS[0].name

/** `"a" (its label, default), "b" or "c"`: the model names with their labels, for the API's descriptions. */
export function modelChoicesText (): string {
  const choices = MODEL_KINDS.map((kind) => {
    const notes = [(kind as { label?: string }).label, kind.name === DEFAULT_MODEL_NAME ? 'default' : undefined].filter((note) => note !== undefined)
    return notes.length > 0 ? `"${kind.name}" (${notes.join(', ')})` : `"${kind.name}"`
  })
  return choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0]
}

/** `a, b or c` of the model names, for messages. */
export function modelNamesText (): string {
  return `${MODEL_NAMES.slice(0, -1).join(', ')} or ${MODEL_NAMES[MODEL_NAMES.length - 1]}`
}

/** The fitted part of a record: `{ name, params }` or `{ name, model }`. */
export function fitOf (record: ModelRecord): ModelFit {
  const kind = kindOf(record.name) as AnyKind
  return { name: record.name, [kind.field]: (record as Record<string, unknown>)[kind.field] } as ModelFit
}

/**
 * The fitted-part fields of the admin body (POST /v1/models/:symbol): `params`, closed, with the
 * properties of every `params` kind, and `model`, any JSON object, for the learned kinds. Both
 * optional: the kind named in the body checks its own.
 */
export function recordBodyFitFields (): TProperties {
  const fields: TProperties = {}
  const paramsKinds = MODEL_KINDS.filter((kind) => kind.field === 'params')
  if (paramsKinds.length > 0) {
    const only = paramsKinds.length === 1
    const properties: TProperties = {}
    for (const kind of paramsKinds) {
      for (const [key, schema] of Object.entries(kind.fitSchema.properties as TProperties)) properties[key] = only ? schema : Type.Optional(schema)
    }
    fields.params = Type.Optional(Type.Object(properties, { additionalProperties: false, description: `${paramsKinds.map((k) => k.name).join(' / ')} only: ${paramsKinds.map((k) => k.bodyNote).join('; ')}` }))
  }
  const modelKinds = MODEL_KINDS.filter((kind) => kind.field === 'model')
  if (modelKinds.length > 0) {
    fields.model = Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: `${modelKinds.map((k) => k.name).join(' / ')} only: the model JSON (${modelKinds.map((k) => k.bodyNote).join(' / ')})` }))
  }
  return fields
}
