/**
 * The `npm run eval` report: one JSON document (`--json`) or the same figures as Markdown
 * tables (the default, pasted into the README).
 */
import { CANDIDATE_NAMES } from '../../src/domain/validation/candidates.js'
import type { EvalRow, ValueWithStdErr } from './eval-core.js'
import type { BybitInverseSummary } from './eval-bybit.js'
import type { TapeSessionSummary } from './eval-tape.js'
import { formatUtc } from './stats.js'
import { markdownTable, sig } from './markdown.js'
import type { IStarEvaluation } from './eval-istar.js'
import { formatIStarSection } from './eval-istar-report.js'

export interface EvalReport {
  generatedBy: string
  /** the data directory as resolved ($PRETRADE_DATA_DIR or ../shared/data) */
  dataDir: string
  settings: Record<string, unknown>
  definitions: Record<string, string>
  klines: EvalRow[]
  /** the execution model (I-Star vs the square-root law over windows of several lengths) */
  executionModel: IStarEvaluation
  tape: { rows: EvalRow[], sessions: TapeSessionSummary[], skipped: Record<string, { noTradeBefore: number, noTradeInside: number, noMarket: number }> }
  bybitInverse: BybitInverseSummary
  notes: string[]
}

export const DEFINITIONS: Record<string, string> = {
  sample: 'one non-overlapping window: Q = net signed taker volume in the window (base units), dP/P = price at the end of the window / price just before it - 1, ADV (advBase), volDaily and relSpread from strictly earlier data',
  split: 'walk-forward by time: the last testFraction of the time span is the test period; training windows end at least gapMs before the first test window',
  logLinear: 'delta and eta of the log-linear OLS ln(|dP/P| / volDaily) = ln(eta) + delta ln(|Q| / ADV) on the training windows whose price moved with the flow; standard errors from OLS (eta: delta method); prediction sign(Q) eta volDaily (|Q|/ADV)^delta smearing',
  refit05: 'eta with delta fixed at 0.5, least squares of dP/P on sign(Q) volDaily sqrt(|Q|/ADV) over all training windows; OLS standard error',
  linear: 'linear regression of sign(Q) dP/P on impactFeatures (participation, volDaily sqrt(participation), relSpread, volDaily; no side feature); prediction sign(Q) * fitted cost',
  mlp: 'the same features and target, MLP 16/8 ReLU (seeded), trained on a deterministic subsample of at most mlpMaxTrainRows training windows',
  outOfSampleR2: '1 - MSE(model) / MSE(zero) of dP/P on the test windows: the gate\'s metric (zero scores 0 by definition; > 0 beats predicting no move)',
  r2AboutMean: '1 - SSE / SST with SST about the test mean of dP/P (as in embedded/models.json); the zero model scores ~0',
  executionModel: 'I-Star (Kissell) fitted by weighted nonlinear least squares of sign(Q) dP/P on MI = b1 I* POV^a4 + (1 - b1) I*, I* = a1 volDaily (|Q|/ADV)^a2, over non-overlapping windows of 1, 5, 15, 60 and 240 minutes (POV = |Q| / window volume), against the horizon-free square-root law (b1 = 0, a2 = 0.5); I-Star is published only if its pooled out-of-sample R² beats the square-root law\'s',
  gate: 'gateCandidate of the recalibration job with no published model: finite parameters, delta in [0.2, 1.0], symmetric and monotone non-decreasing in size on a 50-point log grid over the training participation range, lower MSE than zero overall and on a strict majority of UTC days, and beating the delta = 0.5 refit on a strict majority of days (vacuous for the refit itself); "publishes" is the passing candidate with the lowest MSE'
}

function withErr (v: ValueWithStdErr): string {
  return `${sig(v.value)} ± ${sig(v.stdErr, 2)}`
}

function r2 (x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3)
}

function day (ms: number): string {
  return formatUtc(ms).slice(0, 10)
}

