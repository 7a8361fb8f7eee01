import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import type { ModelRecord } from '../../src/models/impact-model.js'
import type { RegistryWriter } from '../../src/deps.js'
import { build, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'

const KEY = 'model-admin-key-0123456789'
const embedded = loadEmbeddedModels('embedded/models.json')
const sqrtRecord = { ...embedded.sqrt.record, version: 'manual-1' } as ModelRecord & { source?: string }
const { source: _source, ...sqrtBody } = sqrtRecord

/** An app whose registry records calls and fails the way the Redis registry does (codes REGISTRY_ERR_*). */
async function withRegistry (t: Teardown, registry: RegistryWriter) {
  // load shedding off, as in build(t): a busy test machine must not turn these requests into 503s
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ADMIN_API_KEY: KEY })
  const app = await buildApp({ config, market: loadEmbeddedMarketState(config.MARKET_STATE_PATH), models: new ModelStore({ defaultSet: embedded, bySymbol: new Map() }), tcaStore: tempTcaStore(t), registry })
  t.teardown(async () => await app.close())
  return app
}

const coded = (code: string, message: string) => Object.assign(new Error(message), { code })

t.test('publish: validated, forced to source "registry", and passed to the registry', async (t) => {
  const calls: Array<[string, ModelRecord]> = []
  const app = await withRegistry(t, {
    publish: async (symbol, record) => { calls.push([symbol, record]); return { version: record.version, removedVersions: [] } },
    rollback: async () => {},
    versions: async () => []
  })
  const ok = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', headers: { 'x-api-key': KEY }, payload: sqrtBody })
  t.equal(ok.statusCode, 200, ok.body)
  t.same(ok.json(), { symbol: 'BTCUSDT', name: 'sqrt', version: 'manual-1', removedVersions: [] })
  t.equal(calls[0][1].source, 'registry')
  const bad = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', headers: { 'x-api-key': KEY }, payload: { ...sqrtBody, params: { impactCoef: 1, impactExponent: 7, smearingFactor: 1 } } })
  t.equal(bad.statusCode, 422, 'delta 7 is rejected before anything is written')
  t.equal(calls.length, 1)
  const wrongShape = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', headers: { 'x-api-key': KEY }, payload: { ...embedded.linear.record, source: undefined, version: 'x', model: { ...(embedded.linear.record as { model: object }).model, coefficients: [1] } } })
  t.equal(wrongShape.statusCode, 422, 'a weight vector of the wrong length is rejected')
  const noKey = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', payload: sqrtBody })
  t.equal(noKey.statusCode, 401)
})

t.test('registry failures map to 404, 409 and 503', async (t) => {
  const app = await withRegistry(t, {
    publish: async () => { throw coded('REGISTRY_ERR_VERSION_EXISTS', 'version manual-1 holds another record') },
    rollback: async (_s, _n, version) => { if (version === 'gone') throw coded('REGISTRY_ERR_NOT_FOUND', 'no version gone'); throw new Error('connect ECONNREFUSED 127.0.0.1:6379') },
    versions: async () => []
  })
  const clash = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', headers: { 'x-api-key': KEY }, payload: sqrtBody })
  t.equal(clash.statusCode, 409)
  t.equal(clash.json().code, 'PRETRADE_ERR_VERSION_EXISTS')
  const gone = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT/rollback', headers: { 'x-api-key': KEY }, payload: { name: 'sqrt', version: 'gone' } })
  t.equal(gone.statusCode, 404)
  t.equal(gone.json().code, 'PRETRADE_ERR_VERSION_NOT_FOUND')
  const down = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT/rollback', headers: { 'x-api-key': KEY }, payload: { name: 'sqrt', version: 'v1' } })
  t.equal(down.statusCode, 503)
  t.notMatch(down.body, /ECONNREFUSED/, 'no internal detail')
})

t.test('without REDIS_URL publishing is unavailable, and /ready says there is no registry', async (t) => {
  const app = await build(t, { ADMIN_API_KEY: KEY })
  const res = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT', headers: { 'x-api-key': KEY }, payload: sqrtBody })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'PRETRADE_ERR_REGISTRY_UNAVAILABLE')
  t.equal((await app.inject('/ready')).json().registry, 'none')
  t.same((await app.inject('/v1/models')).json().registry, { configured: false })
})
