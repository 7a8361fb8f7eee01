import { readFileSync } from 'node:fs'
import { contentVersion, modelFromRecord, type ModelFit, type ModelSet, type ValidityRanges } from './impact-model.js'
import { objectAt, rangeAt, sourcedValue, type JsonObject } from './json-fields.js'

function validityOf (calibration: JsonObject, path: string): ValidityRanges {
  return {
    participation: rangeAt(calibration.participationRange, `${path}.participationRange`),
    volDaily: rangeAt(calibration.volDailyRange, `${path}.volDailyRange`)
  }
}

/**
 * Builds the embedded model set from the parsed contents of embedded/models.json
 * (written by `npm run defaults`). The same pooled models serve every symbol until the
 * recalibration job or the registry publishes per-symbol ones.
 * @throws TypeError / RangeError naming the JSON path of a missing or invalid value.
 */
export function parseEmbeddedModels (json: unknown): ModelSet {
  const root = objectAt(json, 'models')
  const dataset = objectAt(root.dataset, 'models.dataset')
  const sqrt = objectAt(root.sqrt, 'models.sqrt')
  const fits: Record<'sqrt' | 'linear' | 'mlp', ModelFit> = {
    sqrt: {
      name: 'sqrt',
      params: {
        impactCoef: sourcedValue(sqrt, 'impactCoef', 'models.sqrt'),
        impactExponent: sourcedValue(sqrt, 'impactExponent', 'models.sqrt'),
        smearingFactor: sourcedValue(sqrt, 'smearingFactor', 'models.sqrt')
      }
    },
    linear: { name: 'linear', model: objectAt(root.linear, 'models.linear').model as never },
    mlp: { name: 'mlp', model: objectAt(root.mlp, 'models.mlp').model as never }
  }
  const build = (name: 'sqrt' | 'linear' | 'mlp') => {
    const calibration = objectAt(objectAt(root[name], `models.${name}`).calibration, `models.${name}.calibration`)
    const fit = fits[name]
    return modelFromRecord({
      ...fit,
      version: contentVersion(`embedded-${name}`, 'params' in fit ? fit.params : fit.model),
      source: 'embedded',
      validity: validityOf(calibration, `models.${name}.calibration`),
      calibration: { dataset, ...calibration },
      createdAtMs: 0
    }, `models.${name}`)
  }
  return Object.freeze({ sqrt: build('sqrt'), linear: build('linear'), mlp: build('mlp') })
}

/** Reads and parses the embedded models file. @throws Error naming the file and the problem. */
export function loadEmbeddedModels (path: string): ModelSet {
  try {
    return parseEmbeddedModels(JSON.parse(readFileSync(path, 'utf8')))
  } catch (err) {
    throw new Error(`cannot load embedded models from ${path}: ${(err as Error).message}`)
  }
}
