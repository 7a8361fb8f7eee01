import { Worker } from 'node:worker_threads'
import type { SqrtModelParams, ModelFit } from '../models/impact-model.js'
import type { CandidateName, GateVerdict, TimedSample } from '../domain/validation/gate.js'
import type { LinearJson } from '../domain/learn/linear-regression.js'
import type { MlpJson } from '../domain/learn/mlp.js'

/** What the job sends the training worker. */
export interface TrainRequest {
  samples: TimedSample[]
  seed: number
  gapMs: number
  bucketMs: number
  testFraction?: number
  mlpMaxTrainRows?: number
  /** the fits being served now, per slot, for the "beats the published model" rule */
  published: Partial<Record<'sqrt' | 'linear' | 'mlp', ModelFit>>
}

/** What the worker sends back: plain JSON, no functions. */
export interface TrainResult {
  split: { trainFromMs: number, trainToMs: number, testFromMs: number, testToMs: number, trainSamples: number, testSamples: number }
  verdicts: Record<CandidateName, GateVerdict>
  fits: {
    logLinear?: { name: 'sqrt', params: SqrtModelParams, calibration: object }
    refit05?: { name: 'sqrt', params: SqrtModelParams, calibration: object }
    linear?: { name: 'linear', model: LinearJson }
    mlp?: { name: 'mlp', model: MlpJson }
  }
  failures: Record<string, string>
  /** the training thread's nice value (Linux; 19: it yields the CPU to serving), undefined elsewhere */
  workerNice?: number
}

/**
 * Runs one training request in a fresh worker thread and resolves with its result.
 * Under the TypeScript test loader the worker is the .ts source, in production the built .js.
 * @throws Error when the worker fails or exits without an answer.
 */
export async function trainInWorker (request: TrainRequest): Promise<TrainResult> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  const worker = new Worker(new URL(`./train-worker${ext}`, import.meta.url), { workerData: request })
  return await new Promise<TrainResult>((resolve, reject) => {
    let settled = false
    worker.once('message', (message: { ok: true, result: TrainResult } | { ok: false, error: string }) => {
      settled = true
      if (message.ok) resolve(message.result)
      else reject(new Error(`training failed: ${message.error}`))
    })
    worker.once('error', (err) => { settled = true; reject(err) })
    worker.once('exit', (code) => { if (!settled) reject(new Error(`training worker exited with code ${code} without an answer`)) })
  })
}
