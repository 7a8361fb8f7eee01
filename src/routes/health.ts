import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AppDeps } from '../app.js'

const Status = Type.Object({ status: Type.String(), models: Type.Optional(Type.String()) })

const healthRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.get('/health', {
    schema: { tags: ['ops'], summary: 'Liveness: the process answers', response: { 200: Status } }
  }, async () => ({ status: 'ok' }))

  app.get('/ready', {
    schema: {
      tags: ['ops'],
      summary: 'Readiness: models are loaded and estimates can be served',
      response: { 200: Status, 503: Type.Ref('ErrorResponse') }
    }
  }, async (_request, reply) => {
    if (!deps.models.ready) {
      return reply.code(503).send({ statusCode: 503, code: 'PRETRADE_ERR_NOT_READY', error: 'Service Unavailable', message: 'no models loaded yet' })
    }
    return { status: 'ready', models: deps.models.catalog().defaultSet.sqrt.source }
  })
}

export default healthRoutes
