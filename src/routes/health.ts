import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../app.js'

const Status = Type.Object({
  status: Type.String({ description: '"ok" (/health); "ready", or "degraded" when the model registry is unreachable and the models held in memory keep serving (/ready)' }),
  models: Type.Optional(Type.String()),
  registry: Type.Optional(Type.String({ description: '"connected", "disconnected" or "none" (no REDIS_URL)' }))
})

const healthRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get('/health', {
    schema: { tags: ['ops'], summary: 'Liveness: the process answers', response: { 200: Status } }
  }, async () => ({ status: 'ok' }))

  app.get('/ready', {
    schema: {
      tags: ['ops'],
      summary: 'Readiness: models are loaded and estimates can be served (200 even when degraded: the models in memory keep serving)',
      response: { 200: Status, 503: Type.Ref('ErrorResponse') }
    }
  }, async (_request, reply) => {
    if (!deps.models.ready) {
      return reply.code(503).send({ statusCode: 503, code: 'PRETRADE_ERR_NOT_READY', error: 'Service Unavailable', message: 'no models loaded yet' })
    }
    // a replica that lost Redis still serves the models it holds: it stays in rotation (200), reported as degraded
    const registry = deps.registryStatus === undefined ? 'none' : deps.registryStatus().connected ? 'connected' : 'disconnected'
    return { status: registry === 'disconnected' ? 'degraded' : 'ready', models: deps.models.catalog().defaultSet.sqrt.source, registry }
  })
}

export default healthRoutes
