import type { FastifyInstance } from 'fastify'
import underPressure from '@fastify/under-pressure'
import type { Config } from '../config.js'
import { overloaded } from '../errors.js'
import { sendError } from './error-handler.js'

/**
 * Load shedding (@fastify/under-pressure): while the mean event-loop delay of the last sample
 * exceeds MAX_EVENT_LOOP_DELAY_MS, requests get an immediate 503 PRETRADE_ERR_OVERLOADED with
 * Retry-After instead of queueing into a timeout. A caller on the hot path then fails fast and can
 * try another replica. /health and /metrics opt out (route config `pressureHandler`) and report
 * the pressure instead.
 */
export async function registerLoadShedding (app: FastifyInstance, config: Config): Promise<void> {
  const retryAfter = config.PRESSURE_RETRY_AFTER_SECONDS
  await app.register(underPressure, {
    maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS,
    sampleInterval: config.PRESSURE_SAMPLE_MS,
    retryAfter,
    pressureHandler: (_request, reply, type, value) => {
      const measured = typeof value === 'number' ? ` (${Math.round(value)} ms)` : ''
      // sent here, the request goes no further (Fastify stops a request whose reply was sent in onRequest)
      const rule = `${type} must stay under MAX_EVENT_LOOP_DELAY_MS = ${config.MAX_EVENT_LOOP_DELAY_MS} ms`
      void sendError(reply.header('retry-after', retryAfter), overloaded(rule, measured, retryAfter))
    }
  })
}
