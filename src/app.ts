import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions, type RawRequestDefaultExpression } from 'fastify'
import { randomUUID } from 'node:crypto'
import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppDeps } from './deps.js'
import { frameworkErrorHandler, registerErrorHandlers, sendError } from './plugins/error-handler.js'
import { shuttingDown } from './errors.js'
import { registerSwagger } from './plugins/swagger.js'
import { registerMetrics } from './plugins/metrics.js'
import { registerLoadShedding } from './plugins/load-shedding.js'
import { registerAdminRateLimit } from './plugins/admin-auth.js'
import { ErrorResponse } from './schemas/common.js'
import { EstimateBatchRequest, EstimateRequest, EstimateResponse } from './schemas/estimate.js'
import { PretradeCheckRequest } from './schemas/pretrade.js'
import { FrontierRequest, ScheduleRequest } from './schemas/schedule.js'
import { TcaRequest, TcaTrade } from './schemas/tca.js'
import { ModelRecordBody } from './routes/model-admin.js'
import estimateRoutes from './routes/estimate.js'
import scheduleRoutes from './routes/schedule.js'
import tcaRoutes from './routes/tca.js'
import pretradeRoutes from './routes/pretrade.js'
import modelRoutes from './routes/models.js'
import healthRoutes from './routes/health.js'
import adminRoutes from './routes/admin.js'
import modelAdminRoutes from './routes/model-admin.js'
import uiRoutes from './routes/ui.js'

/** Body limit of routes that take one order (the batch and TCA routes take config.BODY_LIMIT_BYTES). */
export const SMALL_BODY_LIMIT_BYTES = 64 * 1024

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's x-request-id when it is a sane token (so it can be logged and echoed safely), else a new UUID. */
function requestId (request: RawRequestDefaultExpression): string {
  const sent = request.headers['x-request-id']
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID()
}

/**
 * Builds the HTTP application on the given dependencies. No I/O happens here: the caller
 * (server.ts, tests) loads config, market state and models and decides whether to listen.
 */
export async function buildApp (deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // no per-request log lines on the hot path: errors are logged by the error handler
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: SMALL_BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestId,
    // Fastify's own closing 503 has a fixed body; the onRequest hook below answers in the documented shape
    return503OnClosing: false,
    // x-examples: OpenAPI media-type examples on a route's body (@fastify/swagger), not a validation keyword.
    // allErrors: an invalid body reports every violation, so the error handler can name an unknown field
    // (a typo) before the required one it displaced; a valid body costs the same (bench/, issue 14)
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false, keywords: ['x-examples'] } },
    frameworkErrors: frameworkErrorHandler,
    ...options
  }).withTypeProvider<TypeBoxTypeProvider>()

  let closing = false
  app.addHook('preClose', (done) => { closing = true; done() })
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    if (!closing) return done()
    // shutting down: requests already in flight finish; a new one on a kept-alive connection is refused
    // with Connection: close, so the client retries on a fresh connection (another replica)
    void sendError(reply.header('connection', 'close').header('retry-after', 1), shuttingDown())
  })
  registerErrorHandlers(app)
  await registerLoadShedding(app, deps.config)
  registerMetrics(app, deps)
  await registerAdminRateLimit(app, deps.config)
  // no CORS headers unless configured: browsers then refuse cross-origin calls
  const origins = deps.config.CORS_ORIGINS
  if (origins !== undefined) {
    await app.register(cors, { origin: origins === '*' ? '*' : origins.split(','), methods: ['GET', 'POST'], exposedHeaders: ['x-request-id', 'retry-after'], maxAge: 600 })
  }
  // JSON only: a text/plain body is a 415, not a string the schema then rejects
  app.removeContentTypeParser('text/plain')
  app.addSchema(ErrorResponse)
  app.addSchema(EstimateRequest)
  app.addSchema(EstimateResponse)
  app.addSchema(TcaTrade)
  // request bodies carry examples beside a $ref to their schema (withExamples)
  for (const schema of [EstimateBatchRequest, ScheduleRequest, FrontierRequest, TcaRequest, PretradeCheckRequest, ModelRecordBody]) app.addSchema(schema)
  await registerSwagger(app)

  await app.register(healthRoutes, deps)
  await app.register(estimateRoutes, deps)
  await app.register(scheduleRoutes, deps)
  await app.register(tcaRoutes, deps)
  await app.register(pretradeRoutes, deps)
  await app.register(modelRoutes, deps)
  await app.register(adminRoutes, deps)
  await app.register(modelAdminRoutes, deps)
  await app.register(uiRoutes)
  return app
}
