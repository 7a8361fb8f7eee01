/**
 * Worker thread of the recalibration job: splits, fits and gates the candidates
 * (evaluateCandidates) off the main thread, so serving never stalls while a model trains.
 * Receives a TrainRequest as workerData and posts one TrainResult.
 */
import { readFileSync, readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
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

/** The lowest scheduling priority (Unix nice value). */
const LOWEST_PRIORITY = 19

/**
 * Lowers the calling thread, and only it, to nice 19 (Linux: /proc/thread-self names the thread as
 * `<pid>/task/<tid>`, and setpriority on a thread id renices that one thread). Never throws.
 * @returns the thread's nice value as the kernel reports it afterwards; undefined off Linux.
 */
export function lowerThreadPriority (): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    setPriority(tid, LOWEST_PRIORITY)
    // /proc/<tid>/stat: "pid (comm) state ..."; nice is field 19, the 17th after the closing parenthesis
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  } catch {
    return undefined
  }
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
  // on 2 cores a training thread at normal priority takes CPU time from the event loop; at nice 19 serving comes first
  const workerNice = lowerThreadPriority()
  try {
    parentPort.postMessage({ ok: true, result: { ...train(workerData as TrainRequest), workerNice } })
  } catch (err) {
    parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) })
  }
}
