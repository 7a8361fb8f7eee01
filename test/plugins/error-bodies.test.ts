import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { ModelStore } from '../../src/models/model-store.js'
import { build, tempTcaStore } from '../helper.js'

/**
 * Bodies sent from hooks and plugins (not thrown) come out byte for byte as they were when each
 * was written by hand (key order on routes with a response schema is the schema's).
 */
function raw (res: LightMyRequestResponse): string {
  return `${res.statusCode} ${String(res.headers['content-type'])} ${res.body}`
}

async function withoutModels (t: Parameters<typeof build>[0]): Promise<FastifyInstance> {
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const app = await buildApp({ config, market: loadEmbeddedMarketState(config.MARKET_STATE_PATH, config), models: new ModelStore(), tcaStore: tempTcaStore(t) })
  t.teardown(async () => await app.close())
  return app
}

t.test('admin routes without a configured key: 403 PRETRADE_ERR_ADMIN_DISABLED', async (t) => {
  const app = await build(t)
  t.equal(raw(await app.inject({ method: 'POST', url: '/v1/admin/recalibrate' })),
    '403 application/json; charset=utf-8 {"statusCode":403,"code":"PRETRADE_ERR_ADMIN_DISABLED","error":"Forbidden","message":"admin endpoints are disabled: the server has no ADMIN_API_KEY","field":"headers/x-api-key","rule":"ADMIN_API_KEY must be configured"}')
})

t.test('admin routes with a wrong key: 401 PRETRADE_ERR_UNAUTHORIZED', async (t) => {
  const app = await build(t, { ADMIN_API_KEY: 'error-bodies-key-0123456789' })
  t.equal(raw(await app.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers: { 'x-api-key': 'wrong' } })),
    '401 application/json; charset=utf-8 {"statusCode":401,"code":"PRETRADE_ERR_UNAUTHORIZED","error":"Unauthorized","message":"missing or wrong x-api-key","field":"headers/x-api-key","rule":"must equal the configured admin key"}')
})

t.test('/ready before any model is loaded: 503 PRETRADE_ERR_NOT_READY', async (t) => {
  const app = await withoutModels(t)
  t.equal(raw(await app.inject('/ready')),
    '503 application/json; charset=utf-8 {"statusCode":503,"code":"PRETRADE_ERR_NOT_READY","error":"Service Unavailable","message":"no models loaded yet"}')
})

t.test('an unknown route: 404 PRETRADE_ERR_NOT_FOUND', async (t) => {
  const app = await build(t)
  t.equal(raw(await app.inject('/v2/nothing?x=%25s')),
    '404 application/json; charset=utf-8 {"statusCode":404,"code":"PRETRADE_ERR_NOT_FOUND","error":"Not Found","field":"url","rule":"known route","message":"no route GET /v2/nothing?x=%25s"}')
})
