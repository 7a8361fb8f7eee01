import type { GateVerdict } from '../domain/validation/gate.js'
import { isUsableSample } from '../domain/validation/candidates.js'
import type { TimedSample } from '../domain/validation/walk-forward.js'
import { modelFromRecord, type ImpactModel, type ModelRecord } from '../models/impact-model.js'
import { contentVersion } from '../models/impact-model.js'
import { fitOf, MODEL_KINDS, MODEL_NAMES, type GateCandidateName as CandidateName, type ModelFit, type ModelName } from '../models/model-kinds.js'
import type { ModelStore } from '../models/model-store.js'
import type { TrainRequest, TrainResult } from './train-protocol.js'
import type { TimedIStarWindow } from '../domain/impact/calibrate-istar.js'
import type { IStarParams } from '../domain/impact/istar.js'
import { gateIStar, type IStarGateVerdict } from '../domain/validation/istar-gate.js'
import { calibrationReport, type CalibrationCell } from '../domain/tca/calibration-report.js'
import { withoutNulls } from '../services/tca.js'
import { rescoreRecords } from '../services/tca-prediction.js'
import type { TcaRecord } from '../store/tca-store.js'
import { finiteOnly } from './finite-only.js'
import { istarRecord } from './istar-record.js'

export { finiteOnly }

/** The execution model's calibration windows of one symbol (klines and trade tape). */
export interface IStarBatch {
  windows: TimedIStarWindow[]
  notes: Record<string, number | string>
}

/** Impact samples of one symbol for the job, and where they came from. */
export interface SampleBatch {
  samples: TimedSample[]
  /** "tca": clients' executions posted to /v1/tca; "tape": windows of the public trade tape */
  source: 'tca' | 'tape'
  notes: Record<string, number | string>
  /** the execution model's windows; absent: the execution model is not recalibrated */
  istar?: IStarBatch
}

/** What the job reports of the execution model's gate (istar-gate.ts). */
export type IStarOutcome = Omit<IStarGateVerdict, 'calibration'> & { windows: number, notes: Record<string, number | string>, lengthsMinutes: number[] }

export interface RecalibrationDeps {
  models: ModelStore
  collectSamples: (symbol: string) => Promise<SampleBatch>
  train: (request: TrainRequest) => Promise<TrainResult>
  /** false while the model registry cannot take a publish (the job then keeps everything) */
  canPublish?: () => boolean
  /**
   * Publishes validated records (a registry: versioned, atomic, every replica notified). Absent:
   * the records replace this process's models in memory. A throw fails the run; nothing is swapped.
   */
  publish?: (symbol: string, records: ModelRecord[]) => Promise<void>
  /**
   * The symbol's stored TCA records since a time (the TCA store) and its hour-of-day volume
   * shares: with both, each publish records how the stored fills score before (as predicted) and
   * after (re-scored by the candidates): `tcaCalibration` in the outcome and in each record's validation.
   */
  readTcaRecords?: (symbol: string, sinceMs: number) => Promise<TcaRecord[]>
  hourlyShares?: (symbol: string) => readonly number[]
  nowMs?: () => number
  logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, error: (o: object, m: string) => void }
}

export interface RecalibrationOptions {
  symbols: string[]
  minSamples: number
  gapMs: number
  bucketMs: number
  seed: number
  mlpMaxTrainRows?: number
}

export interface SymbolOutcome {
  symbol: string
  startedAtMs: number
  finishedAtMs: number
  /** published: at least one slot replaced; kept: the gate kept every published model; failed: the run could not evaluate */
  outcome: 'published' | 'kept' | 'failed'
  published: ModelName[]
  reason: string
  samples?: { source: string, total: number, usable: number, notes: Record<string, number | string> }
  split?: TrainResult['split']
  verdicts?: Partial<Record<CandidateName, GateVerdict>>
  /** the execution model's gate: "publish", "keep" or "insufficient data", with its reasons and table */
  istar?: IStarOutcome
  /** on publish: the stored fills' calibration before (as predicted) and after (re-scored by the published models) */
  tcaCalibration?: TcaCalibration
}

/** The calibration of a symbol's scored TCA fills of the last TCA_CALIBRATION_WINDOW_MS, before and after a publish. */
export interface TcaCalibration {
  sinceMs: number
  before: Partial<CalibrationCell>
  after: Partial<CalibrationCell>
}

