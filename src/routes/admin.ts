import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../deps.js'
import { jobUnavailable, leaderUnavailable } from '../errors.js'
import { isRelayError } from '../jobs/recalibrate-relay.js'
import { adminHooks } from '../plugins/admin-auth.js'
import { described, errorRef, SymbolField, unavailableRef } from '../schemas/common.js'

const Outcome = Type.Object({
  symbol: Type.String(),
  outcome: Type.String({ description: '"published", "kept" (no candidate passed the gate) or "failed" (published models kept)' }),
  published: Type.Array(Type.String(), { description: 'model slots replaced' }),
  reason: Type.String(),
  startedAtMs: Type.Number(),
  finishedAtMs: Type.Number()
}, { additionalProperties: true })

const adminRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const guard = adminHooks(app, deps.config)
  app.post('/v1/admin/recalibrate', {
    onRequest: guard,
    // everything is in the query string: a body has no use here
    bodyLimit: 1024,
    schema: {
      tags: ['admin'],
      summary: 'Runs the recalibration job now (admin: x-api-key)',
      description: 'Runs for every configured symbol, or only ?symbol=BTCUSDT. Collects samples, fits and gates the candidates in a worker thread, and publishes only what beats the published model out of sample. Joins a run already in progress. Needs live market data (MARKET_DATA_SOURCE=bybit). With Redis, a replica that does not hold the leader lock hands the run to the one that does and answers with its outcomes (503 PRETRADE_ERR_LEADER_UNAVAILABLE if none answers within RECALIBRATE_RELAY_TIMEOUT_MS).',
      security: [{ apiKey: [] }],
      querystring: Type.Object({ symbol: Type.Optional(SymbolField) }, { additionalProperties: false }),
      response: {
        200: described(Type.Object({ outcomes: Type.Array(Outcome) }), 'the outcome of the run for each symbol'),
        400: errorRef(400),
        401: errorRef(401),
        403: errorRef(403),
        429: errorRef(429),
        503: unavailableRef('PRETRADE_ERR_JOB_UNAVAILABLE (no live market data) or PRETRADE_ERR_LEADER_UNAVAILABLE (no leader answered in time)')
      }
    }
  }, async (request) => {
    if (deps.recalibrate === undefined) throw jobUnavailable()
    const symbol = request.query.symbol
    try {
      return { outcomes: await deps.recalibrate(symbol !== undefined ? [symbol] : undefined) }
    } catch (err) {
      if (isRelayError(err)) throw leaderUnavailable(err.message)
      throw err
    }
  })
}

export default adminRoutes
