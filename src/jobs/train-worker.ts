/**
 * Worker thread of the recalibration job: splits, fits and gates the candidates
 * (evaluateCandidates) off the main thread, so serving never stalls while a model trains.
 * Started once by TrainingThread (workerData { trainingThread: true, restMs }): lowers its own
 * scheduling, then answers each { id, request: PackedTrainRequest } message with
 * { id, ok, result | error }, resting restMs after each slice of work (pacer).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { isFailedFit, predictorFor, type CandidateName } from '../domain/validation/candidates.js'
import { evaluateCandidates } from '../domain/validation/evaluate.js'
import type { Predictor } from '../domain/validation/walk-forward.js'
import { linearFromJson, linearToJson } from '../domain/learn/linear-regression.js'
import { mlpFromJson, mlpToJson } from '../domain/learn/mlp.js'
import { unpackSamples, type PackedTrainRequest, type ThreadPriority, type TrainRequest, type TrainResult } from './train-protocol.js'

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
const POLICIES: Record<number, string> = { 0: 'SCHED_OTHER', 3: 'SCHED_BATCH', 5: 'SCHED_IDLE' }

/**
 * Lowers the calling thread, and only it (Linux: /proc/thread-self names the thread as
 * `<pid>/task/<tid>`, and setpriority and sched_setscheduler on a thread id change that one
 * thread): nice 19, then SCHED_IDLE through util-linux's `chrt` where it exists. Under SCHED_IDLE a
 * waking event loop preempts the thread at once; nice 19 alone only shrinks its share. Never throws.
 * @returns the thread's nice value and policy as the kernel reports them afterwards; undefined off Linux.
 */
export function lowerThreadPriority (): ThreadPriority | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    setPriority(tid, LOWEST_PRIORITY)
    try {
      execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 })
    } catch {
      // no chrt (not Linux util-linux): nice 19 stays
    }
    // /proc/<tid>/stat: "pid (comm) state ..."; after the closing parenthesis field N is at index N - 3
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const policy = Number(fields[38])
    return { nice: Number(fields[16]), policy: POLICIES[policy] ?? String(policy) }
  } catch {
    return undefined
  }
}

/** Work between two rests of the training thread, ms. */
export const WORK_SLICE_MS = 5
const restCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * The training thread's pacing (why: DEFAULT_TRAIN_REST_MS in train-protocol.ts): called after
 * every epoch, it blocks the thread `restMs` once WORK_SLICE_MS of work has run since the last
 * rest. The rest is fixed, not proportional: a starved thread counts its waits as work.
 * @returns the afterEpoch callback, or undefined for restMs 0 (no pacing: the thread trains flat out).
 */
export function pacer (restMs: number): (() => void) | undefined {
  if (restMs === 0) return undefined
  let sliceStartMs = performance.now()
  return () => {
    if (performance.now() - sliceStartMs < WORK_SLICE_MS) return
    Atomics.wait(restCell, 0, 0, restMs)
    sliceStartMs = performance.now()
  }
}

export function train (request: TrainRequest, afterEpoch?: () => void): TrainResult {
  const evaluation = evaluateCandidates(request.samples, {
    mlp: afterEpoch !== undefined ? { afterEpoch } : undefined,
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

if (parentPort !== null && (workerData as { trainingThread?: boolean } | null)?.trainingThread === true) {
  const port = parentPort
  // on 2 cores a training thread at normal priority takes CPU time from the event loop: lowered, serving comes first
  const workerPriority = lowerThreadPriority()
  const pace = pacer((workerData as { restMs: number }).restMs) // TrainingThreadData
  port.on('message', ({ id, request }: { id: number, request: PackedTrainRequest }) => {
    try {
      port.postMessage({ id, ok: true, result: { ...train({ ...request, samples: unpackSamples(request.samples) }, pace), workerPriority } })
    } catch (err) {
      port.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) })
    }
  })
}
