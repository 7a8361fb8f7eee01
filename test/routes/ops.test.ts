import t from 'tap'
import { readFileSync } from 'node:fs'
import { build } from '../helper.js'
import { formatOpenapi } from '../../scripts/write-openapi.js'
import { codes } from '../../src/errors.js'
import { MODEL_NAMES } from '../../src/models/impact-model.js'

t.test('GET /health and /ready', async (t) => {
  const app = await build(t)
  const health = await app.inject('/health')
  t.equal(health.statusCode, 200)
  t.equal(health.json().status, 'ok')
  t.type(health.json().eventLoopDelayMs, 'number', 'the measured event-loop delay is reported')
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ready')
  t.ok(health.headers['x-request-id'], 'request id echoed')
  const echoed = await app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })
  t.equal(echoed.headers['x-request-id'], 'abc-123')
})

t.test('GET /v1/models lists the active models per symbol with parameters and calibration', async (t) => {
  const app = await build(t)
  const res = await app.inject('/v1/models')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.defaultModel, 'istar')
  const symbols = body.symbols.map((s: { symbol: string }) => s.symbol)
  t.ok(symbols.includes('BTCUSDT') && symbols.includes('ETHUSDT') && symbols.includes('*'))
  for (const entry of body.symbols) {
    // every kind of the model table, in its order (istar, sqrt, linear, mlp as shipped)
    t.same(entry.models.map((m: { name: string }) => m.name), [...MODEL_NAMES])
    for (const m of entry.models) {
      t.equal(m.source, 'embedded')
      t.ok(m.validity.participation.max > m.validity.participation.min)
      t.ok(m.calibration.dataset, 'calibration names its data set')
    }
  }
  const [istar, sqrt] = body.symbols[0].models
  t.ok(istar.parameters.a1 > 0 && istar.parameters.a2 > 0, 'the execution model shows its I-Star parameters')
  t.ok(sqrt.parameters.impactCoef > 0 && sqrt.parameters.impactExponent > 0)
})

t.test('GET /docs serves Swagger UI and /docs/json the OpenAPI 3 document', async (t) => {
  const app = await build(t)
  const ui = await app.inject('/docs')
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.body, /swagger-ui/i)
  const doc = (await app.inject('/docs/json')).json()
  t.match(doc.openapi, /^3\./)
  for (const path of ['/v1/estimate', '/v1/estimate/batch', '/v1/schedule', '/v1/schedule/frontier', '/v1/tca', '/v1/pretrade/check', '/v1/models', '/health', '/ready']) {
    t.ok(doc.paths[path], `documents ${path}`)
  }
})

t.test('openapi/openapi.json is what the app serves (run `npm run openapi` after changing a schema)', async (t) => {
  const app = await build(t)
  const served = formatOpenapi((await app.inject('/docs/json')).json())
  const committed = readFileSync('openapi/openapi.json', 'utf8')
  t.equal(committed, served, 'openapi/openapi.json drifted from the routes')
})

t.test('every error code is documented in README.md', async (t) => {
  const readme = readFileSync('README.md', 'utf8')
  for (const code of Object.keys(codes)) t.match(readme, code, `${code} documented`)
})

t.test('unknown routes get a 404 in the documented shape', async (t) => {
  const app = await build(t)
  const res = await app.inject('/v2/nothing')
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'PRETRADE_ERR_NOT_FOUND')
})
