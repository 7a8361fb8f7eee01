import { Worker } from 'node:worker_threads'
import type { GateCandidateName, ModelFit, ModelName } from '../models/model-kinds.js'
import type { GateVerdict } from '../domain/validation/gate.js'
import type { TimedSample } from '../domain/validation/walk-forward.js'

/** What the job sends the training worker. */
export interface TrainRequest {
  samples: TimedSample[]
  seed: number
  gapMs: number
  bucketMs: number
  testFraction?: number
  mlpMaxTrainRows?: number
  /** the fits being served now, per slot, for the "beats the published model" rule */
  published: Partial<Record<ModelName, ModelFit>>
}

/** A candidate's fit as its kind's fitted part, with what the job records as calibration.fit (if anything). */
export type CandidateFit = ModelFit & { calibration?: object }

/** What the worker sends back: plain JSON, no functions. */
export interface TrainResult {
  split: { trainFromMs: number, trainToMs: number, testFromMs: number, testToMs: number, trainSamples: number, testSamples: number }
  verdicts: Record<GateCandidateName, GateVerdict>
  /** every candidate of every kind (model-kinds.ts), undefined where the fit failed */
  fits: Partial<Record<GateCandidateName, CandidateFit>>
  failures: Record<string, string>
  /** the training thread's scheduling after it lowered itself (Linux), undefined elsewhere */
  workerPriority?: ThreadPriority
}

/** A thread's scheduling as the kernel reports it (/proc/thread-self/stat, proc(5) fields 19 and 41). */
export interface ThreadPriority {
  nice: number
  /** 'SCHED_IDLE' once lowered where util-linux's chrt exists; 'SCHED_OTHER' (nice 19 only) otherwise */
  policy: string
}

/** The sample fields in their packed order (TimedSample: 7 numbers). */
const SAMPLE_FIELDS = ['startMs', 'endMs', 'signedQtyBase', 'advBase', 'volDaily', 'relSpread', 'signedReturn'] as const

/**
 * Samples as one Float64Array, 7 numbers a sample, transferred to the worker without a copy:
 * structured-cloning thousands of objects blocked the event loop for milliseconds on every run.
 */
export function packSamples (samples: readonly TimedSample[]): Float64Array<ArrayBuffer> {
  const n = SAMPLE_FIELDS.length
  const packed = new Float64Array(samples.length * n)
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]
    for (let f = 0; f < n; f++) packed[i * n + f] = s[SAMPLE_FIELDS[f]]
  }
  return packed
}

/** The inverse of packSamples. */
export function unpackSamples (packed: Float64Array): TimedSample[] {
  const n = SAMPLE_FIELDS.length
  const out: TimedSample[] = new Array(packed.length / n)
  for (let i = 0; i < out.length; i++) {
    const o = i * n
    out[i] = { startMs: packed[o], endMs: packed[o + 1], signedQtyBase: packed[o + 2], advBase: packed[o + 3], volDaily: packed[o + 4], relSpread: packed[o + 5], signedReturn: packed[o + 6] }
  }
  return out
}

/** A TrainRequest on the wire: the samples packed. */
export type PackedTrainRequest = Omit<TrainRequest, 'samples'> & { samples: Float64Array<ArrayBuffer> }

type WorkerReply = { id: number, ok: true, result: TrainResult } | { id: number, ok: false, error: string }

/**
 * Rest of the training thread after each 5 ms of training (WORK_SLICE_MS in train-worker.ts), ms:
 * with 45 it trains at most a tenth of the time. Under SCHED_IDLE the event loop always preempts it, but the thread still
 * shares caches and memory bandwidth with it, and a VM's vCPUs draw on one host CPU budget: CPU the
 * thread burns is CPU serving may miss (bench, tape samples: p99 1.25x idle at a quarter duty
 * cycle, 1.04x at a tenth). A fit that takes 0.5 s then takes 5 s, which costs nothing: the job
 * runs every few minutes at most. Tests set 0 (TRAIN_REST_MS): no rest.
 */
export const DEFAULT_TRAIN_REST_MS = 45

/** The training worker's workerData. */
export interface TrainingThreadData {
  trainingThread: true
  /** rest after each work slice, ms; 0: no pacing */
  restMs: number
}

export interface TrainingThreadOptions {
  /** rest after each 5 ms slice of training, ms; default DEFAULT_TRAIN_REST_MS, 0: train flat out */
  restMs?: number
}

/**
 * One long-lived training thread, started on first use and kept: it lowers its own scheduling once
 * (SCHED_IDLE, else nice 19: serving always comes first) and loads the learning code once, instead
 * of a fresh worker paying its start-up at normal priority on every run. Requests run one at a
 * time in order. A crashed or exited worker fails the request it was running and is replaced on the
 * next one. The thread is unref'd: it never keeps the process alive; close() terminates it.
 * Under the TypeScript test loader the worker is the .ts source, in production the built .js.
 */
export class TrainingThread {
  readonly #restMs: number
  #worker: Worker | undefined
  #nextId = 0
  readonly #pending = new Map<number, { resolve: (r: TrainResult) => void, reject: (e: Error) => void }>()
  #tail: Promise<unknown> = Promise.resolve()

  /** @throws RangeError when restMs is not a finite number >= 0. */
  constructor (options: TrainingThreadOptions = {}) {
    const restMs = options.restMs ?? DEFAULT_TRAIN_REST_MS
    if (!Number.isFinite(restMs) || restMs < 0) throw new RangeError(`TrainingThread: restMs must be a finite number >= 0 (got ${restMs})`)
    this.#restMs = restMs
  }

  /** Trains on `request` in the thread. @throws Error when training fails or the worker dies. */
  async train (request: TrainRequest): Promise<TrainResult> {
    const run = this.#tail.then(async () => await this.#send(request))
    this.#tail = run.catch(() => undefined)
    return await run
  }

  /** Terminates the thread (a request in flight fails). */
  async close (): Promise<void> {
    const worker = this.#worker
    this.#worker = undefined
    if (worker !== undefined) await worker.terminate()
  }

  async #send (request: TrainRequest): Promise<TrainResult> {
    const worker = this.#worker ?? this.#start()
    const id = this.#nextId++
    return await new Promise<TrainResult>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      const packed: PackedTrainRequest = { ...request, samples: packSamples(request.samples) }
      worker.postMessage({ id, request: packed }, [packed.samples.buffer])
    })
  }

  #start (): Worker {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
    const workerData: TrainingThreadData = { trainingThread: true, restMs: this.#restMs }
    const worker = new Worker(new URL(`./train-worker${ext}`, import.meta.url), { workerData })
    worker.unref()
    const failAll = (err: Error): void => {
      if (this.#worker === worker) this.#worker = undefined
      for (const p of this.#pending.values()) p.reject(err)
      this.#pending.clear()
    }
    worker.on('message', (reply: WorkerReply) => {
      const p = this.#pending.get(reply.id)
      if (p === undefined) return
      this.#pending.delete(reply.id)
      if (reply.ok) p.resolve(reply.result)
      else p.reject(new Error(`training failed: ${reply.error}`))
    })
    worker.on('error', (err) => { failAll(err) })
    worker.on('exit', (code) => { failAll(new Error(`training worker exited with code ${code} without an answer`)) })
    this.#worker = worker
    return worker
  }
}
