import { answered, browserTest, drawnChart, drawnCost, exchange, fmt, markStale, openView, pointOnChart, resubmit, screenshotPanel, valuesOf, VIEWPORT, type PageScope } from './support.js'

// issue 16: the quant view at /ui in headless chromium, on the embedded defaults. Each panel is
// checked against the API: what it drew is what the API answered the page (its requests are
// read back), and a request the test makes itself gives the same numbers.

interface Estimate { qtyBase: number, participation: number, totalCostBps: number, advBase: number, timingRiskBps: number, expectedCostBps?: number, costQuantilesBps?: { p05: number, p95: number }, execution: { horizonDays: number, periods: number, startMs?: number }, model: { name: string } }
interface Batch { orders: Array<{ qtyBase: number, model?: string, method?: string }> }
interface Schedule { strategy: string, riskAversion?: number, timesDays: number[], holdings: number[], trades: number[], expectedCostBps?: number, expectedCostQuote: number, stdCostQuote: number, timingRiskBps?: number }
interface FrontierPoint { riskAversion: number, expectedCostQuote: number, stdCostQuote: number, expectedCostBps?: number, timingRiskBps?: number }
interface ModelsResponse { symbols: Array<{ symbol: string, models: Array<{ name: string, validity: { participation: { min: number, max: number } } }> }> }

const path = (url: string): string => new URL(url).pathname

