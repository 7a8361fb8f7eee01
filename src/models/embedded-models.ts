import { readFileSync } from 'node:fs'
import { linearFromJson } from '../domain/learn/linear-regression.js'
import { mlpFromJson } from '../domain/learn/mlp.js'
import { contentVersion, linearImpactModel, mlpImpactModel, sqrtImpactModel, type ModelSet, type ValidityRanges } from './impact-model.js'
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
 * registry publishes per-symbol ones.
 * @throws TypeError / RangeError naming the JSON path of a missing or invalid value.
 */
export function parseEmbeddedModels (json: unknown): ModelSet {
  const root = objectAt(json, 'models')
  const dataset = objectAt(root.dataset, 'models.dataset')

  const sqrt = objectAt(root.sqrt, 'models.sqrt')
  const sqrtCalibration = objectAt(sqrt.calibration, 'models.sqrt.calibration')
  const sqrtParams = {
    impactCoef: sourcedValue(sqrt, 'impactCoef', 'models.sqrt', (n) => n >= 0, '>= 0'),
    impactExponent: sourcedValue(sqrt, 'impactExponent', 'models.sqrt', (n) => n > 0 && n <= 2, 'in (0, 2]'),
    smearingFactor: sourcedValue(sqrt, 'smearingFactor', 'models.sqrt', (n) => n > 0, '> 0')
  }

  const linear = objectAt(root.linear, 'models.linear')
  const linearCalibration = objectAt(linear.calibration, 'models.linear.calibration')
  const linearModel = linearFromJson(linear.model)

  const mlp = objectAt(root.mlp, 'models.mlp')
  const mlpCalibration = objectAt(mlp.calibration, 'models.mlp.calibration')
  const mlpModel = mlpFromJson(mlp.model)

  const common = { source: 'embedded' as const }
  return Object.freeze({
    sqrt: sqrtImpactModel(sqrtParams, {
      ...common,
      version: contentVersion('embedded-sqrt', sqrtParams),
      validity: validityOf(sqrtCalibration, 'models.sqrt.calibration'),
      calibration: { dataset, ...sqrtCalibration }
    }),
    linear: linearImpactModel(linearModel, {
      ...common,
      version: contentVersion('embedded-linear', linear.model),
      validity: validityOf(linearCalibration, 'models.linear.calibration'),
      calibration: { dataset, ...linearCalibration }
    }),
    mlp: mlpImpactModel(mlpModel, {
      ...common,
      version: contentVersion('embedded-mlp', mlp.model),
      validity: validityOf(mlpCalibration, 'models.mlp.calibration'),
      calibration: { dataset, ...mlpCalibration }
    })
  })
}

/** Reads and parses the embedded models file. @throws Error naming the file and the problem. */
export function loadEmbeddedModels (path: string): ModelSet {
  try {
    return parseEmbeddedModels(JSON.parse(readFileSync(path, 'utf8')))
  } catch (err) {
    throw new Error(`cannot load embedded models from ${path}: ${(err as Error).message}`)
  }
}