/** The fills the job's before/after report covers: the last 7 days (the Redis stream's default retention). */
export const TCA_CALIBRATION_WINDOW_MS = 7 * 86_400_000

export interface JobStatus {
  running: boolean
  runs: number
  lastRunStartedAtMs?: number
  lastRunFinishedAtMs?: number
  symbols: Record<string, SymbolOutcome>
}

/** The candidates that compete for each model slot (each kind's, model-kinds.ts). */
const SLOT_CANDIDATES = Object.fromEntries(MODEL_KINDS.map((kind) => [kind.name, kind.candidates.map((c) => c.name)])) as Record<ModelName, CandidateName[]>

/**
 * The recalibration job: for each symbol, collect impact samples, fit and gate the candidates in
 * a worker thread, and publish (hot-swap) only the slots whose candidate beat zero, the
 * delta = 0.5 refit and the published model out of sample. It never throws: a failure (no data,
 * too few samples, a failed fit, a worker crash) keeps the published models and is recorded in
 * `status()`. Runs never overlap: a run requested while one is in flight gets that run's result.
 */
export class RecalibrationJob {
  readonly #deps: RecalibrationDeps
  readonly #options: RecalibrationOptions
  #inFlight: Promise<SymbolOutcome[]> | undefined
  readonly #status: JobStatus = { running: false, runs: 0, symbols: {} }

  constructor (deps: RecalibrationDeps, options: RecalibrationOptions) {
    this.#deps = deps
    this.#options = options
  }

  /** Resolves once no run is in flight (for a clean shutdown). */
  async idle (): Promise<void> {
    await this.#inFlight
  }

