import { browserTest, drawnChart, fmt, openView, screenshotPanel } from './support.js'

// issue 16's contract: estimates (and schedule and frontier points) will carry expectedCostBps,
// modelRiskBps, costStdBps and costQuantilesBps. The page draws them when present. Until the
// API sends them, the test adds them to the API's real answers on their way to the page
// (Playwright's request routing) and checks what is drawn from them.

interface Estimate { qtyBase: number, totalCostBps: number, costQuantilesBps?: Record<string, number>, modelRiskBps?: number }

/** Made-up quantiles around the API's cost, distinct per field, so each can be traced to the chart. */
function withUncertainty (estimate: Estimate): Estimate {
  const c = estimate.totalCostBps
  return { ...estimate, modelRiskBps: 0.25 * c, costQuantilesBps: { p05: 0.5 * c, p50: 0.9 * c, p90: 1.4 * c, p95: 1.6 * c, p99: 2.2 * c } }
}

browserTest('the p05-p95 band of every model whose estimates carry costQuantilesBps, and model risk in the tables', async (t) => {
  const sent: Estimate[][] = []
  const { page } = await openView(t, {
    beforeLoad: async (page) => {
      await page.route(/\/v1\/estimate\/batch$/, async (route) => {
        const response = await route.fetch()
        if (response.status() !== 200) return await route.fulfill({ response })
        const body = await response.json() as { count: number, results: Estimate[] }
        const results = body.results.map(withUncertainty)
        sent.push(results)
        await route.fulfill({ response, json: { ...body, results } })
      })
      await page.route(/\/v1\/schedule\/frontier$/, async (route) => {
        const response = await route.fetch()
        const body = await response.json() as { points: Array<{ expectedCostBps?: number, expectedCostQuote: number }> }
        await route.fulfill({ response, json: { ...body, points: body.points.map((p) => ({ ...p, modelRiskBps: 0.5 })) } })
      })
    }
  })
  const chart = await drawnChart(page, 'cost')
  const models = sent.length
  t.ok(models >= 4, `${models} model curves answered`)
  t.equal(chart.labels.length, 1 + 3 * models, 'per model: its cost, p95 and p05')
  for (const results of sent) {
    const cost = results.map((r) => r.totalCostBps)
    const at = chart.data.findIndex((ys, i) => i > 0 && JSON.stringify(ys) === JSON.stringify(cost))
    t.ok(at > 0, 'a model\'s cost series')
    t.same(chart.data[at + 1], results.map((r) => r.costQuantilesBps!.p95), `${chart.labels[at + 1]}: p95 as sent`)
    t.same(chart.data[at + 2], results.map((r) => r.costQuantilesBps!.p05), `${chart.labels[at + 2]}: p05 as sent`)
  }
  const bands = await page.evaluate(() => ((globalThis as unknown as { __pretradeCharts: { cost: { bands: Array<{ series: number[] }> } } }).__pretradeCharts.cost.bands ?? []).map((b) => b.series))
  t.equal(bands.length, models, 'one band per model, between its p95 and p05')
  const y = chart.scales.y
  const p95s = sent.flatMap((r) => r.map((e) => e.costQuantilesBps!.p95))
  t.ok(y.max >= Math.max(...p95s), 'the cost axis reaches the highest p95')
  t.match(await page.locator('#cost .notes').innerText(), /Bands: p05 to p95 of the cost \(costQuantilesBps\)/, 'the notes say what the bands are')

  t.match(await page.locator('#cost .table thead').innerText(), /p05 to p95 bps/, 'the table gains the quantile column')
  const table = await page.locator('#cost .table tbody').innerText()
  for (const results of sent) {
    const q = results.find((r) => r.qtyBase === 50)!.costQuantilesBps!
    t.ok(table.includes(`${fmt(q.p05)} to ${fmt(q.p95)}`), `at the marked size: ${fmt(q.p05)} to ${fmt(q.p95)}`)
  }
  t.match(await page.locator('#frontier .table thead').innerText(), /model risk bps/, 'the frontier table gains model risk')
  await screenshotPanel(page, 'cost', 'cost-vs-size-with-quantiles')
})
