/**
 * Panel 3, efficient frontier: expected cost against timing risk over risk aversion
 * (POST /v1/schedule/frontier), with the chosen risk aversion's schedule (POST /v1/schedule) marked.
 * Clicking a point, or its row's button, loads that point's schedule into panel 2.
 */
import type UPlot from 'uplot'
import { postJson } from './api.js'
import type { FrontierPoint, FrontierResponse, ScheduleResponse } from './api-types.js'
import { COLORS, clearChart, drawChart, joinTables } from './chart.js'
import { FormReader, fmt, panelElements, panelRunner, renderTable, setFormValues, setNotes, type Cell } from './dom.js'
import type { ScheduleOrder } from './panel-schedule.js'

const CHOSEN_COLOR = '#D55E00'
/** A click farther than this from every point picks none, CSS pixels. */
const PICK_RADIUS_PX = 24

/** Both axes in bps when the API gives bps for every point (execution model), else in quote currency. */
function axesOf (points: readonly FrontierPoint[], chosen: ScheduleResponse) {
  const bps = points.every((p) => p.expectedCostBps !== undefined && p.timingRiskBps !== undefined) &&
    chosen.expectedCostBps !== undefined && chosen.timingRiskBps !== undefined
  return bps
    ? { unit: 'bps', x: (p: FrontierPoint | ScheduleResponse) => p.timingRiskBps!, y: (p: FrontierPoint | ScheduleResponse) => p.expectedCostBps! }
    : { unit: 'quote currency', x: (p: FrontierPoint | ScheduleResponse) => p.stdCostQuote, y: (p: FrontierPoint | ScheduleResponse) => p.expectedCostQuote }
}

export function frontierPanel (showSchedule: (order: ScheduleOrder) => Promise<void>): () => Promise<void> {
  const panel = panelElements('frontier')
  const container = panel.section.querySelector<HTMLElement>('.chart')!
  const runner = panelRunner(panel, () => clearChart('frontier', container))

  /** Marks the point chosen, then draws its schedule in panel 2. */
  const pick = async (point: FrontierPoint): Promise<void> => {
    setFormValues(panel.form, { riskAversion: String(point.riskAversion) })
    const form = new FormReader(panel.form)
    const order: ScheduleOrder = {
      symbol: form.text('symbol'),
      side: form.text('side'),
      qtyBase: form.text('qtyBase'),
      horizonDays: form.text('horizonDays'),
      periods: form.text('periods'),
      riskAversion: String(point.riskAversion),
      parameters: form.text('parameters')
    }
    await Promise.all([run(), showSchedule(order)])
  }

  const run = async (): Promise<void> => await runner(async (isCurrent) => {
    const form = new FormReader(panel.form)
    const parameters = form.text('parameters')
    const base = {
      symbol: form.text('symbol'),
      side: form.text('side'),
      qtyBase: form.number('qtyBase'),
      horizonDays: form.number('horizonDays'),
      periods: form.number('periods'),
      ...(parameters === 'execution-model' ? {} : { parameters })
    }
    const riskAversion = form.number('riskAversion')
    const [frontier, chosen] = await Promise.all([
      postJson<FrontierResponse>('v1/schedule/frontier', { ...base, count: form.number('count') }),
      postJson<ScheduleResponse>('v1/schedule', { ...base, strategy: 'optimal', riskAversion })
    ])
    if (!isCurrent()) return

    const axes = axesOf(frontier.points, chosen)
    // uPlot wants x ascending: the points ordered by timing risk (the API orders them by risk aversion)
    const byRisk = frontier.points.map((p, i) => ({ p, i })).sort((a, b) => axes.x(a.p) - axes.x(b.p) || a.i - b.i).map((e) => e.p)
    const frontierTable = [byRisk.map(axes.x), byRisk.map(axes.y)] as UPlot.AlignedData
    const chosenTable = [[axes.x(chosen)], [axes.y(chosen)]] as UPlot.AlignedData

    const chart = drawChart('frontier', container, {
      scales: { x: { time: false } },
      axes: [
        { label: `timing risk, standard deviation of the cost (${axes.unit})` },
        { label: `expected cost (${axes.unit})`, size: 60 }
      ],
      series: [
        { label: `timing risk (${axes.unit})`, value: (_u, v) => fmt(v) },
        { label: `frontier: ${frontier.points.length} risk aversions (${axes.unit})`, stroke: COLORS[0], width: 2, points: { show: true, size: 7 }, value: (_u, v) => fmt(v) },
        { label: `chosen λ ${fmt(riskAversion)}: ${fmt(axes.y(chosen))} ± ${fmt(axes.x(chosen))} ${axes.unit}`, stroke: CHOSEN_COLOR, width: 0, points: { show: true, size: 16, width: 3, fill: 'rgba(0,0,0,0)' }, paths: () => null, value: (_u, v) => fmt(v) }
      ]
    }, joinTables([frontierTable, chosenTable]))
    chart.over.addEventListener('click', () => {
      const { left, top } = chart.cursor
      if (left === undefined || top === undefined || left < 0) return
      let best: FrontierPoint | undefined
      let bestDistance = PICK_RADIUS_PX
      for (const p of byRisk) {
        const distance = Math.hypot(chart.valToPos(axes.x(p), 'x') - left, chart.valToPos(axes.y(p), 'y') - top)
        if (distance < bestDistance) { best = p; bestDistance = distance }
      }
      if (best !== undefined) void pick(best)
    })

    const notes = [
      `Chosen point: POST /v1/schedule optimal at λ ${fmt(riskAversion)} per quote unit. Click a point (or press its button below) to see its schedule in panel 2.`
    ]
    const params = frontier.executionModel?.params
    if (params !== undefined && (params.b1 === 0 || params.a4 === 0)) {
      notes.push(`The execution model ${frontier.executionModel!.version} has no rate term (b1 ${fmt(params.b1)}, a4 ${fmt(params.a4)}): trading faster costs no more, so every risk aversion gives the fastest schedule the participation cap allows and the frontier is one point. The linear rules of thumb (Cost model) trace a curve.`)
    }
    setNotes(panel.notes, notes)

    const rows: Cell[][] = frontier.points.map((p) => {
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = 'Show schedule'
      button.setAttribute('aria-label', `Show the schedule at risk aversion ${p.riskAversion}`)
      button.addEventListener('click', () => { void pick(p) })
      const q = p.costQuantilesBps
      return [fmt(p.riskAversion), fmt(p.expectedCostBps), fmt(p.timingRiskBps), fmt(p.expectedCostQuote), fmt(p.stdCostQuote), fmt(p.modelRiskBps), q === undefined ? '-' : `${fmt(q.p05)} to ${fmt(q.p95)}`, button]
    })
    renderTable(panel.table, ['λ (per quote)', 'expected cost bps', 'timing risk bps', 'expected cost (quote)', 'std of cost (quote)', 'model risk bps', 'p05 to p95 bps', ''], rows,
      (i) => frontier.points[i].riskAversion === riskAversion ? 'chosen' : undefined)
  })
  return run
}
