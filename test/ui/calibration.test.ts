import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import type { Test } from 'tap'
import type { Page } from 'playwright-core'
import { createRng, type Rng } from '../../src/domain/learn/rng.js'
import { CalibrationResponse, VersionsResponse } from '../../src/schemas/calibration.js'
import { browserTest, drawnChart, exchange, fmt, openView, resubmit, screenshotPanel, valuesOf, type PageScope } from './support.js'

// issue 16, panel 4: calibration of a symbol's model (GET /v1/models/:symbol/calibration) and its
// version history (GET /v1/models/:symbol/versions). The first test scores fills through the API
// (POST /v1/tca, as test/routes/calibration.test.ts does) and checks that the page draws the
// endpoints' own answers; the second answers the page with payloads of the same schema
// (test/ui/fixtures/) for what the embedded app cannot produce: empty deciles and registry versions.

const FIXTURES = join('test', 'ui', 'fixtures')

interface Cell { n: number, meanZ?: number, meanZStdErr?: number, stdZ?: number, bandCoverage?: number, biasBps?: number, verdict: string }
interface Decile extends Cell { decile: number, participationMin?: number, participationMax?: number }
interface Calibration {
  symbol: string
  records: number
  scored: number
  models: Array<{ name: string, version: string, n: number }>
  overall: Cell
  byParticipationDecile: Decile[]
  zHistogram: { binEdges: number[], counts: number[], normalCounts: number[] }
}
interface Version { version: string, createdAtMs?: number, active: boolean, source: string, validation?: Record<string, unknown> }
interface Versions { models: Array<{ name: string, versions: Version[], history: Array<{ version: string, fromMs?: number }> }> }
interface ErrorBody { message: string }

/** The fills: worked BTCUSDT trades drawn around the model's own predictions (test/routes/calibration.test.ts). */
const ARRIVAL = 84000
const BID = ARRIVAL - 0.05
const ASK = ARRIVAL + 0.05
const HORIZON_MS = 15 * 60_000
const DAY_MS = 86_400_000
/** 2026-01-05T08:00:00Z: the first fill starts then, the others an hour apart */
const T0 = 1_767_600_000_000
const FILLS = 200

