import { browserTest, drawnChart, exchange, fmt, openView } from './support.js'

// issue 15's cost distribution as the quant view draws it, on the API's real answers (embedded
// defaults): every estimate carries costQuantilesBps, and modelRiskBps where the model has a
// parameter covariance (the execution model istar); schedules and frontier points under the
// execution model carry them too. Panel 1 draws the p05-p95 band of each model whose quantiles
// spread; the tables show model risk and the p05-p95 range as answered.

interface Quantiles { p05: number, p50: number, p90: number, p95: number, p99: number }
interface Estimate { qtyBase: number, totalCostBps: number, expectedCostBps: number, costStdBps: number, timingRiskBps: number, costQuantilesBps: Quantiles, modelRiskBps?: number, model: { name: string }, execution: { startMs?: number } }
interface Batch { orders: Array<{ qtyBase: number, model?: string, method?: string, execution?: Record<string, unknown> }> }
interface FrontierPoint { riskAversion: number, modelRiskBps?: number, costQuantilesBps?: Quantiles }
interface Schedule { strategy: string, modelRiskBps?: number, costQuantilesBps?: Quantiles }

const path = (url: string): string => new URL(url).pathname
const spreads = (results: readonly Estimate[]): boolean => results.some((r) => r.costQuantilesBps.p95 > r.costQuantilesBps.p05)