  status (): JobStatus {
    return structuredClone(this.#status)
  }

  /** Runs the job for `symbols` (default: all configured); joins the run in flight if there is one. */
  async run (symbols: string[] = this.#options.symbols): Promise<SymbolOutcome[]> {
    if (this.#inFlight !== undefined) return await this.#inFlight
    this.#inFlight = this.#runAll(symbols)
    try {
      return await this.#inFlight
    } finally {
      this.#inFlight = undefined
    }
  }

  async #runAll (symbols: string[]): Promise<SymbolOutcome[]> {
    const now = this.#deps.nowMs ?? Date.now
    this.#status.running = true
    this.#status.runs++
    this.#status.lastRunStartedAtMs = now()
    const outcomes: SymbolOutcome[] = []
    for (const symbol of symbols) {
      const startedAtMs = now()
      let outcome: SymbolOutcome
      try {
        outcome = await this.#runSymbol(symbol, startedAtMs)
      } catch (err) {
        outcome = { symbol, startedAtMs, finishedAtMs: now(), outcome: 'failed', published: [], reason: `unexpected: ${(err as Error).message}` }
      }
      const entry = { symbol, outcome: outcome.outcome, published: outcome.published, reason: outcome.reason }
      if (outcome.outcome === 'failed') this.#deps.logger.warn(entry, 'recalibration finished')
      else this.#deps.logger.info(entry, 'recalibration finished')
      this.#status.symbols[symbol] = finiteOnly(outcome)
      outcomes.push(outcome)
    }
    this.#status.running = false
    this.#status.lastRunFinishedAtMs = now()
    return outcomes
  }

  async #runSymbol (symbol: string, startedAtMs: number): Promise<SymbolOutcome> {
    const now = this.#deps.nowMs ?? Date.now
    const fail = (reason: string, extra: Partial<SymbolOutcome> = {}): SymbolOutcome =>
      ({ symbol, startedAtMs, finishedAtMs: now(), outcome: 'failed', published: [], reason, ...extra })

    let batch: SampleBatch
    try {
      batch = await this.#deps.collectSamples(symbol)
    } catch (err) {
      return fail(`no market data: ${(err as Error).message}`)
    }
    const current = this.#deps.models.modelsFor(symbol)
    const istar = this.#gateIStar(symbol, batch.istar, (current.istar.record as { params: IStarParams }).params, startedAtMs)
    const withIStar = istar !== undefined ? { istar: istar.outcome } : {}
    const usable = batch.samples.filter(isUsableSample)
    const samples = { source: batch.source, total: batch.samples.length, usable: usable.length, notes: batch.notes }
    if (usable.length < this.#options.minSamples) {
      return fail(`too few samples: ${usable.length} usable of ${batch.samples.length} from the ${batch.source}, need ${this.#options.minSamples}`, { samples, ...withIStar })
    }

    const published = Object.fromEntries(MODEL_NAMES.map((name) => [name, fitOf(current[name].record)])) as TrainRequest['published']
    let result: TrainResult
    try {
      result = await this.#deps.train({ samples: usable, seed: this.#options.seed, gapMs: this.#options.gapMs, bucketMs: this.#options.bucketMs, mlpMaxTrainRows: this.#options.mlpMaxTrainRows, published })
    } catch (err) {
      return fail(`training failed: ${(err as Error).message}`, { samples, ...withIStar })
    }

    const chosen = chooseSlots(result)
    const names = Object.keys(chosen) as ModelName[]
    if (istar?.record !== undefined) names.push('istar')
    const base = { symbol, startedAtMs, samples, split: result.split, verdicts: result.verdicts, ...withIStar }
    if (names.length === 0) {
      return { ...base, finishedAtMs: now(), outcome: 'kept', published: [], reason: 'no candidate passed the gate; published models kept' }
    }
    if (this.#deps.canPublish !== undefined && !this.#deps.canPublish()) {
      return { ...base, finishedAtMs: now(), outcome: 'failed', published: [], reason: `candidates for ${names.join(', ')} passed but the registry cannot take a publish now; published models kept` }
    }

    const trainSamples = usable.filter((s) => s.endMs <= result.split.trainToMs)
    const replaced: Partial<Record<ModelName, ImpactModel>> = {}
    for (const name of names) {
      if (name === 'istar' && istar?.record !== undefined) {
        try {
          replaced.istar = modelFromRecord(istar.record, `${symbol}.istar`)
        } catch (err) {
          return fail(`the execution model produced an invalid record: ${(err as Error).message}`, base)
        }
        continue
      }
      const { candidate, fit, calibration } = chosen[name] as SlotChoice
      const record = finiteOnly({
        ...fit,
        version: contentVersion(`${symbol}-${name}-${startedAtMs}`, fit),
        source: 'recalibrated' as const,
        validity: validityOf(trainSamples),
        calibration: { candidate, source: batch.source, window: result.split, samples, fit: calibration, validation: result.verdicts[candidate], runAtMs: startedAtMs },
        createdAtMs: now()
      }) as ModelRecord
      try {
        replaced[name] = modelFromRecord(record, `${symbol}.${name}`)
      } catch (err) {
        return fail(`candidate ${candidate} produced an invalid record: ${(err as Error).message}`, base)
      }
    }
    const tcaCalibration = await this.#tcaCalibration(symbol, current, replaced, now())
    if (tcaCalibration !== undefined) {
      for (const [name, model] of Object.entries(replaced) as Array<[ModelName, ImpactModel]>) {
        const calibration = model.record.calibration as Record<string, unknown>
        const validation = calibration.validation !== null && typeof calibration.validation === 'object' ? calibration.validation : {}
        try {
          replaced[name] = modelFromRecord({ ...model.record, calibration: { ...calibration, validation: { ...validation, tcaCalibration } } } as ModelRecord, `${symbol}.${name}`)
        } catch (err) {
          return fail(`the ${name} record with its TCA calibration is invalid: ${(err as Error).message}`, base)
        }
      }
    }
    const withTca = tcaCalibration !== undefined ? { tcaCalibration } : {}
    if (this.#deps.publish !== undefined) {
      try {
        await this.#deps.publish(symbol, Object.values(replaced).map((m) => (m as ImpactModel).record))
      } catch (err) {
        return fail(`publish refused: ${(err as Error).message}; published models kept`, base)
      }
    } else {
      this.#deps.models.swapSymbols([[symbol, replaced]])
    }
    return { ...base, ...withTca, finishedAtMs: now(), outcome: 'published', published: names, reason: names.map((n) => `${n} <- ${n === 'istar' ? `${istar?.outcome.form ?? ''} (execution-model gate)` : (chosen[n] as SlotChoice).candidate}`).join(', ') }
  }

