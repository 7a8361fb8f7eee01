/**
 * Panel 4, calibration: for a symbol, the histogram of fills' z-scores against the counts N(0,1)
 * expects, and the share of fills inside the predicted p05-p95 band by participation decile, from
 * GET /v1/models/:symbol/calibration; and the models' version history from
 * GET /v1/models/:symbol/versions. Each part shows the API's error in its words when it has one.
 * The API never sends null: a number it cannot give (too few fills) is absent, shown as '-' in the
 * tables and as a gap in the charts.
 */
import type UPlot from 'uplot'
import { getJson, settle } from './api.js'
import type { Activation, CalibrationCell, CalibrationResponse, ModelVersion, VersionsResponse } from './api-types.js'
import { COLORS, barsPath, clearChart, drawChart, markY, periodStepsPath, translucent } from './chart.js'
import { FormReader, fmt, fmtTimeMs, panelElements, panelRunner, renderTable, setNotes, showError, type Cell } from './dom.js'

const DAY_MS = 86_400_000
/** Tick steps of a count axis: whole fills only. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]

/** A UTC date input (yyyy-mm-dd) as ms since epoch at 00:00 UTC. */
function utcMidnightMs (date: string): number {
  return Date.parse(`${date}T00:00:00Z`)
}

function cellColumns (c: CalibrationCell): string[] {
  const meanZ = c.meanZ === undefined ? '-' : c.meanZStdErr === undefined ? fmt(c.meanZ) : `${fmt(c.meanZ)} ± ${fmt(c.meanZStdErr)}`
  return [String(c.n), meanZ, fmt(c.stdZ), fmt(c.bandCoverage), fmt(c.biasBps), c.verdict]
}

/** A value of a record as short text: counts in full, other numbers as the page prints them, anything else as JSON. */
function valueText (value: unknown): string {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : fmt(value)
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** The record's scalar entries as "key: value; ..." (nested ones are left to validationCell's details). */
function scalarsText (record: Readonly<Record<string, unknown>>): string {
  return Object.entries(record)
    .filter(([, value]) => value === null || typeof value !== 'object')
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join('; ')
}

/**
 * A version's validation metrics: its scalar entries as text, and the nested ones (e.g. the
 * candidate fits an embedded sqrt was chosen from) folded in a details element, as the API sent them.
 */
function validationCell (validation: ModelVersion['validation']): Cell {
  if (validation === undefined) return '-'
  const nested = Object.entries(validation).filter(([, value]) => value !== null && typeof value === 'object')
  const scalars = scalarsText(validation)
  if (nested.length === 0) return scalars === '' ? '-' : scalars
  const details = document.createElement('details')
  const summary = document.createElement('summary')
  summary.textContent = `${scalars === '' ? '' : `${scalars}; `}more: ${nested.map(([key]) => key).join(', ')}`
  const pre = document.createElement('pre')
  pre.textContent = JSON.stringify(Object.fromEntries(nested), null, 1)
  details.append(summary, pre)
  return details
}

/** Publish time (UTC); the embedded defaults have none. */
function publishedText (v: ModelVersion): string {
  if (v.createdAtMs !== undefined) return fmtTimeMs(v.createdAtMs)
  return v.source === 'embedded' ? 'embedded' : '-'
}

/** When the version became active, each time it did (a rollback makes it active again), from the API's history. */
function activatedText (history: Activation[], version: string): string {
  const times = history.filter((a) => a.version === version).map((a) => a.fromMs === undefined ? 'since the start' : fmtTimeMs(a.fromMs))
  return times.length === 0 ? '-' : times.join(', ')
}

function renderVersions (container: HTMLElement, versions: VersionsResponse): void {
  const rows: Cell[][] = versions.models.flatMap((m) => m.versions.map((v) => [
    m.name, v.version, publishedText(v), v.active ? 'active' : '', activatedText(m.history, v.version), v.source, validationCell(v.validation)
  ]))
  renderTable(container, ['model', 'version', 'published (UTC)', 'active', 'active from (UTC)', 'source', 'validation'], rows)
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
    // until is inclusive (the API's "at or before"): the whole of that UTC day
    if (until !== '') query.set('until', String(utcMidnightMs(until) + DAY_MS - 1))
    for (const name of ['minParticipation', 'maxParticipation']) {
      const value = form.optionalNumber(name)
      if (value !== undefined) query.set(name, String(value))
    }
    const execution = form.text('execution')
    if (execution !== '') query.set('execution', execution)
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

    const { binEdges, counts, normalCounts, beyondEdges } = c.zHistogram
    const nominal = c.thresholds.nominalCoverage
    drawChart('calibrationZ', zContainer, {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, 1)] } },
      axes: [{ label: 'z-score of the fill cost (standard deviations)' }, { label: 'fills (count)', size: 55, incrs: COUNT_STEPS }],
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
        { label: `band coverage (nominal ${fmt(nominal)})`, stroke: COLORS[2], fill: translucent(COLORS[2], 0.5), paths: barsPath(), points: { show: false }, value: (_u, v) => fmt(v) }
      ],
      hooks: { draw: [(u) => markY(u, nominal, 'y', '#444444')] }
    }, [deciles.map((d) => d.decile), deciles.map((d) => d.bandCoverage ?? null)] as UPlot.AlignedData)

    const scoredBy = c.models.length === 0 ? 'no scored fills' : `scored by ${c.models.map((m) => `${m.name} ${m.version} (${m.n} fills)`).join(', ')}`
    const th = c.thresholds
    setNotes(panel.notes, [
      `${c.records} TCA records of ${c.symbol} executed from ${fmtTimeMs(c.sinceMs)} to ${fmtTimeMs(c.untilMs)}; ${c.scored} of them scored against a prediction (and inside the participation filter), ${scoredBy}.`,
      `Histogram: the end bins are open, holding ${beyondEdges.below} fills below z ${fmt(binEdges[0])} and ${beyondEdges.above} above ${fmt(binEdges[binEdges.length - 1])} (N(0,1): ${fmt(beyondEdges.normalBelow)} and ${fmt(beyondEdges.normalAbove)}).`,
      `Dashed line: the nominal coverage ${fmt(nominal)} of the p05-p95 band (|z| <= ${fmt(th.bandZ)}). A bar is missing where a decile has no fills.`,
      `Verdicts: insufficient-data below ${th.minFills} fills; biased when |mean z| > max(${th.samplingSigmas} std err, ${fmt(th.biasMinMeanZ)}); overconfident when std z > ${fmt(th.stdZHigh)} or coverage < ${fmt(th.coverageLow)}; underconfident when std z < ${fmt(th.stdZLow)} or coverage > ${fmt(th.coverageHigh)} (each limit moved out to ${th.samplingSigmas} standard errors where that is wider, as it is for few fills).`
    ])
    const rows: Cell[][] = [
      ['all fills', '-', ...cellColumns(c.overall)],
      ...deciles.map((d) => [`decile ${d.decile}`, d.participationMin === undefined ? '-' : `${fmt(d.participationMin)} to ${fmt(d.participationMax)}`, ...cellColumns(d)])
    ]
    renderTable(panel.table, ['fills', 'participation', 'n', 'mean z ± std err', 'std z', 'band coverage', 'bias bps', 'verdict'], rows)
  })
}
