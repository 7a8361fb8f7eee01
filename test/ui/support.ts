import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page, type Request } from 'playwright-core'
import { build } from '../helper.js'
import { UI_BUILD_DIR } from '../../src/routes/ui.js'
import type { Teardown } from '../support/teardown.js'

/**
 * The quant view's browser tests (issue 16) drive Debian's chromium headless through
 * playwright-core, as test/docs/swagger-ui.test.ts does: skipped on a developer machine without
 * /usr/bin/chromium, a failure on CI (CI=true), where .ci/run installs it.
 */
export const CHROMIUM = '/usr/bin/chromium'
/** Screenshots for a human to look at (git-ignored). */
export const ARTIFACT_DIR = join('test-artifacts', 'ui')
/** A laptop screen: the page must fit it without scrolling sideways. */
export const VIEWPORT = { width: 1280, height: 800 }

/**
 * Compiles the page (src/ui/tsconfig.json, the project `npm run build` compiles) into dist/ui,
 * where the route serves it from: CI runs `npm test` without a build first. tsc writes into a
 * fresh directory and each file is then renamed into place, so test files building at once never
 * serve a half-written module. Also the page's type check: a type error fails here.
 */
export function buildPage (): void {
  mkdirSync('dist', { recursive: true })
  const staging = mkdtempSync(join('dist', '.ui-build-'))
  try {
    execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', join('src', 'ui', 'tsconfig.json'), '--outDir', staging], { stdio: 'pipe' })
    mkdirSync(UI_BUILD_DIR, { recursive: true })
    for (const file of readdirSync(staging)) renameSync(join(staging, file), join(UI_BUILD_DIR, file))
  } catch (err) {
    const out = err as { stdout?: Buffer }
    throw new Error(`tsc -p src/ui/tsconfig.json failed:\n${out.stdout?.toString() ?? String(err)}`)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/** Registers `body` as a tap test when chromium is installed; else skips it (fails on CI). */
export function browserTest (name: string, body: (t: Test) => Promise<void>): void {
  if (existsSync(CHROMIUM)) {
    t.test(name, body)
  } else if (process.env.CI === 'true') {
    t.fail(`${CHROMIUM} is missing on CI: .ci/run installs the Debian package chromium`)
  } else {
    t.test(name, { skip: `${CHROMIUM} is absent (apt-get install -y chromium to run it; on CI it is required)` }, async () => {})
  }
}

/**
 * The page's globals as the callbacks of page.evaluate see them. The tests compile without the DOM
 * library (tsconfig.json is Node's), so what those callbacks touch is typed here. A callback runs
 * in the page: it reaches them through globalThis, never through a variable of the test.
 */
export interface PageScope {
  document: {
    documentElement: { scrollWidth: number }
    activeElement: PageElement | null
    getElementById: (id: string) => PageElement | null
    querySelectorAll: (selector: string) => ArrayLike<PageElement>
  }
  __pretradeCharts: Record<string, PageChart | undefined>
  __pretradeDrawn: { cost?: { validity: Array<{ models: string[], fromQtyBase: number, toQtyBase: number }>, markedQtyBase: number } }
}
export interface PageElement {
  id: string
  dataset: Record<string, string | undefined>
  labels?: ArrayLike<unknown> | null
  getBoundingClientRect: () => { left: number, top: number }
  blur?: () => void
}
/** The parts of a uPlot instance the tests read. */
export interface PageChart {
  series: Array<{ label: string }>
  data: unknown[][]
  scales: Record<string, { min: number, max: number }>
  axes: Array<{ label?: string }>
  over: PageElement
  valToPos: (value: number, scale: string) => number
}

export interface View {
  origin: string
  browser: Browser
  page: Page
  /** every request the page made, in order */
  requests: Request[]
  /** uncaught exceptions and CSP violations in the page */
  problems: string[]
}

/** The app on the embedded defaults (test/helper.ts), listening; the page built; /ui open in chromium at 1280x800. */
export async function openView (t: Teardown, options: { beforeLoad?: (page: Page) => Promise<void> } = {}): Promise<View> {
  buildPage()
  const app = await build(t)
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  t.teardown(async () => await browser.close())
  const page = await browser.newPage({ viewport: VIEWPORT })
  page.setDefaultTimeout(30_000)
  const requests: Request[] = []
  const problems: string[] = []
  page.on('request', (request) => { requests.push(request) })
  page.on('pageerror', (err) => { problems.push(`uncaught: ${err.message}`) })
  page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`) })
  await options.beforeLoad?.(page)
  await page.goto(`${origin}/ui`)
  await settled(page)
  return { origin, browser, page, requests, problems }
}

/** Waits until every panel has answered (ready, or showing the API's error). */
export async function settled (page: Page): Promise<void> {
  await page.waitForFunction(() => Array.from((globalThis as unknown as PageScope).document.querySelectorAll('section.panel'))
    .every((s) => s.dataset.state === 'ready' || s.dataset.state === 'error'))
}

/** Marks a panel stale, so that waiting for its next answer cannot see the one before. */
export async function markStale (page: Page, panelId: string): Promise<void> {
  await page.evaluate((id) => { (globalThis as unknown as PageScope).document.getElementById(id)!.dataset.state = 'stale' }, panelId)
}

/** Waits for a panel's answer (after markStale); says whether it is 'ready' or 'error'. */
export async function answered (page: Page, panelId: string): Promise<string> {
  await page.waitForFunction((id) => ['ready', 'error'].includes((globalThis as unknown as PageScope).document.getElementById(id)!.dataset.state ?? ''), panelId)
  return await page.locator(`#${panelId}`).getAttribute('data-state') ?? ''
}

/** Submits a panel's form through `submit` and waits for the panel's new answer. */
export async function resubmit (page: Page, panelId: string, submit: () => Promise<void>): Promise<string> {
  await markStale(page, panelId)
  await submit()
  return await answered(page, panelId)
}

/** Saves a panel's screenshot under test-artifacts/ui/. */
export async function screenshotPanel (page: Page, panelId: string, name: string): Promise<void> {
  mkdirSync(ARTIFACT_DIR, { recursive: true })
  // no focus ring in the picture
  await page.evaluate(() => (globalThis as unknown as PageScope).document.activeElement?.blur?.())
  await page.locator(`#${panelId}`).screenshot({ path: join(ARTIFACT_DIR, `${name}.png`) })
}

/** How the page prints an API number (src/ui/dom.ts fmt): 4 significant digits. */
export function fmt (value: number): string {
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e7)) return Number(value.toPrecision(4)).toExponential()
  return Number(value.toPrecision(4)).toString()
}

