import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { browserTest, drawnChart, fmt, openView, resubmit, screenshotPanel, valuesOf, type PageScope } from './support.js'

// issue 16, panel 4: calibration of a symbol's model (GET /v1/models/:symbol/calibration) and its
// version history (GET /v1/models/:symbol/versions). The page shows what the API answers: today
// those routes do not exist, so it shows the API's 404 message; once they land, it draws them.
// The second test answers the page's two requests with payloads shaped by the contract
// (test/ui/fixtures/), so the drawing is checked before the endpoints exist.

const FIXTURES = join('test', 'ui', 'fixtures')

interface ErrorBody { message: string }

browserTest('panel 4 shows the calibration endpoints\' answer: their error in the API\'s words, or their charts', async (t) => {
  const { origin, page } = await openView(t)
  for (const [what, selector, url] of [
    ['calibration', '#calibration .error:not(.versions-error)', '/v1/models/BTCUSDT/calibration'],
    ['versions', '#calibration .versions-error', '/v1/models/BTCUSDT/versions']
  ]) {
    const res = await fetch(`${origin}${url}`)
    if (res.ok) {
      t.comment(`GET ${url} answers ${res.status}: the drawing is checked with the contract's payloads below and against the live endpoint in its own test`)
      continue
    }
    const body = await res.json() as ErrorBody
    t.equal(await page.locator(selector).innerText(), body.message, `${what}: GET ${url} answers ${res.status}; the panel shows its message as the API words it`)
  }
  if (!(await fetch(`${origin}/v1/models/BTCUSDT/calibration`)).ok) {
    t.equal(await page.locator('#calibration').getAttribute('data-state'), 'error', 'the panel is in its error state')
    t.equal(await page.evaluate(() => Object.keys((globalThis as unknown as PageScope).__pretradeCharts).filter((k) => k.startsWith('calibration')).length), 0, 'no chart drawn')
  }
  await screenshotPanel(page, 'calibration', 'calibration')
})

browserTest('panel 4 draws the contract: z-scores against N(0,1), band coverage by participation decile, versions', async (t) => {
  const calibration = JSON.parse(readFileSync(join(FIXTURES, 'calibration.json'), 'utf8')) as {
    overall: { n: number, bandCoverage: number }
    zHistogram: { binEdges: number[], counts: number[], normalCounts: number[] }
    byParticipationDecile: Array<{ decile: number, bandCoverage: number | null, meanZ: number | null, verdict: string }>
  }
  const versions = JSON.parse(readFileSync(join(FIXTURES, 'versions.json'), 'utf8')) as { models: Array<{ versions: Array<{ version: string }> }> }
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
  t.ok(z.scales.y.min === 0 && z.scales.y.max >= Math.max(...counts, ...normalCounts), 'y from 0 to the largest count')
  t.match(z.axes, [/standard deviations/, /count/], 'axis titles carry units')

  const coverage = await drawnChart(page, 'calibrationCoverage')
  const deciles = calibration.byParticipationDecile
  t.same(coverage.data, [deciles.map((d) => d.decile), deciles.map((d) => d.bandCoverage)], 'coverage by decile as sent, null where n is too small')
  t.same([coverage.scales.y.min, coverage.scales.y.max], [0, 1], 'coverage is a fraction')
  t.match(coverage.axes, [/decile/, /fraction/], 'axis titles carry units')

  const rows = page.locator('#calibration .table tbody tr')
  t.equal(await rows.count(), 1 + deciles.length, 'overall and one row per decile')
  t.match(await rows.nth(0).innerText(), new RegExp(`${calibration.overall.n}\\s+.*${fmt(calibration.overall.bandCoverage)}`), 'overall n and coverage')
  t.match(await rows.nth(10).innerText(), /insufficient-data/, 'the small decile\'s verdict, its nulls shown as -')
  const versionRows = page.locator('#calibration .versions tbody tr')
  t.equal(await versionRows.count(), versions.models.flatMap((m) => m.versions).length, 'one row per kept version')
  t.match(await versionRows.nth(0).innerText(), /registry-istar-20261201\s+2025-12-01T00:00:00Z\s+active/, 'version, publish time (UTC), active')
  t.match(await versionRows.nth(0).innerText(), /oosR2: 0\.161/, 'validation metrics')

  // the form's optional filters become the query
  await page.locator('#calibration-since').fill('2026-11-01')
  await page.locator('#calibration-min').fill('0.001')
  t.equal(await resubmit(page, 'calibration', async () => await page.locator('#calibration-min').press('Enter')), 'ready', 'Enter submits the filters')
  const query = new URL(asked[asked.length - 1]).searchParams
  t.equal(query.get('since'), String(Date.UTC(2026, 10, 1)), 'since: the date at 00:00 UTC, ms')
  t.equal(query.get('minParticipation'), '0.001', 'minParticipation as typed')
  t.equal(query.get('until'), null, 'empty filters are left out')
  t.same(valuesOf((await drawnChart(page, 'calibrationZ')).data[1]), counts, 'redrawn from the new answer')
  await screenshotPanel(page, 'calibration', 'calibration-contract')
})
