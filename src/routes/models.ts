import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../deps.js'
import { DEFAULT_MODEL_NAME, MODEL_NAMES, type ModelSet } from '../models/impact-model.js'
import { described, errorRef } from '../schemas/common.js'

const Range = Type.Object({ min: Type.Number(), max: Type.Number() })
const ModelInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  source: Type.String({ description: '"embedded" (shipped defaults) or "registry"' }),
  parameters: Type.Record(Type.String(), Type.Unknown(), { description: 'fitted parameters (the MLP\'s weights are not listed)' }),
  calibration: Type.Record(Type.String(), Type.Unknown(), { description: 'data set, window, sample counts and out-of-sample metrics' }),
  validity: Type.Object({ participation: Range, volDaily: Range }, { description: 'ranges the model was calibrated on; estimates outside them carry a warning' })
})

const ModelsResponse = Type.Object({
  defaultModel: Type.String({ description: 'the model used when a request names none' }),
  marketData: Type.Record(Type.String(), Type.Unknown(), { description: 'where market state comes from: embedded defaults, or live Bybit with per-symbol refresh status and the trade tape' }),
  registry: Type.Record(Type.String(), Type.Unknown(), { description: 'the Redis model registry: connected, last sync, rejected (corrupt) records; { configured: false } without REDIS_URL' }),
  recalibration: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the recalibration job: running, last run, and per symbol the last outcome (published / kept / failed), its reason, sample counts and validation verdicts' })),
  symbols: Type.Array(Type.Object({
    symbol: Type.String({ description: 'a symbol, or "*" for the models every other symbol is served with' }),
    models: Type.Array(ModelInfo)
  }))
}, { $id: 'ModelsResponse', title: 'ModelsResponse' })

function describe (set: ModelSet) {
  return MODEL_NAMES.map((name) => {
    const m = set[name]
    return { name: m.name, version: m.version, source: m.source, parameters: m.parameters, calibration: m.calibration, validity: m.validity }
  })
}

const modelRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get('/v1/models', {
    schema: {
      tags: ['models'],
      summary: 'The active impact models per symbol, with parameters, calibration window and metrics',
      response: { 200: described(ModelsResponse, 'the active models of each symbol and the default set'), 503: errorRef(503) }
    }
  }, async () => {
    const catalog = deps.models.catalog()
    const symbols = [...new Set([...deps.market.symbols(), ...catalog.bySymbol.keys()])].sort()
    return {
      defaultModel: DEFAULT_MODEL_NAME,
      // spread: the status interfaces become the plain records the schema types them as
      marketData: { ...(deps.liveStatus?.() ?? { source: 'embedded' }) },
      registry: deps.registryStatus !== undefined ? { configured: true, ...deps.registryStatus() } : { configured: false },
      ...(deps.job !== undefined ? { recalibration: { ...deps.job.status() } } : {}),
      symbols: [
        ...symbols.map((symbol) => ({ symbol, models: describe(deps.models.modelsFor(symbol)) })),
        { symbol: '*', models: describe(catalog.defaultSet) }
      ]
    }
  })
}

export default modelRoutes