/** A chart's series data, scales and labels as the page drew them (window.__pretradeCharts). */
export interface DrawnChart {
  labels: string[]
  data: Array<Array<number | null | undefined>>
  scales: Record<string, { min: number, max: number }>
  axes: string[]
}

export async function drawnChart (page: Page, name: string): Promise<DrawnChart> {
  const drawn = await page.evaluate((chartName) => {
    const chart = (globalThis as unknown as PageScope).__pretradeCharts[chartName]
    if (chart === undefined) throw new Error(`no chart ${chartName} on the page`)
    const scales: Record<string, { min: number, max: number }> = {}
    for (const [key, scale] of Object.entries(chart.scales)) scales[key] = { min: scale.min, max: scale.max }
    return {
      labels: chart.series.map((s) => s.label),
      // undefined (no value at another table's x) does not survive the trip: sent as a marker
      data: chart.data.map((ys) => Array.from(ys, (y) => y === undefined ? 'undefined' : y)),
      scales,
      axes: chart.axes.map((a) => a.label ?? '')
    }
  }, name)
  return { ...drawn, data: drawn.data.map((ys) => ys.map((y) => y === 'undefined' ? undefined : y as number | null)) }
}

/** What the cost panel drew besides its series (window.__pretradeDrawn.cost). */
export async function drawnCost (page: Page): Promise<NonNullable<PageScope['__pretradeDrawn']['cost']>> {
  return await page.evaluate(() => (globalThis as unknown as PageScope).__pretradeDrawn.cost!)
}

/** Where a chart draws (x, y), in page coordinates: where to click it. */
export async function pointOnChart (page: Page, name: string, x: number, y: number): Promise<{ x: number, y: number }> {
  return await page.evaluate(([chartName, xValue, yValue]) => {
    const chart = (globalThis as unknown as PageScope).__pretradeCharts[chartName as string]!
    const box = chart.over.getBoundingClientRect()
    return { x: box.left + chart.valToPos(xValue as number, 'x'), y: box.top + chart.valToPos(yValue as number, 'y') }
  }, [name, x, y] as const)
}

/** The values a series has (neither null nor missing), in x order. */
export function valuesOf (ys: Array<number | null | undefined>): number[] {
  return ys.filter((y): y is number => typeof y === 'number')
}

/** Parsed JSON bodies of a request the page made and of the response it got. */
export async function exchange<Req, Res> (request: Request): Promise<{ body: Req, response: Res, status: number }> {
  const response = await request.response()
  if (response === null) throw new Error(`no response to ${request.url()}`)
  return { body: JSON.parse(request.postData() ?? 'null') as Req, response: await response.json() as Res, status: response.status() }
}
