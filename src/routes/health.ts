import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../deps.js'
import { errorBody, notReady } from '../errors.js'
import '@fastify/under-pressure'
import { described, errorRef } from '../schemas/common.js'

const Status = Type.Object({
  status: Type.String({ description: '/health: "ok", or "overloaded" while the replica sheds load (the process is alive either way, so /health stays 200); /ready: "ready", or "degraded" when the model registry is unreachable and the models held in memory keep serving' }),
  eventLoopDelayMs: Type.Optional(Type.Number({ description: 'mean event-loop delay over the last sample, ms; when the loop was blocked for the whole sample, the sample interval (PRESSURE_SAMPLE_MS) as a lower bound (/health)' })),
  models: Type.Optional(Type.String()),
  registry: Type.Optional(Type.String({ description: '"connected", "disconnected" or "none" (no REDIS_URL)' }))
})

/** A loop blocked for a whole sample has no delay reading (Infinity): it was blocked for at least the sample interval. */
function finiteDelayMs (delayMs: number, sampleMs: number): number {
  return Number.isFinite(delayMs) ? Math.round(delayMs * 100) / 100 : sampleMs
}

const healthRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get('/health', {
    schema: { tags: ['ops'], summary: 'Liveness: the process answers, and says whether it is shedding load', response: { 200: described(Status, 'the process is alive; status says whether it sheds load') } },
    // answered even while other routes are shed: it reports the overload instead of hiding behind it
    config: { pressureHandler: () => undefined }
  }, async () => ({
    status: app.isUnderPressure() ? 'overloaded' : 'ok',
    eventLoopDelayMs: finiteDelayMs(app.memoryUsage().eventLoopDelay, deps.config.PRESSURE_SAMPLE_MS)
  }))

  app.get('/ready', {
    schema: {
      tags: ['ops'],
      summary: 'Readiness: models are loaded and estimates can be served (200 even when degraded: the models in memory keep serving; 503 PRETRADE_ERR_OVERLOADED while the replica sheds load)',
      response: { 200: described(Status, 'ready: models are loaded (status "degraded" when the registry is unreachable)'), 503: errorRef(503, 'PRETRADE_ERR_NOT_READY (no models loaded yet) or PRETRADE_ERR_OVERLOADED (shedding load)') }
    }
  }, async (_request, reply) => {
    if (!deps.models.ready) {
      const out = errorBody(notReady())
      return reply.code(out.statusCode).send(out)
    }
    // a replica that lost Redis still serves the models it holds: it stays in rotation (200), reported as degraded
    const registry = deps.registryStatus === undefined ? 'none' : deps.registryStatus().connected ? 'connected' : 'disconnected'
    return { status: registry === 'disconnected' ? 'degraded' : 'ready', models: deps.models.catalog().defaultSet.sqrt.source, registry }
  })
}

export default healthRoutes
