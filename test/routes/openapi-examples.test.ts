import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { RegistryWriter } from '../../src/deps.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import type { ModelRecord } from '../../src/models/impact-model.js'
import { ModelStore } from '../../src/models/model-store.js'
import { hasNoNull, numbersIn, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'

/**
 * issue 14 item 8: Swagger UI prefills a request body with its first example, so every body has
 * realistic ones, each answered 2xx; every response status says what it means.
 */

const KEY = 'openapi-examples-key-0123456789'

interface Operation {
  requestBody?: { content: Record<string, { examples?: Record<string, { summary?: string, value: unknown }> }> }
  responses: Record<string, { description: string }>
}
type OpenApi = { paths: Record<string, Record<string, Operation>> }

/** The embedded app with an admin key and a model registry that keeps what it is given (the Redis one's contract). */
async function appWithRegistry (t: Teardown): Promise<{ app: FastifyInstance, published: ModelRecord[] }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ADMIN_API_KEY: KEY })
  const published: ModelRecord[] = []
  const registry: RegistryWriter = {
    publish: async (_symbol, record) => { published.push(record); return { version: record.version, removedVersions: [] } },
    rollback: async (_symbol, name, version) => {
      if (!published.some((r) => r.name === name && r.version === version)) throw Object.assign(new Error(`no version ${version}`), { code: 'REGISTRY_ERR_NOT_FOUND' })
    },
    versions: async () => published.map((r) => ({ version: r.version, createdAtMs: r.createdAtMs, active: true }))
  }
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market: loadEmbeddedMarketState(config.MARKET_STATE_PATH, config), models, tcaStore: tempTcaStore(t), registry })
  t.teardown(async () => await app.close())
  await app.ready()
  return { app, published }
}

/** Every operation of the document as [method, path, operation], in document order. */
function operations (doc: OpenApi): Array<[string, string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]): [string, string, Operation] => [method, path, op]))
}

t.test('every request body has examples, and every example is answered 2xx with finite numbers', async (t) => {
  const { app, published } = await appWithRegistry(t)
  const doc = (await app.inject('/docs/json')).json() as OpenApi
  let posted = 0
  for (const [method, path, op] of operations(doc)) {
    if (op.requestBody === undefined) continue
    const examples = op.requestBody.content['application/json']?.examples ?? {}
    t.ok(Object.keys(examples).length > 0, `${method.toUpperCase()} ${path} has examples`)
    for (const [name, example] of Object.entries(examples)) {
      t.ok(typeof example.summary === 'string' && example.summary.length > 10, `${path} ${name}: says what it is`)
      const res = await app.inject({
        method: method.toUpperCase() as 'POST',
        url: path.replace('{symbol}', 'BTCUSDT'),
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        payload: JSON.stringify(example.value)
      })
      t.ok(res.statusCode >= 200 && res.statusCode < 300, `${path} ${name}: ${res.statusCode} ${res.statusCode >= 300 ? res.body : ''}`)
      t.ok(hasNoNull(res.body), `${path} ${name}: no null`)
      const numbers = numbersIn(res.json())
      t.ok(numbers.every(Number.isFinite), `${path} ${name}: every number is finite`)
      posted++
    }
  }
  t.ok(posted >= 18, `${posted} examples posted`)
  t.equal(published.length, 1, 'the publish example is a valid model record (checked before it reaches the registry)')
})

t.test('the examples are realistic: sane costs, schedule has the paper\'s example and a BTCUSDT one', async (t) => {
  const { app } = await appWithRegistry(t)
  const doc = (await app.inject('/docs/json')).json() as OpenApi
  const examplesOf = (path: string) => doc.paths[path].post.requestBody?.content['application/json'].examples ?? {}
  const schedule = examplesOf('/v1/schedule')
  t.same(schedule.paper?.value, { side: 'sell', qtyBase: 1000000, horizonDays: 5, periods: 5, volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 0.0625, riskAversion: 1e-6 }, 'Almgren & Chriss (2000), section 4')
  t.match(schedule.executionModel?.value, { symbol: 'BTCUSDT' })
  const paper = (await app.inject({ method: 'POST', url: '/v1/schedule', payload: schedule.paper.value as object })).json()
  t.same([paper.holdings[0], paper.holdings[5]], [1e6, 0], 'the paper example sells the whole 1e6 in 5 periods')
  for (let j = 1; j < 5; j++) t.ok(paper.trades[j] < paper.trades[j - 1], 'risk averse (lambda 1e-6): front-loaded')
  for (const [path, field] of [['/v1/estimate', 'totalCostBps'], ['/v1/schedule', 'expectedCostBps']] as const) {
    for (const [name, { value }] of Object.entries(examplesOf(path))) {
      const body = (await app.inject({ method: 'POST', url: path, payload: value as object })).json()
      if (body[field] === undefined) continue // the linear paper example has no price, so no bps
      t.ok(body[field] > 0 && body[field] < 100, `${path} ${name}: ${field} ${body[field]} in (0, 100)`)
    }
  }
  const tca = (await app.inject({ method: 'POST', url: '/v1/tca', payload: examplesOf('/v1/tca').immediate.value as object })).json()
  t.ok(tca.trades[0].spreadCostBps > 0 && tca.trades[0].implementationShortfallBps > 0, 'the TCA example has a spread and a shortfall (bid < ask, exec != arrival)')
  const checks = examplesOf('/v1/pretrade/check')
  t.equal((await app.inject({ method: 'POST', url: '/v1/pretrade/check', payload: checks.allowed.value as object })).json().allowed, true, 'the "allowed" check is allowed')
  t.equal((await app.inject({ method: 'POST', url: '/v1/pretrade/check', payload: checks.refused.value as object })).json().allowed, false, 'the "refused" check is refused')
})

t.test('no response of any route is a "Default Response": each status says what it means', async (t) => {
  const { app } = await appWithRegistry(t)
  const doc = (await app.inject('/docs/json')).json() as OpenApi
  const vague: string[] = []
  let statuses = 0
  for (const [method, path, op] of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses)) {
      statuses++
      if (response.description === 'Default Response' || response.description.length < 10) vague.push(`${method.toUpperCase()} ${path} ${status}`)
    }
  }
  t.ok(statuses > 50, `${statuses} responses checked`)
  t.same(vague, [], 'every response described')
  t.match(doc.paths['/v1/estimate'].post.responses['400'].description, /PRETRADE_ERR_VALIDATION/)
  t.match(doc.paths['/v1/estimate'].post.responses['503'].description, /PRETRADE_ERR_BOOK_UNAVAILABLE/)
})
