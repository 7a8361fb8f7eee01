/**
 * Panel 4, calibration: for a symbol, the histogram of fills' z-scores against the counts N(0,1)
 * expects, and the share of fills inside the predicted p05-p95 band by participation decile, from
 * GET /v1/models/:symbol/calibration; and the models' version history from
 * GET /v1/models/:symbol/versions. Each part shows the API's error in its words when it has one.
 */
import type UPlot from 'uplot'
import { getJson, settle } from './api.js'
import type { CalibrationCell, CalibrationResponse, VersionsResponse } from './api-types.js'
import { COLORS, barsPath, clearChart, drawChart, markY, periodStepsPath, translucent } from './chart.js'
import { FormReader, fmt, fmtTimeMs, panelElements, panelRunner, renderTable, setNotes, showError, type Cell } from './dom.js'

/** The p05-p95 band holds 90 % of outcomes by its definition: the coverage a calibrated model shows. */
const NOMINAL_BAND_COVERAGE = 0.9

/** A UTC date input (yyyy-mm-dd) as ms since epoch at 00:00 UTC. */
function utcMidnightMs (date: string): number {
  return Date.parse(`${date}T00:00:00Z`)
}

function cellColumns (c: CalibrationCell): string[] {
  return [String(c.n), c.meanZ === null ? '-' : `${fmt(c.meanZ)} ± ${fmt(c.meanZStdErr)}`, fmt(c.stdZ), fmt(c.bandCoverage), fmt(c.biasBps), c.verdict]
}

function validationText (validation: Record<string, unknown> | null): string {
  if (validation === null) return '-'
  return Object.entries(validation)
    .map(([key, value]) => `${key}: ${typeof value === 'number' ? fmt(value) : JSON.stringify(value)}`)
    .join('; ')
}

function renderVersions (container: HTMLElement, versions: VersionsResponse): void {
  const rows: Cell[][] = versions.models.flatMap((m) => m.versions.map((v) => [
    m.name, v.version, fmtTimeMs(v.createdAtMs), v.active ? 'active' : '', v.source, validationText(v.validation)
  ]))
  renderTable(container, ['model', 'version', 'published (UTC)', 'active', 'source', 'validation'], rows)
}

export function calibrationPanel (): () => Promise<void> {
  const panel = panelElements('calibration')
  const zContainer = panel.section.querySelector<HTMLElement>('#calibration-z-chart')!
  const coverageContainer = panel.section.querySelector<HTMLElement>('#calibration-coverage-chart')!
  const versionsContainer = panel.section.querySelector<HTMLElement>('.versions')!
  const versionsError = panel.section.querySelector<HTMLElement>('.versions-error')!
  const runner = panelRunner(panel, () => {
    clearChart('calibrationZ', zContainer)
    clearChart('calibrationCoverage', coverageContainer)
  })

  return async () => await runner(async (isCurrent) => {
    const form = new FormReader(panel.form)
    const symbol = encodeURIComponent(form.text('symbol'))
    const query = new URLSearchParams()
    const since = form.text('since')
    const until = form.text('until')
    if (since !== '') query.set('since', String(utcMidnightMs(since)))
    if (until !== '') query.set('until', String(utcMidnightMs(until)))
    for (const name of ['minParticipation', 'maxParticipation']) {
      const value = form.optionalNumber(name)
      if (value !== undefined) query.set(name, String(value))
    }
    const search = query.toString() === '' ? '' : `?${query.toString()}`
    const [calibration, versions] = await Promise.all([
      settle(getJson<CalibrationResponse>(`v1/models/${symbol}/calibration${search}`)),
      settle(getJson<VersionsResponse>(`v1/models/${symbol}/versions`))
    ])
    if (!isCurrent()) return

    if (versions.ok) {
      showError(versionsError, undefined)
      renderVersions(versionsContainer, versions.value)
    } else {
      showError(versionsError, versions.error)
      versionsContainer.replaceChildren()
    }
    if (!calibration.ok) throw new Error(calibration.error)
    const c = calibration.value

    const { binEdges, counts, normalCounts } = c.zHistogram
    drawChart('calibrationZ', zContainer, {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max] } },
      axes: [{ label: 'z-score of the fill cost (standard deviations)' }, { label: 'fills (count)', size: 55 }],
      series: [
        { label: 'z (bin start)', value: (_u, v) => fmt(v) },
        { label: `fills, n ${c.overall.n}`, stroke: COLORS[0], fill: translucent(COLORS[0], 0.25), width: 1, paths: periodStepsPath(), points: { show: false }, value: (_u, v) => fmt(v) },
        { label: 'expected under N(0,1)', stroke: COLORS[1], width: 2, paths: periodStepsPath(), points: { show: false }, value: (_u, v) => fmt(v) }
      ]
    }, [binEdges, [...counts, null], [...normalCounts, null]] as UPlot.AlignedData)

    const deciles = c.byParticipationDecile
    drawChart('calibrationCoverage', coverageContainer, {
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: [0, 1] } },
      axes: [{ label: 'participation decile (1 = smallest orders)' }, { label: 'fills inside p05-p95 band (fraction)', size: 55 }],
      series: [
        { label: 'decile', value: (_u, v) => fmt(v) },
        { label: `band coverage (nominal ${NOMINAL_BAND_COVERAGE})`, stroke: COLORS[2], fill: translucent(COLORS[2], 0.5), paths: barsPath(), points: { show: false }, value: (_u, v) => fmt(v) }
      ],
      hooks: { draw: [(u) => markY(u, NOMINAL_BAND_COVERAGE, 'y', '#444444')] }
    }, [deciles.map((d) => d.decile), deciles.map((d) => d.bandCoverage)] as UPlot.AlignedData)

    setNotes(panel.notes, [
      `Model ${c.model}, fills from ${fmtTimeMs(c.sinceMs)} to ${fmtTimeMs(c.untilMs)}.`,
      `Dashed line: the nominal coverage ${NOMINAL_BAND_COVERAGE} of a p05-p95 band. Thresholds: ${validationText(c.thresholds)}.`
    ])
    const rows: Cell[][] = [
      ['all fills', '-', ...cellColumns(c.overall)],
      ...deciles.map((d) => [`decile ${d.decile}`, `${fmt(d.participationMin)} to ${fmt(d.participationMax)}`, ...cellColumns(d)])
    ]
    renderTable(panel.table, ['fills', 'participation', 'n', 'mean z ± std err', 'std z', 'band coverage', 'bias bps', 'verdict'], rows)
  })
}
