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
import { isFailedFit } from '../domain/validation/candidates.js'
import { evaluateCandidates } from '../domain/validation/evaluate.js'
import type { Predictor } from '../domain/validation/walk-forward.js'
import { GATE_CANDIDATES, kindOfCandidate, MODEL_KINDS, type GateCandidateName } from '../models/model-kinds.js'
import { unpackSamples, type CandidateFit, type PackedTrainRequest, type ThreadPriority, type TrainRequest, type TrainResult } from './train-protocol.js'

/** The model published in the slot `candidate` competes for, as a predictor (its kind's `predictor`). */
function publishedPredictor (request: TrainRequest, candidate: GateCandidateName): Predictor | undefined {
  const kind = kindOfCandidate(candidate)
  const fit = request.published[kind.name] as Record<string, unknown> | undefined
  if (fit === undefined) return undefined
  return (kind.predictor as (fitted: unknown) => Predictor)(fit[kind.field])
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

/**
 * Splits, fits and gates every kind's candidates (model-kinds.ts) and returns each candidate's fit
 * as its kind's fitted part (`{ name, params | model, calibration? }`), undefined where it failed.
 */
export function train (request: TrainRequest, afterEpoch?: () => void): TrainResult {
  const evaluation = evaluateCandidates(request.samples, {
    mlp: afterEpoch !== undefined ? { afterEpoch } : undefined,
    seed: request.seed,
    gapMs: request.gapMs,
    bucketMs: request.bucketMs,
    testFraction: request.testFraction,
    mlpMaxTrainRows: request.mlpMaxTrainRows,
    publishedFor: (name) => publishedPredictor(request, name)
  }, GATE_CANDIDATES)
  const { fits } = evaluation
  const out: Partial<Record<GateCandidateName, CandidateFit>> = {}
  for (const kind of MODEL_KINDS) {
    for (const candidate of kind.candidates) {
      const fit = fits[candidate.name]
      if (isFailedFit(fit)) { out[candidate.name] = undefined; continue }
      const { payload, calibration } = candidate.toFit(fit)
      out[candidate.name] = { name: kind.name, [kind.field]: payload, ...(calibration !== undefined ? { calibration } : {}) } as CandidateFit
    }
  }
  return {
    split: evaluation.split,
    verdicts: evaluation.verdicts,
    fits: out,
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
