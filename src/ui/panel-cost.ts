/**
 * Panel 1, cost vs size: total cost (bps) against qtyBase on a log axis, from 0.001 % to 10 % of
 * the ADV the API reports, for every model GET /v1/models lists for the symbol (istar worked over
 * the chosen horizon, the others at once), the book walk when the server has live books, the
 * p05-p95 band of costQuantilesBps for every model whose quantiles spread, and each model's
 * calibrated participation range shaded. Sizes are the page's choice; every cost is an estimate the API returned.
 */
import type UPlot from 'uplot'
import { getJson, postJson, settle } from './api.js'
import type { EstimateBatchResponse, EstimateResponse, ModelInfo, ModelsResponse } from './api-types.js'
import { COLORS, clearChart, drawChart, markX, shadeXRange, translucent } from './chart.js'
import { FormReader, fmt, fmtTimeMs, panelElements, panelRunner, renderTable, setNotes, swatch, type Cell } from './dom.js'

/** Sizes priced: 10^-5 to 10^-1 of ADV, 8 a decade (log-spaced), plus the marked size and the validity bounds. */
const SIZES_PER_DECADE = 8
const MIN_FRACTION_OF_ADV = 1e-5
const MAX_FRACTION_OF_ADV = 1e-1

const SHADE_COLORS = ['#2b8a3e', '#5f3dc4']
const SHADE_NAMES = ['green', 'purple']

interface Curve { label: string, color: string, results: EstimateResponse[] }

interface CostDrawn {
  validity: Array<{ models: string[], fromQtyBase: number, toQtyBase: number, participationMin: number, participationMax: number }>
  markedQtyBase: number
}

declare global {
  interface Window {
    /** what a panel drew besides its series (shaded ranges, marks), for tests and the console */
    __pretradeDrawn: { cost?: CostDrawn }
  }
}
window.__pretradeDrawn = {}

/** Log-spaced fractions of ADV, the marked size's and the bounds' fractions are added by the caller. */
function sizeGrid (advBase: number, extra: readonly number[]): number[] {
  const decades = Math.log10(MAX_FRACTION_OF_ADV / MIN_FRACTION_OF_ADV)
  const sizes = Array.from({ length: decades * SIZES_PER_DECADE + 1 }, (_, i) => advBase * MIN_FRACTION_OF_ADV * 10 ** (i / SIZES_PER_DECADE))
  return [...new Set([...sizes, ...extra])].sort((a, b) => a - b)
}

function modelsOf (catalog: ModelsResponse, symbol: string): ModelInfo[] {
  return (catalog.symbols.find((s) => s.symbol === symbol) ?? catalog.symbols.find((s) => s.symbol === '*'))?.models ?? []
}

/** Models sharing one calibrated participation range, shaded once. */
function validityGroups (models: readonly ModelInfo[]): Array<{ models: string[], min: number, max: number }> {
  const groups = new Map<string, { models: string[], min: number, max: number }>()
  for (const m of models) {
    const { min, max } = m.validity.participation
    const key = `${min}:${max}`
    const group = groups.get(key) ?? { models: [], min, max }
    group.models.push(m.name)
    groups.set(key, group)
  }
  return [...groups.values()]
}