async function postJson<T> (origin: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(`${origin}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}

/**
 * n twap executions of 10 to 200 BTC over 15 minutes, alternating sides, priced by
 * POST /v1/estimate/batch, with fills drawn as IS = predicted cost + costStdBps * N(0, 1) (seeded),
 * then posted to POST /v1/tca, which scores and stores them. Returns the TCA answer's scored count.
 */
async function postScoredFills (origin: string, rng: Rng, n: number): Promise<number> {
  const sizes = Array.from({ length: n }, () => 10 * 20 ** rng.next())
  const starts = sizes.map((_, i) => T0 + i * 3_600_000)
  const orders = sizes.map((qtyBase, i) => ({ symbol: 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', qtyBase, priceQuote: ARRIVAL, spreadBps: (ASK - BID) / ARRIVAL * 1e4, execution: { strategy: 'twap', horizonDays: HORIZON_MS / DAY_MS, startMs: starts[i] } }))
  const { results } = await postJson<{ results: Array<{ impactBps: number, spreadCostBps: number, costStdBps: number }> }>(origin, '/v1/estimate/batch', { orders })
  const trades = results.map((e, i) => {
    const isBps = e.impactBps + e.spreadCostBps + e.costStdBps * rng.normal()
    const sign = orders[i].side === 'buy' ? 1 : -1
    return { symbol: 'BTCUSDT', side: orders[i].side, qtyBase: sizes[i], arrivalPriceQuote: ARRIVAL, execPriceQuote: ARRIVAL * (1 + sign * isBps / 1e4), bidQuote: BID, askQuote: ASK, startMs: starts[i], endMs: starts[i] + HORIZON_MS, executedAtMs: starts[i] + HORIZON_MS, strategy: 'twap' }
  })
  const tca = await postJson<{ summary: { prediction: { n: number } } }>(origin, '/v1/tca', { trades })
  return tca.summary.prediction.n
}

/** The cells of the page's table rows (thead excluded), as text. */
async function tableCells (page: Page, selector: string): Promise<string[][]> {
  const rows = page.locator(`${selector} tbody tr`)
  const out: string[][] = []
  for (let i = 0; i < await rows.count(); i++) out.push((await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim()))
  return out
}

/** A calibration cell's columns as the page prints them: absent numbers as '-'. */
function cellColumns (c: Cell): string[] {
  const f = (v: number | undefined): string => v === undefined ? '-' : fmt(v)
  const meanZ = c.meanZ === undefined ? '-' : c.meanZStdErr === undefined ? fmt(c.meanZ) : `${fmt(c.meanZ)} ± ${fmt(c.meanZStdErr)}`
  return [String(c.n), meanZ, f(c.stdZ), f(c.bandCoverage), f(c.biasBps), c.verdict]
}

/** The rows the page must show for a calibration answer: all fills, then one per decile. */
function expectedRows (c: Calibration): string[][] {
  return [
    ['all fills', '-', ...cellColumns(c.overall)],
    ...c.byParticipationDecile.map((d) => [`decile ${d.decile}`, d.participationMin === undefined ? '-' : `${fmt(d.participationMin)} to ${fmt(d.participationMax!)}`, ...cellColumns(d)])
  ]
}

const scalar = (v: unknown): boolean => v === null || typeof v !== 'object'
const valueText = (v: unknown): string => typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : fmt(v)) : typeof v === 'string' ? v : JSON.stringify(v)

/** Checks the versions table against a versions answer: one row per version, its fields as sent, validation metrics included. */
async function checkVersions (t: Test, page: Page, versions: Versions): Promise<void> {
  const sent = versions.models.flatMap((m) => m.versions.map((v) => ({ model: m.name, history: m.history, ...v })))
  const cells = await tableCells(page, '#calibration .versions')
  t.equal(cells.length, sent.length, `one row per version the API lists (${sent.length})`)
  const utc = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')
  for (const [i, v] of sent.entries()) {
    const published = v.createdAtMs !== undefined ? utc(v.createdAtMs) : v.source === 'embedded' ? 'embedded' : '-'
    const activations = v.history.filter((a) => a.version === v.version).map((a) => a.fromMs === undefined ? 'since the start' : utc(a.fromMs))
    t.same(cells[i].slice(0, 6), [v.model, v.version, published, v.active ? 'active' : '', activations.length === 0 ? '-' : activations.join(', '), v.source], `${v.model} ${v.version}: version, publish time (UTC), active, every activation time (UTC) in the history, source`)
    const validation = cells[i][6]
    if (v.validation === undefined) {
      t.equal(validation, '-', `${v.model} ${v.version}: no validation sent, none shown`)
      continue
    }
    const scalars = Object.entries(v.validation).filter(([, value]) => scalar(value))
    t.ok(scalars.every(([key, value]) => validation.includes(`${key}: ${valueText(value)}`)), `${v.model} ${v.version}: every validation metric shown (${validation.slice(0, 80)})`)
    const nested = Object.fromEntries(Object.entries(v.validation).filter(([, value]) => !scalar(value)))
    if (Object.keys(nested).length > 0) {
      const folded = await page.locator('#calibration .versions tbody tr').nth(i).locator('details pre').textContent()
      t.same(JSON.parse(folded ?? 'null'), nested, `${v.model} ${v.version}: its nested validation records folded under the summary, as sent`)
    }
  }
}

browserTest('panel 4 on the live endpoints: the fills POST /v1/tca scored, drawn as GET /v1/models/:symbol/calibration and /versions answer', async (t) => {
  const { origin, page, requests } = await openView(t)
  const calibrationRequests = (): typeof requests => requests.filter((r) => /\/v1\/models\/[^/]+\/calibration/.test(new URL(r.url()).pathname))

  await t.test('before any fill: the page shows the API\'s empty report', async (t) => {
    const first = await exchange<unknown, Calibration>(calibrationRequests()[0])
    t.equal(first.status, 200)
    t.equal(first.response.scored, 0, 'no fills scored yet')
    t.equal(await page.locator('#calibration').getAttribute('data-state'), 'ready', 'the panel answered')
    t.match(await page.locator('#calibration .notes').innerText(), /0 of them scored against a prediction .*no scored fills/, 'and says there are none')
    t.same((await drawnChart(page, 'calibrationCoverage')).data[1], first.response.byParticipationDecile.map(() => null), 'every decile a gap: no coverage sent')
  })

  await t.test(`${FILLS} scored fills, seeded: the histogram, coverage by decile, table and versions are the API's answers`, async (t) => {
    t.equal(await postScoredFills(origin, createRng(16), FILLS), FILLS, `POST /v1/tca scored ${FILLS} fills`)
    // every fill falls in 2026-01-05 .. 2026-01-13 UTC: filter on those dates, so the page's URL is the test's
    await page.locator('#calibration-since').fill('2026-01-05')
    await page.locator('#calibration-until').fill('2026-01-13')
    t.equal(await resubmit(page, 'calibration', async () => await page.getByRole('button', { name: 'Check calibration' }).click()), 'ready', 'the panel answered')

    const asked = calibrationRequests().at(-1)!
    const query = new URL(asked.url()).searchParams
    t.equal(query.get('since'), String(Date.UTC(2026, 0, 5)), 'since: the date at 00:00 UTC')
    t.equal(query.get('until'), String(Date.UTC(2026, 0, 14) - 1), 'until: the whole of that UTC day (the API\'s until is inclusive)')
    const pageAnswer = (await exchange<unknown, Calibration>(asked)).response
    const res = await fetch(new URL(new URL(asked.url()).pathname + new URL(asked.url()).search, origin))
    t.equal(res.status, 200)
    const api = await res.json() as Calibration
    t.same(pageAnswer, api, 'the page got what the test gets from the same URL')
    t.equal(api.scored, FILLS, `the API's report holds the ${FILLS} fills`)
    t.notMatch(JSON.stringify(api), /null/, 'and no null')

    const z = await drawnChart(page, 'calibrationZ')
    const { binEdges, counts, normalCounts } = api.zHistogram
    t.same(z.data, [binEdges, [...counts, null], [...normalCounts, null]], 'histogram: the API\'s bin edges, counts and normalCounts')
    t.equal(valuesOf(z.data[1]).reduce((a, b) => a + b, 0), FILLS, 'every fill in a bin')
    t.ok(z.scales.y.min === 0 && z.scales.y.max >= Math.max(...counts, ...normalCounts), 'y from 0 to the largest count')
    t.match(z.labels[1], new RegExp(`n ${api.overall.n}$`), 'the legend gives n')

    const coverage = await drawnChart(page, 'calibrationCoverage')
    const deciles = api.byParticipationDecile
    t.equal(deciles.length, 10)
    t.same(coverage.data, [deciles.map((d) => d.decile), deciles.map((d) => d.bandCoverage ?? null)], 'coverage by decile: the API\'s bandCoverage, a gap where absent')

    t.same(await tableCells(page, '#calibration .table'), expectedRows(api), 'the table: overall and each decile, n, mean z ± std err, std z, coverage, bias, verdict as answered')
    t.equal((await tableCells(page, '#calibration .table'))[0][7], api.overall.verdict, `overall verdict ${api.overall.verdict}`)
    const notes = await page.locator('#calibration .notes').innerText()
    t.ok(notes.includes(`${api.records} TCA records of BTCUSDT`) && notes.includes(`${api.scored} of them scored`), 'the notes give records and scored')
    t.ok(api.models.every((m) => notes.includes(`${m.name} ${m.version} (${m.n} fills)`)), `and the model versions that scored them (${api.models.map((m) => m.version).join(', ')})`)

    const versions = await (await fetch(`${origin}/v1/models/BTCUSDT/versions`)).json() as Versions
    t.same(versions.models.map((m) => m.versions.length), [1, 1, 1, 1], 'embedded defaults: 4 models, one version each')
    await checkVersions(t, page, versions)
    await screenshotPanel(page, 'calibration', 'calibration')
  })

  await t.test('a malformed symbol: the page shows the API\'s 400 in its words, for both endpoints', async (t) => {
    await page.locator('#calibration-symbol').fill('btc')
    t.equal(await resubmit(page, 'calibration', async () => await page.locator('#calibration-symbol').press('Enter')), 'error', 'the panel is in its error state')
    // the same URLs the page asked, asked by the test
    const lastOf = (pattern: RegExp): string => { const u = new URL(requests.filter((r) => pattern.test(new URL(r.url()).pathname)).at(-1)!.url()); return u.pathname + u.search }
    for (const [what, selector, url] of [
      ['calibration', '#calibration .error:not(.versions-error)', lastOf(/\/calibration$/)],
      ['versions', '#calibration .versions-error', lastOf(/\/versions$/)]
    ]) {
      t.match(url, /^\/v1\/models\/btc\//, `the page asked ${url}`)
      const res = await fetch(`${origin}${url}`)
      t.equal(res.status, 400, `GET ${url} answers 400`)
      const body = await res.json() as ErrorBody
      t.equal(await page.locator(selector).innerText(), body.message, `${what}: the API's message, word for word ("${body.message}")`)
    }
    t.equal(await page.evaluate(() => Object.keys((globalThis as unknown as PageScope).__pretradeCharts).filter((k) => k.startsWith('calibration')).length), 0, 'no chart left beside the error')
    t.equal(await page.locator('#calibration .table').innerText(), '', 'no table either')
  })
})

