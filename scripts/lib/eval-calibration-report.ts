/**
 * The calibration part of the `npm run eval` Markdown report (issue 15): per window length and
 * pooled, the predicted p05-p95 band's coverage and the mean and std of z, for the joint I-Star
 * fit and the square-root law; the published model by |Q|/ADV decile.
 */
import { CALIBRATION_THRESHOLDS, type CalibrationCell } from '../../src/domain/tca/calibration-report.js'
import type { CalibrationEvaluation } from './eval-calibration.js'
import { markdownTable, sig } from './markdown.js'

function meanCell (c: CalibrationCell): string {
  if (c.meanZ === null) return 'n/a'
  return c.meanZStdErr === null ? c.meanZ.toFixed(3) : `${c.meanZ.toFixed(3)} ± ${sig(c.meanZStdErr, 2)}`
}

function statCells (c: CalibrationCell): string[] {
  return [
    meanCell(c),
    c.stdZ === null ? 'n/a' : c.stdZ.toFixed(3),
    c.bandCoverage === null ? 'n/a' : `${(100 * c.bandCoverage).toFixed(1)} %`,
    c.biasBps === null ? 'n/a' : sig(c.biasBps),
    c.verdict
  ]
}

function pct (x: number): string {
  return `${sig(100 * x, 2)} %`
}

const HEADER = ['length', 'test windows', 'I-Star: mean z ± s.e.', 'std z', 'p05-p95 coverage', 'bias (bps)', 'verdict', 'sqrt law: mean z ± s.e.', 'std z', 'p05-p95 coverage', 'bias (bps)', 'verdict']
const DECILE_HEADER = ['\\|Q\\|/ADV decile', '\\|Q\\|/ADV', 'windows', 'mean z ± s.e.', 'std z', 'p05-p95 coverage', 'bias (bps)', 'verdict']

/** The calibration section as Markdown lines; `winner` picks the model shown by decile (the published one). */
export function formatCalibrationSection (c: CalibrationEvaluation, winner: 'i-star' | 'square-root-law'): string[] {
  const th = CALIBRATION_THRESHOLDS
  const out: string[] = []
  out.push(`Calibration of the predicted cost distribution on the held-out windows (issue 15): ${c.method}.`)
  out.push(`Verdicts (calibrationReport): biased if |mean z| > max(3 s.e., ${th.biasMinMeanZ}); else overconfident if std z > ${th.stdZHigh} or coverage < ${pct(th.coverageLow)}; else underconfident if std z < ${th.stdZLow} or coverage > ${pct(th.coverageHigh)}; else calibrated (the std and coverage limits widen to 3 standard errors for small n).`)
  out.push('')
  out.push(markdownTable(HEADER, [
    ...c.perLength.map((row) => [`${row.lengthMinutes} min`, String(row.windows), ...statCells(row.istar), ...statCells(row.sqrt)]),
    ['pooled', String(c.pooled.windows), ...statCells(c.pooled.istar.overall), ...statCells(c.pooled.sqrt.overall)]
  ]))
  out.push('')
  const { istar, sqrt } = c.pooled
  const unavailable = istar.modelRiskUnavailable + sqrt.modelRiskUnavailable > 0
    ? ` Model risk unavailable (an unidentified parameter moves MI; scored on timing risk alone): ${istar.modelRiskUnavailable} windows for I-Star, ${sqrt.modelRiskUnavailable} for the square-root law.`
    : ''
  out.push(`Pooled tails: |z| > 3 in ${pct(istar.absZAbove3.share)} of the windows for I-Star and ${pct(sqrt.absZAbove3.share)} for the square-root law (a standard normal: ${pct(istar.absZAbove3.normal)}). The model risk is on average ${pct(istar.modelRiskShareOfVariance)} (I-Star) and ${pct(sqrt.modelRiskShareOfVariance)} (square-root law) of the predicted variance, the rest timing risk.${unavailable}`)
  out.push('')
  const published = winner === 'i-star' ? istar : sqrt
  out.push(`The published model (${winner === 'i-star' ? 'I-Star' : 'the square-root law'}) on the pooled test windows by |Q|/ADV decile (equal-count):`)
  out.push('')
  out.push(markdownTable(DECILE_HEADER, published.byParticipationDecile.map((d) => [
    String(d.decile),
    d.participationMin === null || d.participationMax === null ? 'n/a' : `${sig(d.participationMin, 2)} .. ${sig(d.participationMax, 2)}`,
    String(d.n),
    ...statCells(d)
  ])))
  return out
}
