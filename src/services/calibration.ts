/**
 * GET /v1/models/:symbol/calibration (issue 15 section 3): the stored TCA records of a symbol
 * that were scored against a prediction (POST /v1/tca, services/tca.ts), filtered by execution
 * time, participation and kind of execution, summarised by calibrationReport (domain/tca/calibration-report.ts):
 * overall and by participation decile, with a verdict, and the z histogram against N(0, 1).
 */
import { calibrationReport, type CalibrationReport, type ScoredFill } from '../domain/tca/calibration-report.js'
import { unprocessable } from '../errors.js'
import type { TcaRecord, TcaStore } from '../store/tca-store.js'
import { withoutNulls } from './tca.js'

export interface CalibrationQuery {
  /** executions at or after, ms since epoch (executedAtMs); default all kept */
  since?: number
  /** executions at or before, ms since epoch; default now */
  until?: number
  /** |Q| / ADV at least */
  minParticipation?: number
  /** |Q| / ADV at most */
  maxParticipation?: number
  /** only executions worked over a window (the trade gave startMs and endMs), or only immediate ones; default both */
  execution?: 'worked' | 'immediate'
}

export type SymbolCalibration = CalibrationReport & {
  symbol: string
  sinceMs: number
  untilMs: number
  /** stored records of the symbol in [since, until] */
  records: number
  /** of those, scored against a prediction and inside the participation filter: the report's n */
  scored: number
  /** the model versions that made the scored predictions, with their counts */
  models: Array<{ name: string, version: string, n: number }>
}

/** Scored records of one symbol in the query's window and participation range, as fills. */
export function scoredFills (records: readonly TcaRecord[], query: CalibrationQuery, untilMs: number): { fills: ScoredFill[], inWindow: number, models: Map<string, { name: string, version: string, n: number }> } {
  const fills: ScoredFill[] = []
  const models = new Map<string, { name: string, version: string, n: number }>()
  let inWindow = 0
  for (const r of records) {
    if (r.executedAtMs > untilMs) continue
    inWindow++
    const p = r.prediction
    if (p === undefined) continue
    if (query.minParticipation !== undefined && p.participation < query.minParticipation) continue
    if (query.maxParticipation !== undefined && p.participation > query.maxParticipation) continue
    if (query.execution !== undefined && (p.endMs !== undefined ? 'worked' : 'immediate') !== query.execution) continue
    fills.push(p)
    const key = `${p.model}\u0000${p.version}`
    const m = models.get(key)
    if (m === undefined) models.set(key, { name: p.model, version: p.version, n: 1 })
    else m.n++
  }
  return { fills, inWindow, models }
}

/**
 * The calibration report of `symbol` over the stored TCA records.
 * @throws 422 naming query/until or query/maxParticipation when a range is empty; the store's
 *   error when it cannot be read (the route maps it to 503).
 */
export async function symbolCalibration (store: TcaStore, symbol: string, query: CalibrationQuery, nowMs: number): Promise<SymbolCalibration> {
  const sinceMs = query.since ?? 0
  const untilMs = query.until ?? nowMs
  if (untilMs < sinceMs) throw unprocessable('querystring/until', '>= since', `until (${untilMs}) must not be before since (${sinceMs})`)
  if (query.minParticipation !== undefined && query.maxParticipation !== undefined && query.maxParticipation < query.minParticipation) {
    throw unprocessable('querystring/maxParticipation', '>= minParticipation', `maxParticipation (${query.maxParticipation}) must not be below minParticipation (${query.minParticipation})`)
  }
  const records = await store.read(symbol, sinceMs)
  const { fills, inWindow, models } = scoredFills(records, query, untilMs)
  return withoutNulls({ symbol, sinceMs, untilMs, records: inWindow, scored: fills.length, models: [...models.values()], ...calibrationReport(fills) }) as SymbolCalibration
}