browserTest('the p05-p95 band of every model whose real estimates spread, and model risk in the tables, as the API answers', async (t) => {
  const { origin, page, requests } = await openView(t)
  const batches = (await Promise.all(requests.filter((r) => path(r.url()) === '/v1/estimate/batch').map(async (r) => await exchange<Batch, { results: Estimate[] }>(r))))
    .filter((b) => b.status === 200 && b.body.orders[0].method === undefined)
  const chart = await drawnChart(page, 'cost')
  t.ok(batches.length >= 4, `${batches.length} model curves answered`)
  t.ok(batches.every((b) => b.response.results.every((r) => r.costQuantilesBps !== undefined && r.costStdBps >= 0)), 'every estimate carries costQuantilesBps and costStdBps')
  const withBand = batches.filter((b) => spreads(b.response.results))
  const flat = batches.filter((b) => !spreads(b.response.results))
  t.same(withBand.map((b) => b.body.orders[0].model), ['istar'], 'on the embedded defaults only istar\'s quantiles spread (timing risk and model risk)')
  t.equal(chart.labels.length, 1 + batches.length + 2 * withBand.length, 'per model its cost; p95 and p05 for those that spread')

  for (const b of withBand) {
    const results = b.response.results
    const at = chart.data.findIndex((ys, i) => i > 0 && JSON.stringify(ys) === JSON.stringify(results.map((r) => r.totalCostBps)))
    t.ok(at > 0, `${b.body.orders[0].model!}: its cost series`)
    t.same(chart.data[at + 1], results.map((r) => r.costQuantilesBps.p95), `${chart.labels[at + 1]}: p95 as answered`)
    t.same(chart.data[at + 2], results.map((r) => r.costQuantilesBps.p05), `${chart.labels[at + 2]}: p05 as answered`)
  }
  const bands = await page.evaluate(() => ((globalThis as unknown as { __pretradeCharts: { cost: { bands?: Array<{ series: number[] }> } } }).__pretradeCharts.cost.bands ?? []).map((b) => b.series))
  t.equal(bands.length, withBand.length, 'one band per model that spreads, between its p95 and p05')
  t.ok(chart.scales.y.max >= Math.max(...withBand.flatMap((b) => b.response.results.map((r) => r.costQuantilesBps.p95))), 'the cost axis reaches the highest p95')
  const notes = await page.locator('#cost .notes').innerText()
  t.match(notes, /Bands: p05 to p95 of the cost \(costQuantilesBps\)/, 'the notes say what the bands are')
  t.ok(flat.every((b) => b.response.results.every((r) => r.costQuantilesBps.p05 === r.costQuantilesBps.p95 && r.costStdBps === 0)), 'the others: p05 = p95, costStdBps 0 at every size')
  t.match(notes, new RegExp(`No band for ${flat.map((b) => `${b.body.orders[0].model!} \\(immediate\\)`).join(', ')}: the API's p05 equals its p95 at every size`), 'and the notes say why they have no band')

  // the marked size (50 BTC): the test asks the API itself
  const table = await page.locator('#cost .table').innerText()
  t.match(await page.locator('#cost .table thead').innerText(), /model risk bps\s+p05 to p95 bps/, 'the cost table has model risk and the p05-p95 range')
  for (const b of batches) {
    const model = b.body.orders[0].model!
    const drawn = b.response.results.find((r) => r.qtyBase === 50)!
    // the page's own order for 50, istar's started when the page's was (the volume profile depends on the start)
    const order = b.body.orders.find((o) => o.qtyBase === 50)!
    const body = order.execution === undefined ? order : { ...order, execution: { ...order.execution, startMs: drawn.execution.startMs } }
    const own = await (await fetch(`${origin}/v1/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Estimate
    t.same(drawn.costQuantilesBps, own.costQuantilesBps, `${model} at 50: the page's quantiles are POST /v1/estimate's`)
    const row = await page.locator('#cost .table tbody tr', { hasText: `${model} (` }).locator('td').allInnerTexts()
    t.equal(row[8], own.modelRiskBps === undefined ? '-' : fmt(own.modelRiskBps), `${model}: model risk ${own.modelRiskBps === undefined ? 'absent, shown as -' : fmt(own.modelRiskBps)}`)
    t.equal(row[9], `${fmt(own.costQuantilesBps.p05)} to ${fmt(own.costQuantilesBps.p95)}`, `${model}: p05 to p95 as answered`)
  }
  t.ok(table.includes('MODEL_RISK_UNAVAILABLE'), 'the models without model risk carry the API\'s warning')

  // panels 2 and 3 under the execution model: model risk and quantiles of the real answers
  const frontier = await exchange<unknown, { points: FrontierPoint[] }>(requests.find((r) => path(r.url()) === '/v1/schedule/frontier')!)
  t.ok(frontier.response.points.every((p) => p.modelRiskBps !== undefined && p.costQuantilesBps !== undefined), 'frontier points carry modelRiskBps and costQuantilesBps')
  const frontierRows = page.locator('#frontier .table tbody tr')
  t.match(await page.locator('#frontier .table thead').innerText(), /model risk bps\s+p05 to p95 bps/, 'the frontier table has both columns')
  for (const [i, p] of frontier.response.points.entries()) {
    const cells = await frontierRows.nth(i).locator('td').allInnerTexts()
    t.ok(cells.includes(fmt(p.modelRiskBps!)) && cells.includes(`${fmt(p.costQuantilesBps!.p05)} to ${fmt(p.costQuantilesBps!.p95)}`), `λ ${fmt(p.riskAversion)}: model risk ${fmt(p.modelRiskBps!)}, p05 to p95 as answered`)
  }
  const schedules = await Promise.all(requests.filter((r) => path(r.url()) === '/v1/schedule' && (r.postData() ?? '').includes('"startMs"')).slice(0, 3).map(async (r) => await exchange<unknown, Schedule>(r)))
  const scheduleRows = page.locator('#schedule .table tbody tr')
  for (const [i, s] of schedules.entries()) {
    const cells = await scheduleRows.nth(i).locator('td').allInnerTexts()
    t.ok(cells.includes(fmt(s.response.modelRiskBps!)) && cells.includes(`${fmt(s.response.costQuantilesBps!.p05)} to ${fmt(s.response.costQuantilesBps!.p95)}`), `schedule ${s.response.strategy}: model risk and p05 to p95 as answered`)
  }
})
