import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../helper.js'
import { REPO_ROOT, UI_BUILD_DIR, UI_STATIC_DIR } from '../../src/routes/ui.js'
import { buildPage } from './support.js'

// issue 16: GET /ui serves the quant view's static files (HTML and CSS from src/ui/static, the
// compiled page from dist/ui, uPlot from its package) and nothing else; no browser needed here.

t.before(() => buildPage())

t.test('the route finds the repository root from source (tests) and from the build (npm start) alike', async (t) => {
  t.equal(REPO_ROOT, process.cwd(), 'loaded from src/routes/ui.ts')
  t.equal(UI_STATIC_DIR, join(process.cwd(), 'src', 'ui', 'static'))
  t.equal(UI_BUILD_DIR, join(process.cwd(), 'dist', 'ui'))
  const built = join(process.cwd(), 'dist', 'src', 'routes', 'ui.js')
  if (!existsSync(built)) {
    t.comment('dist/src/routes/ui.js is not built (npm run build): only the source path was checked')
    return
  }
  const fromDist = await import(pathToFileURL(built).href) as { REPO_ROOT: string }
  t.equal(fromDist.REPO_ROOT, process.cwd(), 'loaded from dist/src/routes/ui.js')
})

t.test('GET /ui answers the page, which may load only its own origin', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/ui' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/html; charset=utf-8/)
  t.equal(res.body, readFileSync(join(UI_STATIC_DIR, 'index.html'), 'utf8'))
  const csp = String(res.headers['content-security-policy'])
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'"]) t.ok(csp.includes(directive), `CSP has ${directive}`)
  t.match(res.body, /<script type="module" src="ui\/main\.js"><\/script>/, 'the entry module, relative to /ui')
  t.match(res.body, /<script src="ui\/vendor\/uPlot\.iife\.min\.js"><\/script>/, 'uPlot from the service, not a CDN')
  t.notMatch(res.body, /https?:\/\//, 'no absolute URL in the page')
})

t.test('the page\'s modules, stylesheet and uPlot are served with their types', async (t) => {
  const app = await build(t)
  const cases: Array<[string, RegExp, string]> = [
    ['/ui/main.js', /^text\/javascript/, join(UI_BUILD_DIR, 'main.js')],
    ['/ui/panel-cost.js', /^text\/javascript/, join(UI_BUILD_DIR, 'panel-cost.js')],
    ['/ui/quant-view.css', /^text\/css/, join(UI_STATIC_DIR, 'quant-view.css')],
    ['/ui/vendor/uPlot.iife.min.js', /^text\/javascript/, join('node_modules', 'uplot', 'dist', 'uPlot.iife.min.js')],
    ['/ui/vendor/uPlot.min.css', /^text\/css/, join('node_modules', 'uplot', 'dist', 'uPlot.min.css')]
  ]
  for (const [url, type, file] of cases) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, url)
    t.match(res.headers['content-type'], type, `${url} content type`)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.equal(res.body, readFileSync(file, 'utf8'), `${url} is ${file}`)
  }
})

t.test('nothing else is served: other names, other vendor files and paths out of the directories are the API\'s 404', async (t) => {
  const app = await build(t)
  for (const url of ['/ui/missing.js', '/ui/index.html', '/ui/tsconfig.json', '/ui/..%2F..%2Fpackage.json', '/ui/%2e%2e%2fpackage.json', '/ui/vendor/uPlot.esm.js', '/ui/vendor/..%2Fpackage.json', '/ui/vendor/..%2F..%2F..%2Fpackage.json']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.match(res.json(), { statusCode: 404, code: 'PRETRADE_ERR_NOT_FOUND', field: 'url' }, `${url}: the API's error body`)
  }
})

t.test('GET /ui/ redirects to /ui, whose relative URLs the page is written against', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/ui/' })
  t.equal(res.statusCode, 301)
  t.equal(res.headers.location, '../ui')
})

t.test('the page\'s routes stay out of the OpenAPI document (they are not API)', async (t) => {
  const app = await build(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, unknown> }
  t.same(Object.keys(doc.paths).filter((path) => path.startsWith('/ui')), [])
})