browserTest('panel 4 draws what the schema allows and the embedded app cannot show: empty deciles, absent numbers, registry versions', async (t) => {
  const calibration = JSON.parse(readFileSync(join(FIXTURES, 'calibration.json'), 'utf8')) as Calibration
  const versions = JSON.parse(readFileSync(join(FIXTURES, 'versions.json'), 'utf8')) as Versions
  t.ok(Value.Check(CalibrationResponse, calibration), 'fixtures/calibration.json is a CalibrationResponse (src/schemas/calibration.ts)')
  t.ok(Value.Check(VersionsResponse, versions), 'fixtures/versions.json is a VersionsResponse')
  t.notMatch(JSON.stringify([calibration, versions]), /null/, 'no null in them: absent fields, as the API sends')
  const asked: string[] = []
  const { page } = await openView(t, {
    beforeLoad: async (page) => {
      await page.route(/\/v1\/models\/[^/]+\/calibration(\?.*)?$/, async (route) => {
        asked.push(route.request().url())
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(calibration) })
      })
      await page.route(/\/v1\/models\/[^/]+\/versions$/, async (route) => await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(versions) }))
    }
  })
  t.equal(await page.locator('#calibration').getAttribute('data-state'), 'ready', 'the panel answered')

  const z = await drawnChart(page, 'calibrationZ')
  const { binEdges, counts, normalCounts } = calibration.zHistogram
  t.same(z.data, [binEdges, [...counts, null], [...normalCounts, null]], 'histogram: bin edges, fills per bin and N(0,1)\'s expected counts, as sent')
  t.ok(z.scales.x.min <= binEdges[0] && z.scales.x.max >= binEdges[binEdges.length - 1], 'x spans the bins')
  t.match(z.axes, [/standard deviations/, /count/], 'axis titles carry units')

  const coverage = await drawnChart(page, 'calibrationCoverage')
  const deciles = calibration.byParticipationDecile
  const empty = deciles.filter((d) => d.n === 0).map((d) => d.decile)
  t.ok(empty.length > 0, `the fixture has empty deciles (${empty.join(', ')})`)
  t.same(coverage.data, [deciles.map((d) => d.decile), deciles.map((d) => d.bandCoverage ?? null)], 'coverage by decile as sent, a gap where bandCoverage is absent')
  t.same(empty.map((d) => coverage.data[1][d - 1]), empty.map(() => null), 'the empty deciles are gaps')
  t.same([coverage.scales.y.min, coverage.scales.y.max], [0, 1], 'coverage is a fraction')
  t.match(coverage.axes, [/decile/, /fraction/], 'axis titles carry units')

  const rows = await tableCells(page, '#calibration .table')
  t.same(rows, expectedRows(calibration), 'absent numbers shown as -, a mean z without its std err for a single fill')
  t.same(rows[empty[0]].slice(1), ['-', '0', '-', '-', '-', '-', 'insufficient-data'], `decile ${empty[0]}: no fills, only its verdict`)

  await checkVersions(t, page, versions)
  const sqrt = page.locator('#calibration .versions tbody tr').nth(1)
  t.match(await sqrt.innerText(), /BTCUSDT-sqrt-1796342400000-3f9a1c07d2e4\s+2026-12-04T00:00:00Z\s+active\s+2026-12-04T00:00:01\.500Z, 2026-12-04T02:00:01\.500Z\s+job/, 'a published version: its publish time, and both times it became active (published, then rolled forward after a rollback), in UTC')
  t.notMatch(await sqrt.locator('details').innerText(), /windowComparison|winsVsZero/, 'nested records folded until asked for')
  await sqrt.locator('summary').click()
  t.match(await sqrt.locator('details').innerText(), /winsVsZero/, 'a click unfolds them')

  // the form's optional filters become the query
  await page.locator('#calibration-since').fill('2026-11-01')
  await page.locator('#calibration-until').fill('2026-11-30')
  await page.locator('#calibration-min').fill('0.001')
  t.equal(new URL(asked[asked.length - 1]).searchParams.get('execution'), null, 'both kinds of execution by default')
  await page.locator('#calibration-execution').selectOption('worked')
  t.equal(await resubmit(page, 'calibration', async () => await page.locator('#calibration-min').press('Enter')), 'ready', 'Enter submits the filters')
  const query = new URL(asked[asked.length - 1]).searchParams
  t.equal(query.get('execution'), 'worked', 'the executions chosen')
  t.equal(query.get('since'), String(Date.UTC(2026, 10, 1)), 'since: the date at 00:00 UTC, ms')
  t.equal(query.get('until'), String(Date.UTC(2026, 11, 1) - 1), 'until: the end of that UTC day, ms (inclusive)')
  t.equal(query.get('minParticipation'), '0.001', 'minParticipation as typed')
  t.equal(query.get('maxParticipation'), null, 'empty filters are left out')
  t.same(valuesOf((await drawnChart(page, 'calibrationZ')).data[1]), counts, 'redrawn from the new answer')
  await screenshotPanel(page, 'calibration', 'calibration-fixture')
})