export function costPanel (): () => Promise<void> {
  const panel = panelElements('cost')
  const container = panel.section.querySelector<HTMLElement>('.chart')!
  const run = panelRunner(panel, () => clearChart('cost', container))

  return async () => await run(async (isCurrent) => {
    const form = new FormReader(panel.form)
    const symbol = form.text('symbol')
    const side = form.text('side')
    const markedQtyBase = form.number('qtyBase')
    const horizonDays = form.number('horizonDays')
    const strategy = form.text('strategy')
    const logCost = form.text('costScale') === 'log'

    const [catalog, probe] = await Promise.all([
      getJson<ModelsResponse>('v1/models'),
      postJson<EstimateResponse>('v1/estimate', { symbol, side, qtyBase: markedQtyBase })
    ])
    const models = modelsOf(catalog, symbol)
    const groups = validityGroups(models)
    const bounds = groups.flatMap((g) => [g.min, g.max])
      .filter((f) => f > MIN_FRACTION_OF_ADV && f < MAX_FRACTION_OF_ADV)
      .map((f) => f * probe.advBase)
    const sizes = sizeGrid(probe.advBase, [markedQtyBase, ...bounds])

    const order = (qtyBase: number, model: string): Record<string, unknown> => model === 'istar'
      ? { symbol, side, qtyBase, model, execution: { strategy, horizonDays } }
      : { symbol, side, qtyBase, model }
    const batches = await Promise.all([
      ...models.map(async (m) => await settle(postJson<EstimateBatchResponse>('v1/estimate/batch', { orders: sizes.map((q) => order(q, m.name)) }))),
      settle(postJson<EstimateBatchResponse>('v1/estimate/batch', { orders: sizes.map((qtyBase) => ({ symbol, side, qtyBase, method: 'book' })) }))
    ])
    if (!isCurrent()) return

    const notes: string[] = [
      `Sizes: 0.001 % to 10 % of advBase ${fmt(probe.advBase, 6)} base units (the API's ADV for ${probe.symbol}), ${SIZES_PER_DECADE} a decade; the dashed line marks ${fmt(markedQtyBase)}.`
    ]
    if (probe.marketState !== undefined) notes.push(`Market state: ${probe.marketState.source}, as of ${fmtTimeMs(probe.marketState.asOfMs)} (marketState.asOfMs).`)
    const curves: Curve[] = []
    const failures: string[] = []
    models.forEach((m, i) => {
      const batch = batches[i]
      const label = m.name === 'istar' ? `istar (${strategy}, ${fmt(horizonDays)} d)` : `${m.name} (immediate)`
      if (batch.ok) curves.push({ label, color: COLORS[i % COLORS.length], results: batch.value.results })
      else failures.push(`${label} not drawn: ${batch.error}`)
    })
    const book = batches[models.length]
    if (book.ok) curves.push({ label: 'book walk (method "book")', color: COLORS[models.length % COLORS.length], results: book.value.results })
    else failures.push(`Book walk not drawn: ${book.error}`)
    if (curves.length === 0) throw new Error(failures.join('\n'))
    notes.push(...failures)

    const xs = curves[0].results.map((r) => r.qtyBase)
    const data: Array<Array<number | null>> = [xs]
    const series: UPlot.Series[] = [{ label: 'qtyBase (base asset)', value: (_u, v) => fmt(v) }]
    const bands: UPlot.Band[] = []
    const noSpread: string[] = []
    for (const curve of curves) {
      data.push(curve.results.map((r) => r.totalCostBps))
      series.push({ label: `${curve.label}, bps`, stroke: curve.color, width: 2, value: (_u, v) => fmt(v) })
      // a band only where the API's quantiles spread: a model priced with costStdBps 0 at every size would draw its line again
      if (!curve.results.some((r) => r.costQuantilesBps !== undefined && r.costQuantilesBps.p95 > r.costQuantilesBps.p05)) {
        if (curve.results.some((r) => r.costQuantilesBps !== undefined)) noSpread.push(curve.label)
      } else {
        const p95 = data.push(curve.results.map((r) => r.costQuantilesBps?.p95 ?? null)) - 1
        const p05 = data.push(curve.results.map((r) => r.costQuantilesBps?.p05 ?? null)) - 1
        series.push({ label: `${curve.label} p95, bps`, stroke: translucent(curve.color, 0.5), width: 1, dash: [4, 3], points: { show: false }, value: (_u, v) => fmt(v) })
        series.push({ label: `${curve.label} p05, bps`, stroke: translucent(curve.color, 0.5), width: 1, dash: [4, 3], points: { show: false }, value: (_u, v) => fmt(v) })
        bands.push({ series: [p95, p05], fill: translucent(curve.color, 0.12) })
      }
    }

    const sizeAt = (target: number): number => xs[sizes.indexOf(target)]
    const validity = groups.map((g) => ({
      models: g.models,
      participationMin: g.min,
      participationMax: g.max,
      // the API's qtyBase of the order priced at the bound; a bound outside the priced sizes shades to the edge
      fromQtyBase: g.min > MIN_FRACTION_OF_ADV ? sizeAt(g.min * probe.advBase) : xs[0],
      toQtyBase: g.max < MAX_FRACTION_OF_ADV ? sizeAt(g.max * probe.advBase) : xs[xs.length - 1]
    }))
    const marked = sizeAt(markedQtyBase)
    window.__pretradeDrawn.cost = { validity, markedQtyBase: marked }
    validity.forEach((v, i) => notes.push(`Shaded ${SHADE_NAMES[i % SHADE_NAMES.length]}: ${v.models.join(', ')} calibrated on participation ${fmt(v.participationMin)} to ${fmt(v.participationMax)} of ADV (GET /v1/models): qtyBase ${v.participationMin > MIN_FRACTION_OF_ADV ? '' : 'below '}${fmt(v.fromQtyBase)} to ${v.participationMax < MAX_FRACTION_OF_ADV ? '' : 'above '}${fmt(v.toQtyBase)}.`))
    if (bands.length > 0) notes.push('Bands: p05 to p95 of the cost (costQuantilesBps).')
    if (noSpread.length > 0) notes.push(`No band for ${noSpread.join(', ')}: the API's p05 equals its p95 at every size (costStdBps 0).`)
    const belowLogAxis = series.slice(1).filter((_, i) => data[i + 1].some((y) => y !== null && y <= 0)).map((s) => String(s.label))
    if (logCost && belowLogAxis.length > 0) notes.push(`Costs of 0 bps or less are not drawn on a log axis (${belowLogAxis.join('; ')}: at some sizes; a band runs on below the axis there): choose a linear cost axis to see them.`)

    drawChart('cost', container, {
      scales: { x: { time: false, distr: 3 }, y: { distr: logCost ? 3 : 1 } },
      axes: [
        { label: 'order size, qtyBase (base asset, log scale)' },
        { label: `total cost (bps${logCost ? ', log scale' : ''})`, size: 60 }
      ],
      series,
      bands,
      hooks: {
        drawClear: [(u) => validity.forEach((v, i) => shadeXRange(u, v.fromQtyBase, v.toQtyBase, SHADE_COLORS[i % SHADE_COLORS.length], i))],
        draw: [(u) => markX(u, marked, '#444444')]
      }
    }, data as UPlot.AlignedData)

    const at = sizes.indexOf(markedQtyBase)
    const rows: Cell[][] = curves.map((curve) => {
      const r = curve.results[at]
      const q = r.costQuantilesBps
      return [swatch(curve.color, curve.label), fmt(r.qtyBase), fmt(r.participation), fmt(r.totalCostBps), fmt(r.impactBps), fmt(r.spreadCostBps), fmt(r.feeBps), fmt(r.timingRiskBps),
        fmt(r.modelRiskBps), q === undefined ? '-' : `${fmt(q.p05)} to ${fmt(q.p95)}`, r.model.version, r.warnings.map((w) => w.code).join(', ') || '-']
    })
    const messages = new Set(curves.flatMap((curve) => curve.results[at].warnings.map((w) => `${w.code}: ${w.message}`)))
    setNotes(panel.notes, [...notes, ...[...messages].map((m) => `Warning at the marked size: ${m}`)])
    renderTable(panel.table, ['at the marked size', 'qtyBase', 'participation', 'total bps', 'impact bps', 'half spread bps', 'fee bps', 'timing risk bps', 'model risk bps', 'p05 to p95 bps', 'model version', 'warnings'], rows)
  })
}