function rowCells (row: EvalRow): string[] {
  const ll = 'error' in row.logLinear ? 'fit failed' : withErr(row.logLinear.impactExponent)
  const eta = 'error' in row.logLinear ? 'fit failed' : withErr(row.logLinear.impactCoef)
  const refit = 'error' in row.refit05 ? 'fit failed' : withErr(row.refit05.impactCoef)
  const r = row.outOfSampleR2
  return [
    row.dataset, row.window,
    `${row.samples.train} / ${row.samples.test} (${row.testDays} d)`,
    ll, eta, refit,
    r2(r.logLinear), r2(r.refit05), r2(r.linear), r2(r.mlp), r2(r.zero),
    row.publishes ?? 'none'
  ]
}

const HEADER = ['data set', 'window', 'train / test windows (test days)', 'delta ± s.e.', 'eta ± s.e.', 'eta (delta = 0.5) ± s.e.', 'R² sqrt fit', 'R² delta = 0.5', 'R² linear', 'R² MLP', 'R² zero', 'gate publishes']

function gateLine (row: EvalRow): string {
  const parts = CANDIDATE_NAMES.map((name) => {
    const g = row.gate[name]
    if (g.days === 0) return `${name} ✗ (${g.reasons[0]})`
    return `${name} ${g.publish ? '✓' : '✗'} (days beating zero ${g.winsVsZero}/${g.days}, beating the delta = 0.5 refit ${name === 'refit05' ? '-' : `${g.winsVsRefit05}/${g.days}`})`
  })
  return `- ${row.dataset}, ${row.window}: ${parts.join('; ')}`
}

/** The report as Markdown: the main table, the gate's day counts, the execution model (I-Star), the tape sessions and the Bybit market state. */
export function formatReport (report: EvalReport): string {
  const all = [...report.klines, ...report.tape.rows]
  const out: string[] = []
  out.push(`Out-of-sample R² of the signed return dP/P = 1 - MSE / MSE(zero predictor), walk-forward split (data: ${report.dataDir}).`)
  out.push('')
  out.push(markdownTable(HEADER, all.map(rowCells)))
  out.push('')
  out.push('Train and test periods:')
  for (const row of all) out.push(`- ${row.dataset}, ${row.window}: train ${day(row.trainWindow.fromMs)} .. ${day(row.trainWindow.toMs)}, test ${day(row.testWindow.fromMs)} .. ${day(row.testWindow.toMs)} (gap ${sig(row.gapMs / 60_000)} min)`)
  out.push('')
  out.push('Gate, per candidate (✓ would publish):')
  for (const row of all) out.push(gateLine(row))
  out.push('')
  out.push(...formatIStarSection(report.executionModel))
  out.push('')
  out.push('Trade-tape sessions (Binance USD-M, aggressor side from the tape):')
  for (const s of report.tape.sessions) out.push(`- ${s.session}: ${s.symbol}, ${s.trades} trades, ${formatUtc(s.fromMs)} .. ${formatUtc(s.toMs)}`)
  for (const [window, k] of Object.entries(report.tape.skipped)) out.push(`- ${window} windows skipped: ${k.noTradeBefore} with no earlier trade, ${k.noTradeInside} with no trade inside, ${k.noMarket} before the warm-up or without a book`)
  out.push('')
  const b = report.bybitInverse
  out.push(`Bybit ${b.symbol} 1-minute klines (${b.file}): market state only, no signed flow.`)
  out.push('')
  out.push(markdownTable(['period', 'bars', 'from', 'to', 'volDaily', 'advBase (BTC/day)'], b.periods.map((p) => [p.label, String(p.bars), formatUtc(p.fromMs), formatUtc(p.toMs), sig(p.volDaily, 4), sig(p.advBase, 4)])))
  out.push('')
  out.push(`Second half / first half: volDaily x${sig(b.ratio.volDaily)}, advBase x${sig(b.ratio.advBase)}.`)
  out.push('')
  out.push('Notes:')
  for (const n of report.notes) out.push(`- ${n}`)
  return out.join('\n') + '\n'
}
