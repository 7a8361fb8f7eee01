/**
 * What a model kind is: everything the service needs to store, serve, train and gate one kind
 * of impact model. Each kind is one file in this folder; src/models/model-kinds.ts lists them,
 * and every other module (records, the admin body, the training worker, the job, GET /v1/models,
 * the registry) reads that list.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { checkJson } from '../../domain/learn/checks.js'
import type { ImpactFeatureInput } from '../../domain/learn/impact-features.js'
import type { CandidateSpec } from '../../domain/validation/candidates.js'
import type { GateCandidate } from '../../domain/validation/gate.js'
import type { Predictor } from '../../domain/validation/walk-forward.js'
import { JsonObjectSchema, RangeSchema, type JsonObject } from '../json-fields.js'

/** The record field holding the fitted part: `params` (a few named numbers) or `model` (a learner's JSON). */
export type FitField = 'params' | 'model'

/** The kind-specific half of a served model (the rest comes from the record). */
export interface ServedModel {
  /** What GET /v1/models shows: parameters (not raw weights) of the model. */
  readonly parameters: Readonly<Record<string, unknown>>
  /** expected impact cost as a fraction of the arrival price (positive = cost), for an order in the trade's direction */
  readonly predictCost: (input: ImpactFeatureInput) => number
}

/** A gate candidate competing for a kind's slot, and how its fit becomes the kind's fitted part. */
export interface KindCandidate<P = unknown, N extends string = string> {
  readonly name: N
  /** how the candidate is fitted (src/domain/validation/candidates.ts) */
  readonly spec: CandidateSpec<N>
  /** the fitted part to publish, and what the job records as the record's calibration.fit */
  readonly toFit: (candidate: GateCandidate) => { payload: P, calibration?: object }
}

/** A KindCandidate from a spec and a typed toFit. */
export function kindCandidate<N extends string, C extends GateCandidate, P> (spec: CandidateSpec<N, C>, toFit: (candidate: C) => { payload: P, calibration?: object }): KindCandidate<P, N> {
  return { name: spec.name, spec, toFit: toFit as (candidate: GateCandidate) => { payload: P, calibration?: object } }
}

export interface ModelKind<N extends string = string, F extends FitField = FitField, P extends TSchema = TSchema, C extends string = string> {
  /** the model slot's name: in records, requests (`model`), GET /v1/models and the registry's keys */
  readonly name: N
  readonly field: F
  /** schema of the fitted part (`record[field]`) */
  readonly fitSchema: P
  /** what the admin body's `params` or `model` description says of this kind, e.g. 'eta, delta, smearing factor' */
  readonly bodyNote: string
  /** a few words said after the name where the models are listed for users, e.g. 'square-root law' */
  readonly label?: string
  /**
   * Validates a record's fitted part (fitSchema and the rules beyond it) and builds what is served.
   * `path` names the field in messages (e.g. `record.params`).
   * @throws TypeError / RangeError naming the bad field.
   */
  readonly serve: (fitted: unknown, path: string) => ServedModel
  /** a checked fitted part as a predictor of dP/P: the gate's "published model" benchmark */
  readonly predictor: (fitted: Static<P>) => Predictor
  /** the candidates that compete for this slot, in the order they are judged (names unique across kinds) */
  readonly candidates: readonly KindCandidate<Static<P>, C>[]
  /**
   * The shipped default, read from the parsed embedded/models.json (`path` is 'models'): the
   * fitted part (validated later by serve) and the calibration, with its training ranges.
   * @throws TypeError / RangeError naming the JSON path.
   */
  readonly embedded: (file: JsonObject, path: string) => { fitted: unknown, calibration: EmbeddedCalibration }
}

/** Keeps the literal types of a kind (its name, field and candidate names) for the table. */
export function defineModelKind<const N extends string, const F extends FitField, P extends TSchema, const C extends string> (kind: ModelKind<N, F, P, C>): ModelKind<N, F, P, C> {
  return Object.freeze(kind)
}

/** A kind's calibration in embedded/models.json: the training ranges, then anything (metrics). */
export const EmbeddedCalibrationSchema = Type.Object({ participationRange: RangeSchema, volDailyRange: RangeSchema })
export type EmbeddedCalibration = Static<typeof EmbeddedCalibrationSchema> & JsonObject

/**
 * The section `${path}.${name}` of embedded/models.json, checked against `schema`.
 * @throws TypeError / RangeError naming the JSON path.
 */
export function embeddedSection<T extends TSchema> (file: JsonObject, path: string, name: string, schema: T): Static<T> {
  const section = file[name]
  checkJson(schema, section, `${path}.${name}`)
  return section
}

/** The section of a learned kind: `{ model, calibration }`. */
export const LearnedSectionSchema = Type.Object({ model: JsonObjectSchema, calibration: EmbeddedCalibrationSchema })

/** The embedded reader of a learned kind: its section's `model` JSON is the fitted part. */
export function learnedEmbedded (name: string): ModelKind['embedded'] {
  return (file, path) => {
    const section = embeddedSection(file, path, name, LearnedSectionSchema)
    return { fitted: section.model, calibration: section.calibration }
  }
}
