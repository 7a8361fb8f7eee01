import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps, RegistryWriter } from '../deps.js'
import { registryUnavailable, unprocessable, versionExists, versionNotFound } from '../errors.js'
import { modelFromRecord, MODEL_NAMES, type ModelRecord } from '../models/impact-model.js'
import { recordBodyFitFields } from '../models/model-kinds.js'
import { RangeSchema } from '../models/json-fields.js'
import { adminHooks } from '../plugins/admin-auth.js'
import { described, errorRef, ModelNameField, StringEnum, SymbolField, unavailableRef, withExamples } from '../schemas/common.js'

const Range = Type.Object(RangeSchema.properties, { additionalProperties: false })
const Version = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,128}$', description: 'version id: letters, digits and . _ : -' })

/**
 * A model record as an operator posts it: the record's fields (model-record.ts and the kinds'
 * fitted parts, model-kinds.ts) closed to extras, without `source` (always "registry"), with
 * calibration and createdAtMs optional. modelFromRecord then checks it like any stored record.
 */
export const ModelRecordBody = Type.Object({
  name: StringEnum(MODEL_NAMES, 'model slot'),
  version: Version,
  ...recordBodyFitFields(),
  validity: Type.Object({ participation: Range, volDaily: Range }, { additionalProperties: false }),
  calibration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  createdAtMs: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false, $id: 'ModelRecordBody', title: 'ModelRecordBody' })

/** OpenAPI example of a publish: the square-root law with the embedded coefficient, under a new version id. */
export const MODEL_RECORD_EXAMPLES = {
  sqrt: {
    summary: 'square-root law, eta 2.098 and delta 0.5 (the embedded fit), valid for participation up to 4.3 % and volDaily 2.3 % to 12.5 %',
    value: { name: 'sqrt', version: 'manual-2026-01-05', params: { impactCoef: 2.0982399370702014, impactExponent: 0.5, smearingFactor: 1 }, validity: { participation: { min: 3.3549929441143395e-8, max: 0.04345055528514713 }, volDaily: { min: 0.022798117600230428, max: 0.12454427942380049 } } }
  }
}
const ROLLBACK_EXAMPLES = { sqrt: { summary: 'make version manual-2026-01-05 of the sqrt model active again', value: { name: 'sqrt', version: 'manual-2026-01-05' } } }

const Published = Type.Object({ symbol: Type.String(), name: Type.String(), version: Type.String(), removedVersions: Type.Array(Type.String()) })
const errors = { 400: errorRef(400), 401: errorRef(401), 403: errorRef(403), 404: errorRef(404), 409: errorRef(409), 413: errorRef(413), 422: errorRef(422), 429: errorRef(429), 503: unavailableRef('PRETRADE_ERR_REGISTRY_UNAVAILABLE: no Redis model registry (REDIS_URL), or Redis did not answer; nothing was changed') }

/** A model record with MLP weights is tens of KiB; 1 MiB leaves room for larger networks. */
export const MODEL_BODY_LIMIT_BYTES = 1024 * 1024
/** A rollback body is a name and a version. */
const ROLLBACK_BODY_LIMIT_BYTES = 1024

/** Maps registry failures to API errors: invalid 422, unknown version 404, clash 409, Redis down 503. */
function asApiError (err: unknown): unknown {
  const code = (err as { code?: unknown }).code
  if (code === 'REGISTRY_ERR_NOT_FOUND') return versionNotFound((err as Error).message)
  if (code === 'REGISTRY_ERR_VERSION_EXISTS') return versionExists((err as Error).message)
  if (code === 'REGISTRY_ERR_INVALID_RECORD') return unprocessable('body', 'a valid model record', (err as Error).message)
  return registryUnavailable('the model registry did not answer; nothing was changed')
}

const modelAdminRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const guard = adminHooks(app, deps.config)
  const registry = (): RegistryWriter => {
    if (deps.registry === undefined) throw registryUnavailable('this server has no model registry (REDIS_URL is not set)')
    return deps.registry
  }

  app.post('/v1/models/:symbol', {
    onRequest: guard,
    bodyLimit: MODEL_BODY_LIMIT_BYTES,
    schema: {
      tags: ['admin'],
      summary: 'Publishes a model record for a symbol (admin: x-api-key)',
      description: 'Validated like the job\'s records (schema, finite numbers, weight shapes) before anything is written; then written and made active atomically, and every replica swaps to it. Only the last MODEL_KEEP_VERSIONS versions are kept.',
      security: [{ apiKey: [] }],
      params: Type.Object({ symbol: SymbolField }),
      body: withExamples(ModelRecordBody, MODEL_RECORD_EXAMPLES),
      response: { 200: described(Published, 'published and active on every replica; older versions beyond MODEL_KEEP_VERSIONS removed'), ...errors }
    }
  }, async (request) => {
    const { symbol } = request.params
    const body = request.body
    const record = { ...body, source: 'registry', calibration: body.calibration ?? {}, createdAtMs: body.createdAtMs ?? Date.now() } as unknown as ModelRecord
    try {
      modelFromRecord(record, 'body')
    } catch (err) {
      const message = (err as Error).message
      throw unprocessable(/^(body[.\w[\]]*)/.exec(message)?.[1]?.replace(/\./g, '/') ?? 'body', 'a valid model record', message)
    }
    try {
      const out = await registry().publish(symbol, record)
      request.log.info({ symbol, name: record.name, version: out.version, removed: out.removedVersions }, 'model published by an operator')
      return { symbol, name: record.name, ...out }
    } catch (err) {
      throw asApiError(err)
    }
  })

  app.post('/v1/models/:symbol/rollback', {
    onRequest: guard,
    bodyLimit: ROLLBACK_BODY_LIMIT_BYTES,
    schema: {
      tags: ['admin'],
      summary: 'Makes a kept earlier version active again (admin: x-api-key)',
      security: [{ apiKey: [] }],
      params: Type.Object({ symbol: SymbolField }),
      body: withExamples(Type.Object({ name: ModelNameField, version: Version }, { additionalProperties: false }), ROLLBACK_EXAMPLES),
      response: { 200: described(Type.Object({ symbol: Type.String(), name: Type.String(), version: Type.String() }), 'that version is active again on every replica'), ...errors }
    }
  }, async (request) => {
    const { symbol } = request.params
    const { name, version } = request.body
    try {
      await registry().rollback(symbol, name, version)
    } catch (err) {
      throw asApiError(err)
    }
    request.log.info({ symbol, name, version }, 'model rolled back by an operator')
    return { symbol, name, version }
  })
}

export default modelAdminRoutes
