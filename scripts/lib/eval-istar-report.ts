/**
 * The execution-model (I-Star) part of the `npm run eval` Markdown report: the per-length fits,
 * the joint fits with their standard errors, out-of-sample R^2 per length and pooled for I-Star
 * and the square-root law, one sentence on speed, and the calibration of the predicted cost
 * distributions (eval-calibration-report.ts).
 */
import { ISTAR_PARAM_ORDER } from '../../src/domain/impact/calibrate-istar.js'
import type { IStarEvaluation, IStarFitSummary, Range } from './eval-istar.js'
import { markdownTable, sig } from './markdown.js'
import { formatCalibrationSection } from './eval-calibration-report.js'

/** `value ± se`; "fixed" for a parameter the fit held, "n/i" when the data cannot identify it. */
function paramCell (fit: IStarFitSummary, name: typeof ISTAR_PARAM_ORDER[number]): string {
  const value = sig(fit.params[name])
  if (!fit.fitted.includes(name)) return `${value} (fixed)`
  const se = fit.stdErr[name]
  return se === null ? `${value} ± n/i` : `${value} ± ${sig(se, 2)}`
}

/** R = MI(POV p90) / MI(POV p10) - 1 with its z (calibrate-istar.ts speedEffect). */
function speedCell (fit: IStarFitSummary): string {
  const z = fit.speedEffect.z
  return `${sig(100 * fit.speedEffect.ratio, 2)} % (${z === null ? 'n/i' : z.toFixed(2)})`
}

function rangeCell (r: Range): string {
  return `${sig(r.min, 2)} .. ${sig(r.max, 2)}`
}

function r2 (x: number): string {
  return x.toFixed(4)
}

// pipes inside a Markdown cell are escaped
const LENGTH_HEADER = ['length', 'train / test windows', '\\|Q\\|/ADV (train)', 'POV (train)', 'a1', 'a2', 'a4', 'b1', 'speed effect (z)', 'sqrt a1 (a2 = 0.5)', 'R² I-Star (own)', 'R² sqrt (own)', 'R² I-Star (joint)', 'R² sqrt (joint)', 'share of pooled SST']
const JOINT_HEADER = ['joint fit', 'a1', 'a2', 'a4', 'b1', 'standard errors', 'pooled out-of-sample R²']

/** The execution-model section as Markdown lines. */
export function formatIStarSection (e: IStarEvaluation): string[] {
  const out: string[] = []
  const s = e.settings
  out.push(`Execution model (I-Star, MI = b1 I* POV^a4 + (1 - b1) I*, I* = a1 volDaily (|Q|/ADV)^a2): trained on ${s.trainMonth} (${e.windows.train} windows, ${e.days.train} days), tested on ${s.testMonth} (${e.windows.test} windows, ${e.days.test} days); target sign(Q) (close_end / open_start - 1).`)
  out.push(`Weights: ${e.weighting}. |Q|/ADV ${rangeCell(e.sizeFractionOfAdvRange)}, POV ${rangeCell(e.povRange)}, volDaily ${rangeCell(e.volDailyRange)} (training windows).`)
  out.push('')
  out.push('Per window length: each length fitted alone ("own", day-clustered SEs, "n/i": not identified; speed effect = MI at the 90th over MI at the 10th percentile of POV, minus 1), and the joint fits below scored on that length\'s test windows. R² = 1 - SSE / SST about the test mean; the last column is the length\'s share of the pooled R²\'s sum of squares.')
  out.push('')
  out.push(markdownTable(LENGTH_HEADER, e.perLength.map((row) => [
    `${row.lengthMinutes} min`,
    `${row.windows.train} / ${row.windows.test}`,
    rangeCell(row.sizeFractionOfAdvRange),
    rangeCell(row.povRange),
    ...ISTAR_PARAM_ORDER.map((name) => paramCell(row.istarFit, name)),
    speedCell(row.istarFit),
    row.sqrtFit.a1StdErr === null ? sig(row.sqrtFit.a1) : `${sig(row.sqrtFit.a1)} ± ${sig(row.sqrtFit.a1StdErr, 2)}`,
    r2(row.outOfSampleR2.istarOwnLength),
    r2(row.outOfSampleR2.sqrtOwnLength),
    r2(row.outOfSampleR2.istar),
    r2(row.outOfSampleR2.sqrt),
    `${sig(100 * row.shareOfPooledSst, 2)} %`
  ])))
  out.push('')
  const failed = (fit: IStarFitSummary): string => fit.bootstrapReplicates === undefined ? '' : `, ${fit.bootstrapReplicates.failed} failed`
  out.push(markdownTable(JOINT_HEADER, [
    ['I-Star', ...ISTAR_PARAM_ORDER.map((name) => paramCell(e.joint.istar, name)), `${e.joint.istar.stdErrMethod}${failed(e.joint.istar)}`, r2(e.pooledOutOfSampleR2.istar)],
    ['square-root law', ...ISTAR_PARAM_ORDER.map((name) => paramCell(e.joint.sqrt, name)), e.joint.sqrt.stdErrMethod, r2(e.pooledOutOfSampleR2.sqrt)]
  ]))
  out.push('')
  const atBound = e.joint.istar.atBound.length > 0 ? ` Joint I-Star parameters on a bound of the search box: ${e.joint.istar.atBound.join(', ')} (their SEs are not asymptotically normal).` : ''
  out.push(`Speed: ${e.speedText}${atBound}`)
  const p = e.publishedParams
  out.push(`Published execution model (embedded "istar"): ${e.winner === 'i-star' ? 'I-Star' : 'the square-root law as I-Star parameters'}, a1 ${sig(p.a1, 4)}, a2 ${sig(p.a2, 4)}, a4 ${sig(p.a4, 4)}, b1 ${sig(p.b1, 4)}.`)
  out.push('')
  out.push(...formatCalibrationSection(e.calibration, e.winner))
  return out
}
