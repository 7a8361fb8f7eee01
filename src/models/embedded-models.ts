import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { checkJson } from '../domain/learn/checks.js'
import { contentVersion, modelFromRecord, type ImpactModel, type ModelName, type ModelRecord, type ModelSet } from './impact-model.js'
import { checkRange, JsonObjectSchema } from './json-fields.js'
import { MODEL_KINDS } from './model-kinds.js'

/** embedded/models.json around the kinds' own sections (each kind reads and checks its own). */
const EmbeddedModelsFileSchema = Type.Object({ dataset: JsonObjectSchema })

/**
 * Builds the embedded model set from the parsed contents of embedded/models.json
 * (written by `npm run defaults`): one model per kind, from the kind's `embedded` reader. The
 * same pooled models serve every symbol until the recalibration job or the registry publishes
 * per-symbol ones.
 * @throws TypeError / RangeError naming the JSON path of a missing or invalid value.
 */
export function parseEmbeddedModels (json: unknown): ModelSet {
  checkJson(EmbeddedModelsFileSchema, json, 'models')
  const { dataset } = json
  const set: Partial<Record<ModelName, ImpactModel>> = {}
  for (const kind of MODEL_KINDS) {
    const path = `models.${kind.name}`
    const { fitted, calibration } = kind.embedded(json, 'models')
    const record = {
      name: kind.name,
      [kind.field]: fitted,
      version: contentVersion(`embedded-${kind.name}`, fitted),
      source: 'embedded' as const,
      validity: {
        participation: checkRange(calibration.participationRange, `${path}.calibration.participationRange`),
        volDaily: checkRange(calibration.volDailyRange, `${path}.calibration.volDailyRange`)
      },
      calibration: { dataset, ...calibration },
      createdAtMs: 0
    }
    set[kind.name] = modelFromRecord(record as unknown as ModelRecord, path)
  }
  return Object.freeze(set as Record<ModelName, ImpactModel>)
}

/** Reads and parses the embedded models file. @throws Error naming the file and the problem. */
export function loadEmbeddedModels (path: string): ModelSet {
  try {
    return parseEmbeddedModels(JSON.parse(readFileSync(path, 'utf8')))
  } catch (err) {
    throw new Error(`cannot load embedded models from ${path}: ${(err as Error).message}`)
  }
}
