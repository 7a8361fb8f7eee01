/**
 * Worker thread of the recalibration job: splits, fits and gates the candidates
 * (evaluateCandidates) off the main thread, so serving never stalls while a model trains.
 * Receives a TrainRequest as workerData and posts one TrainResult.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { evaluateCandidates, isFailedFit, predictorFor, type CandidateName, type Predictor } from '../domain/validation/gate.js'
import { linearFromJson, linearToJson } from '../domain/learn/linear-regression.js'
import { mlpFromJson, mlpToJson } from '../domain/learn/mlp.js'
import type { TrainRequest, TrainResult } from './train-protocol.js'

function publishedPredictor (request: TrainRequest, name: CandidateName): Predictor | undefined {
  const slot = name === 'logLinear' || name === 'refit05' ? 'sqrt' : name
  const fit = request.published[slot]
  if (fit === undefined) return undefined
  if (fit.name === 'sqrt') return predictorFor({ kind: 'sqrt', ...fit.params })
  if (fit.name === 'linear') return predictorFor(linearFromJson(fit.model))
  return predictorFor(mlpFromJson(fit.model))
}

export function train (request: TrainRequest): TrainResult {
  const evaluation = evaluateCandidates(request.samples, {
    seed: request.seed,
    gapMs: request.gapMs,
    bucketMs: request.bucketMs,
    testFraction: request.testFraction,
    mlpMaxTrainRows: request.mlpMaxTrainRows,
    publishedFor: (name) => publishedPredictor(request, name)
  })
  const { fits } = evaluation
  return {
    split: evaluation.split,
    verdicts: evaluation.verdicts,
    fits: {
      logLinear: isFailedFit(fits.logLinear) ? undefined : { name: 'sqrt', params: fits.logLinear.sqrtParams, calibration: fits.logLinear.calibration },
      refit05: isFailedFit(fits.refit05) ? undefined : { name: 'sqrt', params: fits.refit05.sqrtParams, calibration: fits.refit05.refit },
      linear: isFailedFit(fits.linear) ? undefined : { name: 'linear', model: linearToJson(fits.linear.model) },
      mlp: isFailedFit(fits.mlp) ? undefined : { name: 'mlp', model: mlpToJson(fits.mlp.model) }
    },
    failures: Object.fromEntries(Object.entries(fits).filter(([, f]) => typeof f === 'object' && f !== null && 'failed' in f).map(([k, f]) => [k, (f as { error: string }).error]))
  }
}

if (parentPort !== null && workerData !== undefined && workerData !== null) {
  try {
    parentPort.postMessage({ ok: true, result: train(workerData as TrainRequest) })
  } catch (err) {
    parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) })
  }
}
