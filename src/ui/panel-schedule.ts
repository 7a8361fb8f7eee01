/**
 * Panel 2, schedule: holdings (left axis) and child orders (right axis) over time for optimal,
 * TWAP, VWAP and POV, each with its expected cost and timing risk in the legend.
 * POST /v1/schedule plans optimal, twap and vwap. It has no pov strategy: the API prices pov
 * (POST /v1/estimate) as child orders in proportion to the volume profile over the horizon the
 * market takes to trade qtyBase / participationRate, which is the vwap schedule over that horizon
 * and its periods. So the POV line is POST /v1/schedule vwap over the horizonDays, periods and
 * startMs of the pov estimate, and its legend numbers are the estimate's.
 */
import type UPlot from 'uplot'
import { postJson, settle } from './api.js'
import type { CostUncertainty, EstimateResponse, ScheduleResponse } from './api-types.js'
import { COLORS, clearChart, drawChart, joinTables, periodStepsPath } from './chart.js'
import { FormReader, fmt, panelElements, panelRunner, renderTable, setFormValues, setNotes, swatch, type Cell } from './dom.js'

interface Trajectory {
  name: string
  color: string
  schedule: ScheduleResponse
  /** whose expected cost and timing risk the legend shows: the schedule's, or the pov estimate's */
  priced: CostUncertainty & { expectedCostQuote?: number, totalCostBps?: number, timingRiskBps?: number, stdCostQuote?: number }
}

/** Expected cost in bps when the API gives it (execution model), else in quote currency (linear model without bps). */
function costText (p: Trajectory['priced']): string {
  const bps = p.expectedCostBps ?? p.totalCostBps
  return bps !== undefined ? `${fmt(bps)} bps` : `${fmt(p.expectedCostQuote)} quote`
}

function riskText (p: Trajectory['priced']): string {
  return p.timingRiskBps !== undefined ? `${fmt(p.timingRiskBps)} bps` : `${fmt(p.stdCostQuote)} quote`
}

/** The order panel 3 hands over when a frontier point is picked. */
export interface ScheduleOrder {
  symbol: string
  side: string
  qtyBase: string
  horizonDays: string
  periods: string
  riskAversion: string
  parameters: string
}

export function schedulePanel (): { run: () => Promise<void>, load: (order: ScheduleOrder) => Promise<void> } {
  const panel = panelElements('schedule')
  const container = panel.section.querySelector<HTMLElement>('.chart')!
  const runner = panelRunner(panel, () => clearChart('schedule', container))

  const run = async (): Promise<void> => await runner(async (isCurrent) => {
    const form = new FormReader(panel.form)
    const symbol = form.text('symbol')
    const side = form.text('side')
    const qtyBase = form.number('qtyBase')
    const horizonDays = form.number('horizonDays')
    const periods = form.number('periods')
    const riskAversion = form.number('riskAversion')
    const participationRate = form.number('participationRate')
    const parameters = form.text('parameters')
    const executionModel = parameters === 'execution-model'

    const notes: string[] = []
    // the pov estimate first: its startMs (the API's current minute) starts every schedule, so all share one clock
    const pov = executionModel
      ? await settle(postJson<EstimateResponse>('v1/estimate', { symbol, side, qtyBase, execution: { strategy: 'pov', participationRate } }))
      : undefined
    const startMs = pov?.ok === true ? pov.value.execution.startMs : undefined
    const base = { symbol, side, qtyBase, horizonDays, periods, ...(executionModel ? {} : { parameters }), ...(startMs !== undefined ? { startMs } : {}) }
    const requests: Array<{ name: string, body: Record<string, unknown>, pov?: EstimateResponse }> = [
      { name: `optimal, λ ${fmt(riskAversion)}`, body: { ...base, strategy: 'optimal', riskAversion } },
      { name: 'TWAP', body: { ...base, strategy: 'twap' } },
      { name: 'VWAP', body: { ...base, strategy: 'vwap' } }
    ]
    if (pov?.ok === true) {
      const { horizonDays: povDays, periods: povPeriods } = pov.value.execution
      requests.push({ name: `POV ${fmt(participationRate)}`, body: { ...base, strategy: 'vwap', horizonDays: povDays, periods: povPeriods }, pov: pov.value })
    } else if (pov !== undefined && !pov.ok) {
      notes.push(`POV not drawn: ${pov.error}`)
    } else {
      notes.push('POV not drawn: the API prices pov with the execution model only (POST /v1/estimate).')
    }
    const answers = await Promise.all(requests.map(async (r) => await settle(postJson<ScheduleResponse>('v1/schedule', r.body))))
    if (!isCurrent()) return

    const drawn: Trajectory[] = []
    answers.forEach((answer, i) => {
      const { name, pov: povEstimate } = requests[i]
      if (!answer.ok) { notes.push(`${name} not drawn: ${answer.error}`); return }
      drawn.push({ name, color: COLORS[i % COLORS.length], schedule: answer.value, priced: povEstimate ?? answer.value })
    })
    if (drawn.length === 0) throw new Error(notes.join('\n'))
    if (pov?.ok === true) notes.push(`POV: POST /v1/schedule vwap over the pov estimate's horizon (${fmt(pov.value.execution.horizonDays)} days, ${pov.value.execution.periods} periods); cost and timing risk from POST /v1/estimate pov.`)

    const series: UPlot.Series[] = [{ label: 'time since start (days)', value: (_u, v) => fmt(v) }]
    const tables: UPlot.AlignedData[] = []
    for (const t of drawn) {
      const legend = `${t.name}: cost ${costText(t.priced)}, timing risk ${riskText(t.priced)}`
      tables.push([t.schedule.timesDays, t.schedule.holdings, [...t.schedule.trades, null]] as UPlot.AlignedData)
      series.push({ label: `${legend}; holdings`, stroke: t.color, width: 2, scale: 'base', value: (_u, v) => fmt(v) })
      series.push({ label: `${t.name} child orders`, stroke: t.color, width: 1, dash: [5, 3], scale: 'trades', paths: periodStepsPath(), points: { show: false }, value: (_u, v) => fmt(v) })
    }
    drawChart('schedule', container, {
      scales: { x: { time: false }, base: { auto: true }, trades: { auto: true } },
      axes: [
        { label: 'time since start (days)' },
        { label: 'holdings left to trade (base asset)', scale: 'base', size: 60 },
        { label: 'child order size (base asset per period)', scale: 'trades', side: 1, size: 60, grid: { show: false } }
      ],
      series
    }, joinTables(tables))
    setNotes(panel.notes, notes)

    const rows: Cell[][] = drawn.map((t) => {
      const s = t.schedule
      const q = t.priced.costQuantilesBps
      return [swatch(t.color, t.name), fmt(s.riskAversion), fmt(s.timesDays[s.timesDays.length - 1]), String(s.trades.length), costText(t.priced), riskText(t.priced),
        fmt(t.priced.modelRiskBps), q === undefined ? '-' : `${fmt(q.p05)} to ${fmt(q.p95)}`, fmt(s.cappedPeriods), (s.warnings ?? []).map((w) => w.code).join(', ') || '-']
    })
    renderTable(panel.table, ['strategy', 'λ (per quote)', 'horizon (days)', 'periods', 'expected cost', 'timing risk', 'model risk bps', 'p05 to p95 bps', 'capped periods', 'warnings'], rows)
  })

  const load = async (order: ScheduleOrder): Promise<void> => {
    setFormValues(panel.form, { ...order })
    await run()
  }
  return { run, load }
}
