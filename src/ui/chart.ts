/**
 * uPlot, as the page uses it: one chart per container, redrawn on every answer, resized with its
 * container. Each chart is kept on window.__pretradeCharts under its name, so a browser test can
 * read its series and scales (and a person can, from the console).
 */
import type UPlot from 'uplot'

/** uPlot's IIFE build (ui/vendor/uPlot.iife.min.js) defines this global before the page's modules run. */
declare const uPlot: typeof UPlot
/** The same class under a constructor's name. */
const UPlotChart = uPlot

export type ChartName = 'cost' | 'schedule' | 'frontier' | 'calibrationZ' | 'calibrationCoverage'

declare global {
  interface Window {
    /** the charts on the page, by name (for tests and the console) */
    __pretradeCharts: Partial<Record<ChartName, UPlot>>
  }
}

window.__pretradeCharts = {}

/** Series colours, picked by index (colour-blind safe: Okabe and Ito 2008, without yellow). */
export const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#E69F00', '#000000']

/** The same colour with an alpha, for bands and shading. */
export function translucent (color: string, alpha: number): string {
  const hex = Math.round(alpha * 255).toString(16).padStart(2, '0')
  return `${color}${hex}`
}

const CHART_HEIGHT_PX = 340
const observed = new WeakSet<HTMLElement>()

/** Width available to a chart in its container (uPlot draws at a fixed size). */
function widthOf (container: HTMLElement): number {
  return Math.max(320, Math.floor(container.clientWidth))
}

/** Follows the container's width: charts fit a 1280-pixel laptop screen and a wide monitor alike. */
function followWidth (name: ChartName, container: HTMLElement): void {
  if (observed.has(container)) return
  observed.add(container)
  let lastWidth = widthOf(container)
  new ResizeObserver(() => {
    const width = widthOf(container)
    const chart = window.__pretradeCharts[name]
    if (width === lastWidth || chart === undefined) return
    lastWidth = width
    chart.setSize({ width, height: CHART_HEIGHT_PX })
  }).observe(container)
}

/** Draws a new chart in `container` in place of the one before it. */
export function drawChart (name: ChartName, container: HTMLElement, options: Omit<UPlot.Options, 'width' | 'height'>, data: UPlot.AlignedData): UPlot {
  clearChart(name, container)
  const chart = new UPlotChart({ ...options, width: widthOf(container), height: CHART_HEIGHT_PX }, data, container)
  window.__pretradeCharts[name] = chart
  followWidth(name, container)
  return chart
}

/** Removes a chart (after an error: no stale picture is left beside the API's message). */
export function clearChart (name: ChartName, container: HTMLElement): void {
  window.__pretradeCharts[name]?.destroy()
  delete window.__pretradeCharts[name]
  container.replaceChildren()
}

/**
 * Aligns tables that have their own x values onto one x (uPlot.join): a series has no value
 * (undefined, drawn across) at another table's x. No number is made up: every y is one of a table's.
 */
export function joinTables (tables: UPlot.AlignedData[]): UPlot.AlignedData {
  return uPlot.join(tables)
}

/**
 * Steps over periods: a value at x_i holds until the series' own next x (its next value, or the
 * null that closes its last period), e.g. a child order over its period or a count over its bin.
 * uPlot's stepped path stops at the last value; this one draws the last period too, and skips the
 * x values other tables brought in (undefined here, see joinTables). Filled down to 0 when the
 * series has a fill.
 */