  /**
   * The stored fills of the last TCA_CALIBRATION_WINDOW_MS scored as they were predicted (before)
   * and re-scored by the models about to be published in their slots (after). Undefined without a
   * TCA reader or when the store cannot be read (logged; the publish goes on).
   */
  async #tcaCalibration (symbol: string, current: Readonly<Record<ModelName, ImpactModel>>, replaced: Partial<Record<ModelName, ImpactModel>>, nowMs: number): Promise<TcaCalibration | undefined> {
    const { readTcaRecords, hourlyShares } = this.#deps
    if (readTcaRecords === undefined || hourlyShares === undefined) return undefined
    const sinceMs = nowMs - TCA_CALIBRATION_WINDOW_MS
    let records: TcaRecord[]
    try {
      records = await readTcaRecords(symbol, sinceMs)
    } catch (err) {
      this.#deps.logger.warn({ err, symbol }, 'recalibration: TCA records unreadable; publishing without the before/after calibration')
      return undefined
    }
    const before = records.flatMap((r) => (r.prediction !== undefined ? [r.prediction] : []))
    const after = rescoreRecords(records, (name) => replaced[name] ?? current[name], hourlyShares(symbol))
    const overall = (fills: Parameters<typeof calibrationReport>[0]): Partial<CalibrationCell> => withoutNulls(calibrationReport(fills).overall)
    return { sinceMs, before: overall(before), after: overall(after) }
  }

  /**
   * The execution model's gate on the batch's windows (runs in this thread: about 0.1 s to build
   * and 0.2-0.6 s to gate 7 days of 1-minute bars), and its record when it publishes. A throw is
   * reported as the gate's outcome and publishes nothing.
   */
  #gateIStar (symbol: string, batch: IStarBatch | undefined, published: IStarParams, startedAtMs: number): { outcome: IStarOutcome, record?: ModelRecord } | undefined {
    if (batch === undefined) return undefined
    const lengthsMinutes = [...new Set(batch.windows.map((w) => w.lengthMinutes))].sort((a, b) => a - b)
    const info = { windows: batch.windows.length, notes: batch.notes, lengthsMinutes }
    let verdict: IStarGateVerdict
    try {
      verdict = gateIStar(batch.windows, published, { gapMs: this.#options.gapMs })
    } catch (err) {
      return { outcome: { status: 'keep', publish: false, reasons: [`the gate failed: ${(err as Error).message}`], failures: {}, ...info } }
    }
    const { calibration, ...outcome } = verdict
    if (!verdict.publish) return { outcome: { ...outcome, ...info } }
    const now = this.#deps.nowMs ?? Date.now
    try {
      return { outcome: { ...outcome, ...info }, record: istarRecord(symbol, verdict, lengthsMinutes, startedAtMs, now()) }
    } catch (err) {
      return { outcome: { ...outcome, status: 'keep', publish: false, reasons: [...outcome.reasons, `no record: ${(err as Error).message}`], ...info } }
    }
  }
}

interface SlotChoice { candidate: CandidateName, fit: ModelFit, calibration?: object }

/** For each model slot, the passing candidate with the lowest out-of-sample MSE, if any. */
function chooseSlots (result: TrainResult): Partial<Record<ModelName, SlotChoice>> {
  const out: Partial<Record<ModelName, SlotChoice>> = {}
  for (const slot of MODEL_NAMES) {
    let best: CandidateName | undefined
    for (const name of SLOT_CANDIDATES[slot]) {
      const verdict = result.verdicts[name]
      if (verdict?.publish !== true || result.fits[name] === undefined) continue
      if (best === undefined || verdict.metrics.candidateMse < result.verdicts[best].metrics.candidateMse) best = name
    }
    if (best === undefined) continue
    const fit = result.fits[best] as ModelFit & { calibration?: object }
    const { calibration, ...plain } = fit as { calibration?: object } & ModelFit
    out[slot] = { candidate: best, fit: plain as ModelFit, calibration }
  }
  return out
}

function validityOf (samples: readonly TimedSample[]): ModelRecord['validity'] {
  let pMin = Infinity; let pMax = -Infinity; let vMin = Infinity; let vMax = -Infinity
  for (const s of samples) {
    const p = Math.abs(s.signedQtyBase) / s.advBase
    pMin = Math.min(pMin, p); pMax = Math.max(pMax, p)
    vMin = Math.min(vMin, s.volDaily); vMax = Math.max(vMax, s.volDaily)
  }
  return { participation: { min: pMin, max: pMax }, volDaily: { min: vMin, max: vMax } }
}
