/**
 * The bench's baseline: a bare Fastify app with the service's Fastify options (src/app.ts: logger,
 * no request logging, body limits, request ids, Ajv options), its logger (src/server.ts), and the
 * same routes validating bodies with the same typebox schemas, whose handlers reply with a
 * constant JSON string of the byte size our server's response has for that body. It is what
 * Fastify itself costs on this machine: only ratios against it count.
 *
 * Env: PORT, HOST, LOG_LEVEL, BODY_LIMIT_BYTES (as the service), BENCH_REPLY_SIZES: JSON
 * `{ "<path>": { "<key>": bytes } }`; the key is read from the body as bench/scenarios.ts says.
 *
 * With BENCH_REPLY_BODIES (a file of `{ "<path>": { "<key>": <our parsed response> } }`) it is
 * the second reference: each route returns our recorded response object through our response
 * schema, so Fastify's serializer formats the same numbers ours does. Against it, a ratio
 * measures what our own code costs (parsing market inputs, the math, building results) apart from
 * turning them into JSON.
 */
import Fastify, { LogController } from 'fastify'
import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { Type } from '@sinclair/typebox'
import { SMALL_BODY_LIMIT_BYTES } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { readFileSync } from 'node:fs'
import { ErrorResponse } from '../src/schemas/common.js'
import { EstimateBatchRequest, EstimateBatchResponse, EstimateRequest, EstimateResponse } from '../src/schemas/estimate.js'
import { ScheduleRequest, ScheduleResponse } from '../src/schemas/schedule.js'
import { TcaRequest, TcaResponse, TcaTrade } from '../src/schemas/tca.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/** A JSON document of exactly `bytes` bytes: {"constant":"xxx…"}. */
function constantJson (bytes: number): string {
  const frame = '{"constant":""}'
  if (bytes < frame.length) throw new RangeError(`constantJson: bytes must be >= ${frame.length} (got ${bytes})`)
  return `{"constant":"${'x'.repeat(bytes - frame.length)}"}`
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

async function main (): Promise<void> {
  const config = loadConfig()
  const sizes = JSON.parse(process.env.BENCH_REPLY_SIZES ?? '{}') as Record<string, Record<string, number>>
  const bodiesFile = process.env.BENCH_REPLY_BODIES
  const bodies = bodiesFile !== undefined ? JSON.parse(readFileSync(bodiesFile, 'utf8')) as Record<string, Record<string, object>> : undefined
  // a constant JSON string of our size, or (with BENCH_REPLY_BODIES) our response object for the serializer
  const replies = (path: string): Map<string, string | object> => bodies !== undefined
    ? new Map(Object.entries(bodies[path] ?? {}))
    : new Map(Object.entries(sizes[path] ?? {}).map(([key, bytes]) => [key, constantJson(bytes)]))
  const response = (schema: object): { 200: object } | undefined => bodies !== undefined ? { 200: schema } : undefined
  const logger = pino({ level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'config.ADMIN_API_KEY', 'config.REDIS_URL', 'config.REDIS_SENTINEL_PASSWORD'] })
  const app = Fastify({
    logger: false,
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: SMALL_BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => {
      const sent = request.headers['x-request-id']
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID()
    },
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, useDefaults: false } }
  })
  app.addSchema(ErrorResponse)
  app.addSchema(EstimateRequest)
  app.addSchema(EstimateResponse)
  app.addSchema(TcaTrade)

  const estimates = replies('/v1/estimate')
  app.post('/v1/estimate', { schema: { body: Type.Ref('EstimateRequest'), response: response(Type.Ref('EstimateResponse')) } }, async (request, reply) => {
    return await reply.type(JSON_TYPE).send(estimates.get((request.body as { model?: string }).model ?? 'sqrt'))
  })
  const batches = replies('/v1/estimate/batch')
  app.post('/v1/estimate/batch', { bodyLimit: config.BODY_LIMIT_BYTES, schema: { body: EstimateBatchRequest, response: response(EstimateBatchResponse) } }, async (request, reply) => {
    return await reply.type(JSON_TYPE).send(batches.get(String((request.body as { orders: unknown[] }).orders.length)))
  })
  const schedules = replies('/v1/schedule')
  app.post('/v1/schedule', { schema: { body: ScheduleRequest, response: response(ScheduleResponse) } }, async (request, reply) => {
    return await reply.type(JSON_TYPE).send(schedules.get(String((request.body as { periods: number }).periods)))
  })
  const tcas = replies('/v1/tca')
  app.post('/v1/tca', { bodyLimit: config.BODY_LIMIT_BYTES, schema: { body: TcaRequest, response: response(TcaResponse) } }, async (request, reply) => {
    return await reply.type(JSON_TYPE).send(tcas.get(String((request.body as { trades: unknown[] }).trades.length)))
  })
  app.get('/ready', async () => ({ status: 'ready' }))

  await app.listen({ port: config.PORT, host: config.HOST })
  const stop = (): void => { void app.close().then(() => process.exit(0)) }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline failed to start: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