export function periodStepsPath (): UPlot.Series.PathBuilder {
  return (chart, seriesIdx, idx0, idx1) => {
    const xs = chart.data[0]
    const ys = chart.data[seriesIdx]
    const scale = chart.series[seriesIdx].scale ?? 'y'
    const stroke = new Path2D()
    const fill = new Path2D()
    const base = chart.valToPos(Math.max(0, chart.scales[scale].min ?? 0), scale, true)
    let open = false
    let lastX = 0
    for (let i = idx0; i <= idx1; i++) {
      const y = ys[i]
      if (y === null || y === undefined) continue
      let next = i + 1
      while (next < xs.length && ys[next] === undefined) next++
      if (next >= xs.length) break
      const from = chart.valToPos(xs[i], 'x', true)
      const to = chart.valToPos(xs[next], 'x', true)
      const at = chart.valToPos(y, scale, true)
      if (!open) { stroke.moveTo(from, base); fill.moveTo(from, base); open = true }
      stroke.lineTo(from, at); stroke.lineTo(to, at)
      fill.lineTo(from, at); fill.lineTo(to, at)
      lastX = to
      // a null closes the series' last period: back down to the base
      if (ys[next] === null) { stroke.lineTo(to, base); fill.lineTo(to, base); fill.closePath(); open = false }
    }
    if (open) { stroke.lineTo(lastX, base); fill.lineTo(lastX, base); fill.closePath() }
    return { stroke, fill: chart.series[seriesIdx].fill == null ? null : fill }
  }
}

/** uPlot's bar path (e.g. a fraction per decile). */
export function barsPath (): UPlot.Series.PathBuilder {
  return uPlot.paths.bars!({ size: [0.6, 80] })
}

/**
 * A range of x drawn under the series (a uPlot draw hook): lightly filled, with its edges as solid
 * lines in `color` and a bar along the bottom (one lane per range), so overlapping ranges stay apart.
 */
export function shadeXRange (chart: UPlot, fromX: number, toX: number, color: string, lane = 0): void {
  const ctx = chart.ctx
  const { left: plotLeft, top, width, height } = chart.bbox
  const left = Math.max(plotLeft, chart.valToPos(fromX, 'x', true))
  const right = Math.min(plotLeft + width, chart.valToPos(toX, 'x', true))
  if (!(right > left)) return
  const barPx = 5 * devicePixelRatio
  ctx.save()
  ctx.fillStyle = translucent(color, 0.07)
  ctx.fillRect(left, top, right - left, height)
  ctx.fillStyle = translucent(color, 0.6)
  ctx.fillRect(left, top + height - barPx * (lane + 1), right - left, barPx)
  ctx.strokeStyle = color
  ctx.lineWidth = devicePixelRatio
  ctx.beginPath()
  for (const [x, at] of [[fromX, left], [toX, right]]) {
    const inside = chart.valToPos(x, 'x', true)
    if (inside >= plotLeft && inside <= plotLeft + width) { ctx.moveTo(at, top); ctx.lineTo(at, top + height) }
  }
  ctx.stroke()
  ctx.restore()
}

/** A dashed vertical line at x (e.g. the size asked about). */
export function markX (chart: UPlot, x: number, color: string): void {
  const ctx = chart.ctx
  const at = chart.valToPos(x, 'x', true)
  if (!(at >= chart.bbox.left && at <= chart.bbox.left + chart.bbox.width)) return
  ctx.save()
  ctx.strokeStyle = color
  ctx.setLineDash([5, 4])
  ctx.lineWidth = 1.5 * devicePixelRatio
  ctx.beginPath()
  ctx.moveTo(at, chart.bbox.top)
  ctx.lineTo(at, chart.bbox.top + chart.bbox.height)
  ctx.stroke()
  ctx.restore()
}

/** A dashed horizontal line at y on the scale `scale` (e.g. a nominal coverage). */
export function markY (chart: UPlot, y: number, scale: string, color: string): void {
  const ctx = chart.ctx
  const at = chart.valToPos(y, scale, true)
  if (!(at >= chart.bbox.top && at <= chart.bbox.top + chart.bbox.height)) return
  ctx.save()
  ctx.strokeStyle = color
  ctx.setLineDash([5, 4])
  ctx.lineWidth = 1.5 * devicePixelRatio
  ctx.beginPath()
  ctx.moveTo(chart.bbox.left, at)
  ctx.lineTo(chart.bbox.left + chart.bbox.width, at)
  ctx.stroke()
  ctx.restore()
}
