import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../deps.js'
import { DEFAULT_MODEL_NAME, MODEL_NAMES, type ModelSet } from '../models/impact-model.js'
import { registryUnavailable, storeUnavailable } from '../errors.js'
import { CalibrationParams, CalibrationQuerystring, CalibrationResponse, VersionsResponse } from '../schemas/calibration.js'
import { described, errorRef, unavailableRef } from '../schemas/common.js'
import { symbolCalibration } from '../services/calibration.js'

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

/** The validation metrics a model record carries: calibration.validation, else calibration.metrics. */
function validationOf (calibration: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const v = calibration.validation ?? calibration.metrics
  return v !== null && typeof v === 'object' ? v as Record<string, unknown> : undefined
}

const modelRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.addSchema(CalibrationResponse)
  app.addSchema(VersionsResponse)

  app.get('/v1/models/:symbol/calibration', {
    schema: {
      tags: ['models'],
      summary: 'Is the cost model calibrated on this symbol\'s fills? z-scores of the stored TCA trades against their predictions, overall and by participation decile, with a verdict',
      description: 'Reads the TCA records stored by POST /v1/tca (Redis stream or file store) that were scored against a prediction: z = (implementation shortfall - predicted cost) / predicted std, ' +
        'the prediction made by the model version active when each execution started. Reports n, mean z with its standard error, std z, the share inside the predicted p05-p95 band, the notional-weighted bias in bps and a verdict (calibrated, biased, overconfident, underconfident, insufficient-data), overall and per participation decile, and the z histogram against N(0, 1).',
      params: CalibrationParams,
      querystring: CalibrationQuerystring,
      response: { 200: described(Type.Ref(CalibrationResponse.$id as string), 'the calibration report of the symbol\'s scored fills'), 400: errorRef(400), 422: errorRef(422), 503: unavailableRef('PRETRADE_ERR_STORE_UNAVAILABLE: the TCA store could not be read') }
    }
  }, async (request) => {
    try {
      const q = request.query
      const num = (v: string | undefined): number | undefined => v === undefined ? undefined : Number(v)
      return await symbolCalibration(deps.tcaStore, request.params.symbol, { since: num(q.since), until: num(q.until), minParticipation: num(q.minParticipation), maxParticipation: num(q.maxParticipation), execution: q.execution }, Date.now())
    } catch (err) {
      if ((err as { statusCode?: unknown }).statusCode !== undefined) throw err
      request.log.error({ err }, 'cannot read TCA records for the calibration report')
      throw storeUnavailable('the TCA records could not be read; retry')
    }
  })

  app.get('/v1/models/:symbol/versions', {
    schema: {
      tags: ['models'],
      summary: 'The version history of each of the symbol\'s models: version, publish time, active, validation metrics',
      description: 'The versions this replica has served (with their validation metrics) and, with a Redis model registry, every version the registry keeps (newest first); and the history of which version was active when, as the TCA prices past trades.',
      params: CalibrationParams,
      response: { 200: described(Type.Ref(VersionsResponse.$id as string), 'the versions of each model slot'), 400: errorRef(400), 503: unavailableRef('PRETRADE_ERR_REGISTRY_UNAVAILABLE: the registry did not answer') }
    }
  }, async (request) => {
    const { symbol } = request.params
    const active = deps.models.modelsFor(symbol)
    const models = await Promise.all(MODEL_NAMES.map(async (name) => {
      const versions = new Map<string, { version: string, createdAtMs?: number, active: boolean, source: string, validation?: Record<string, unknown> }>()
      const served = deps.models.servedVersions(symbol, name)
      for (const { model } of served) {
        const createdAtMs = (model.record as { createdAtMs?: unknown }).createdAtMs
        versions.set(model.version, { version: model.version, createdAtMs: model.source === 'embedded' || typeof createdAtMs !== 'number' ? undefined : createdAtMs, active: model === active[name], source: model.source, validation: validationOf(model.calibration) })
      }
      if (deps.registry !== undefined) {
        let kept: Awaited<ReturnType<NonNullable<AppDeps['registry']>['versions']>>
        try {
          kept = await deps.registry.versions(symbol, name)
        } catch (err) {
          request.log.warn({ err }, 'registry versions unavailable')
          throw registryUnavailable('the model registry did not answer')
        }
        for (const v of kept) if (!versions.has(v.version)) versions.set(v.version, { version: v.version, createdAtMs: v.createdAtMs, active: v.version === active[name].version, source: 'registry' })
      }
      const list = [...versions.values()].sort((a, b) => (b.createdAtMs ?? -Infinity) - (a.createdAtMs ?? -Infinity))
      const history = served.map(({ fromMs, model }) => Number.isFinite(fromMs) ? { version: model.version, fromMs } : { version: model.version })
      return { name, activeVersion: active[name].version, versions: list, history }
    }))
    return { symbol, models }
  })

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