browserTest('the quant view in chromium: cost vs size, schedule, frontier, on the embedded defaults', async (t) => {
  const { origin, page, requests, problems } = await openView(t)
  const api = async <T>(url: string, body: unknown): Promise<T> => {
    const res = await fetch(`${origin}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return await res.json() as T
  }
  const models = await (await fetch(`${origin}/v1/models`)).json() as ModelsResponse
  const btcModels = models.symbols.find((s) => s.symbol === 'BTCUSDT')!.models

  await t.test('a laptop screen: no sideways scrolling, every control labelled', async (t) => {
    const scrollWidth = await page.evaluate(() => (globalThis as unknown as PageScope).document.documentElement.scrollWidth)
    t.ok(scrollWidth <= VIEWPORT.width, `page width ${scrollWidth} fits ${VIEWPORT.width}`)
    const unlabelled = await page.evaluate(() => Array.from((globalThis as unknown as PageScope).document.querySelectorAll('form input, form select'))
      .filter((c) => c.labels === null || c.labels === undefined || c.labels.length === 0).map((c) => c.id))
    t.same(unlabelled, [], 'every input and select has a label')
    await page.locator('#cost-symbol').focus()
    const order: string[] = []
    for (let i = 0; i < 6; i++) {
      order.push(await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.id ?? ''))
      await page.keyboard.press('Tab')
    }
    t.same(order, ['cost-symbol', 'cost-side', 'cost-qty', 'cost-horizon', 'cost-strategy', 'cost-scale'], 'Tab walks the cost form in reading order')
  })

  await t.test('panel 1: one curve per model, the numbers of the API\'s batch answers, the book walk omitted with the API\'s reason', async (t) => {
    const chart = await drawnChart(page, 'cost')
    const batches = await Promise.all(requests.filter((r) => path(r.url()) === '/v1/estimate/batch').map(async (r) => await exchange<Batch, { results: Estimate[] }>(r)))
    const priced = batches.filter((b) => b.status === 200)
    t.equal(priced.length, btcModels.length, 'one batch per model of GET /v1/models')
    // the p05-p95 band's two series for each model whose quantiles spread (test/ui/uncertainty.test.ts checks them)
    const spread = priced.filter((b) => b.response.results.some((r) => r.costQuantilesBps!.p95 > r.costQuantilesBps!.p05)).length
    t.equal(chart.labels.length, 1 + btcModels.length + 2 * spread, `x, one series per model and p95 and p05 for the ${spread} whose quantiles spread (no book walk on embedded data)`)
    for (const b of priced) {
      const name = b.body.orders[0].model!
      const index = chart.labels.findIndex((label) => label.startsWith(`${name} (`))
      t.ok(index > 0, `a series for ${name}`)
      t.same(chart.data[index], b.response.results.map((r) => r.totalCostBps), `${name}: totalCostBps of each size, as answered`)
      t.same(chart.data[0], b.response.results.map((r) => r.qtyBase), `${name}: at the sizes answered`)
    }
    const book = batches.find((b) => b.body.orders[0].method === 'book')!
    t.equal(book.status, 503)
    const notes = await page.locator('#cost .notes').innerText()
    t.ok(notes.includes((book.response as unknown as { message: string }).message), 'the book walk\'s absence says why, in the API\'s words')

    const xs = chart.data[0] as number[]
    const advBase = priced[0].response.results[0].advBase
    t.ok(Math.abs(xs[0] / advBase - 1e-5) < 1e-12 && Math.abs(xs[xs.length - 1] / advBase - 0.1) < 1e-12, 'sizes from 0.001 % to 10 % of the API\'s advBase')
    const x = chart.scales.x
    t.ok(x.min <= xs[0] && x.min > xs[0] / 10 && x.max >= xs[xs.length - 1] && x.max < xs[xs.length - 1] * 10, `log x scale [${x.min}, ${x.max}] spans the sizes within a decade`)
    // a log axis draws the positive costs (a p05 may be a gain: the notes say it is not drawn)
    const costs = chart.data.slice(1).flatMap(valuesOf).filter((c) => c > 0)
    const y = chart.scales.y
    t.ok(y.min <= Math.min(...costs) && y.max >= Math.max(...costs) && y.max < Math.max(...costs) * 10, `log cost scale [${y.min}, ${y.max}] spans the positive costs drawn [${fmt(Math.min(...costs))}, ${fmt(Math.max(...costs))}]`)
    if (chart.data.slice(1).flatMap(valuesOf).some((c) => c <= 0)) t.match(await page.locator('#cost .notes').innerText(), /Costs of 0 bps or less are not drawn on a log axis \(.*p05, bps: at some sizes/, 'the notes say which series has costs of 0 bps or less')
    t.match(chart.axes, [/base asset/, /bps/], 'axis titles carry units')

    // the marked size priced by the test itself: the chart shows the API's number
    const marked = await api<Estimate>('/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 50, model: 'sqrt' })
    const sqrt = chart.labels.findIndex((label) => label.startsWith('sqrt ('))
    t.equal(chart.data[sqrt][xs.indexOf(50)], marked.totalCostBps, 'sqrt at 50 BTC: the chart\'s value is POST /v1/estimate\'s totalCostBps')

    const drawn = await drawnCost(page)
    for (const range of drawn.validity) {
      const model = btcModels.find((m) => m.name === range.models[0])!
      const bound = priced.flatMap((b) => b.response.results).find((r) => r.qtyBase === range.toQtyBase)!
      t.ok(Math.abs(bound.participation / model.validity.participation.max - 1) < 1e-9, `${range.models.join(', ')}: shaded up to the size the API priced at participation ${model.validity.participation.max}`)
    }
    await screenshotPanel(page, 'cost', 'cost-vs-size')

    // change the form: ETHUSDT, 300 ETH, Enter in the size field submits
    await page.locator('#cost-symbol').fill('ETHUSDT')
    await page.locator('#cost-qty').fill('300')
    const state = await resubmit(page, 'cost', async () => await page.locator('#cost-qty').press('Enter'))
    t.equal(state, 'ready', 'Enter submits the form')
    const eth = await drawnChart(page, 'cost')
    const ethAdv = (await api<Estimate>('/v1/estimate', { symbol: 'ETHUSDT', side: 'buy', qtyBase: 300 })).advBase
    t.ok(Math.abs((eth.data[0] as number[])[0] / ethAdv - 1e-5) < 1e-12, 'ETHUSDT sizes follow ETHUSDT\'s advBase')
    const ethSqrt = await api<Estimate>('/v1/estimate', { symbol: 'ETHUSDT', side: 'buy', qtyBase: 300, model: 'sqrt' })
    t.equal(eth.data[eth.labels.findIndex((l) => l.startsWith('sqrt ('))][(eth.data[0] as number[]).indexOf(300)], ethSqrt.totalCostBps, 'ETHUSDT sqrt at 300: the API\'s number')
  })

  await t.test('panel 2: optimal, TWAP, VWAP and POV holdings and child orders, with the API\'s cost and timing risk in the legend', async (t) => {
    const chart = await drawnChart(page, 'schedule')
    t.equal(chart.labels.length, 1 + 2 * 4, 'x, then holdings and child orders of four strategies')
    t.match(chart.axes, [/days/, /base asset/, /base asset per period/], 'axis titles carry units')
    // the schedule panel's four (the frontier's chosen point is a /v1/schedule too, without startMs)
    const schedules = await Promise.all(requests.filter((r) => path(r.url()) === '/v1/schedule' && (r.postData() ?? '').includes('"startMs"')).slice(0, 4).map(async (r) => await exchange<Record<string, unknown>, Schedule>(r)))
    const pov = await exchange<Record<string, unknown>, Estimate>(requests.find((r) => path(r.url()) === '/v1/estimate' && (r.postData() ?? '').includes('"pov"'))!)
    const names = ['optimal', 'TWAP', 'VWAP', 'POV']
    schedules.forEach((s, i) => {
      const holdings = valuesOf(chart.data[1 + 2 * i])
      const trades = valuesOf(chart.data[2 + 2 * i])
      t.ok(chart.labels[1 + 2 * i].startsWith(names[i]), `${names[i]} holdings series`)
      t.same(holdings, s.response.holdings, `${names[i]}: holdings as answered`)
      t.same(trades, s.response.trades, `${names[i]}: child orders as answered`)
      const priced = names[i] === 'POV' ? { cost: pov.response.totalCostBps, risk: pov.response.timingRiskBps } : { cost: s.response.expectedCostBps!, risk: s.response.timingRiskBps! }
      t.ok(chart.labels[1 + 2 * i].includes(`cost ${fmt(priced.cost)} bps, timing risk ${fmt(priced.risk)} bps`), `${names[i]}: legend "${chart.labels[1 + 2 * i]}"`)
    })
    t.same(schedules[3].body, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 50, horizonDays: pov.response.execution.horizonDays, periods: pov.response.execution.periods, startMs: pov.response.execution.startMs, strategy: 'vwap' },
      'POV\'s trajectory: the vwap schedule over the pov estimate\'s horizon, periods and start')
    t.ok(Math.abs(schedules[3].response.expectedCostBps! - pov.response.totalCostBps) < 1e-9 && Math.abs(schedules[3].response.timingRiskBps! - pov.response.timingRiskBps) < 1e-9,
      'and the API prices that schedule exactly as the pov estimate')
    const ends = schedules.map((s) => s.response.timesDays[s.response.timesDays.length - 1])
    t.ok(chart.scales.x.min <= 0 && chart.scales.x.max >= Math.max(...ends), 'the time axis spans every schedule')
    await screenshotPanel(page, 'schedule', 'schedule')
  })

  await t.test('panel 3: the frontier the API traced, the chosen point marked; a click on a point loads its schedule into panel 2', async (t) => {
    const first = await drawnChart(page, 'frontier')
    t.equal(first.labels.length, 3, 'x, the frontier and the chosen point')
    const frontier = await exchange<Record<string, unknown>, { points: FrontierPoint[], executionModel: { params: { b1: number } } }>(requests.find((r) => path(r.url()) === '/v1/schedule/frontier')!)
    if (frontier.response.executionModel.params.b1 === 0) {
      t.match(await page.locator('#frontier .notes').innerText(), /no rate term \(b1 0/, 'the embedded model\'s one-point frontier is explained')
    }
    t.same(valuesOf(first.data[1]).sort((a, b) => a - b), [...new Set(frontier.response.points.map((p) => p.expectedCostBps!))].sort((a, b) => a - b), 'expected costs (bps) as answered')

    // the linear rules of thumb trace a curve; priced at the symbol's price, in bps (as the API gives them)
    await page.locator('#frontier-parameters').selectOption('rules-of-thumb')
    await page.locator('#frontier-count').fill('8')
    t.equal(await resubmit(page, 'frontier', async () => await page.getByRole('button', { name: 'Trace frontier' }).click()), 'ready', 'the button submits')
    const linear = await exchange<Record<string, unknown>, { points: FrontierPoint[] }>(requests.filter((r) => path(r.url()) === '/v1/schedule/frontier').at(-1)!)
    const chart = await drawnChart(page, 'frontier')
    const byRisk = [...linear.response.points].sort((a, b) => a.stdCostQuote - b.stdCostQuote)
    t.ok(byRisk.every((p) => p.expectedCostBps !== undefined && p.timingRiskBps !== undefined), 'the API prices the linear frontier in bps too (a price is known)')
    t.same(valuesOf(chart.data[1]), byRisk.map((p) => p.expectedCostBps), 'the 8 points as answered, by timing risk')
    t.match(chart.axes, [/timing risk.*bps/, /expected cost.*bps/], 'axes in bps, as answered')
    t.ok(chart.scales.x.min <= byRisk[0].timingRiskBps! && chart.scales.x.max >= byRisk[byRisk.length - 1].timingRiskBps!, 'x scale spans the timing risks')

    // click the point of the sixth risk aversion (well apart from its neighbours)
    const target = linear.response.points[5]
    const at = await pointOnChart(page, 'frontier', target.timingRiskBps!, target.expectedCostBps!)
    const before = requests.length
    await markStale(page, 'schedule')
    await markStale(page, 'frontier')
    await page.mouse.click(at.x, at.y)
    t.equal(await answered(page, 'schedule'), 'ready', 'the click updates panel 2')
    const optimal = requests.slice(before).filter((r) => path(r.url()) === '/v1/schedule' && (r.postData() ?? '').includes('"optimal"'))
    const loaded = await exchange<{ riskAversion: number, parameters: string, qtyBase: number }, Schedule>(optimal[optimal.length - 1])
    t.equal(loaded.body.riskAversion, target.riskAversion, 'panel 2 asked for the clicked point\'s risk aversion')
    t.equal(loaded.body.parameters, 'rules-of-thumb', 'with the frontier\'s cost model')
    t.equal(await page.locator('#schedule-lambda').inputValue(), String(target.riskAversion), 'panel 2\'s form shows it')
    const schedule = await drawnChart(page, 'schedule')
    t.same(valuesOf(schedule.data[1]), loaded.response.holdings, 'panel 2 draws that schedule')
    t.ok(Math.abs(loaded.response.expectedCostQuote - target.expectedCostQuote) < 1e-6 * target.expectedCostQuote, 'the schedule is the point\'s: same expected cost')
    t.equal(await answered(page, 'frontier'), 'ready', 'and panel 3')
    const marked = await drawnChart(page, 'frontier')
    t.same(valuesOf(marked.data[2]), [target.expectedCostBps], 'the clicked point is now the chosen one')
    await screenshotPanel(page, 'frontier', 'frontier')
    await screenshotPanel(page, 'schedule', 'schedule-from-frontier')

    // the keyboard way: the point's button in the table
    const other = linear.response.points[2]
    await markStale(page, 'schedule')
    await page.getByRole('button', { name: `Show the schedule at risk aversion ${other.riskAversion}` }).focus()
    await page.keyboard.press('Enter')
    t.equal(await answered(page, 'schedule'), 'ready', 'panel 2 answered')
    t.equal(await page.locator('#schedule-lambda').inputValue(), String(other.riskAversion), 'Enter on a point\'s button loads its schedule too')
  })

  await t.test('the page asked nothing of any origin but the service\'s own, and broke no rule of its CSP', async (t) => {
    const outside = requests.map((r) => r.url()).filter((url) => new URL(url).origin !== origin)
    t.same(outside, [], `${requests.length} requests, all to ${origin}`)
    t.ok(requests.some((r) => path(r.url()) === '/ui/vendor/uPlot.iife.min.js'), 'uPlot came from the service')
    t.same(problems, [], 'no uncaught error, no CSP violation')
  })
})
