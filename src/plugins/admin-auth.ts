import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import type { Config } from '../config.js'
import { adminDisabled, rateLimited, unauthorized } from '../errors.js'
import { sendError } from './error-handler.js'

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * A hook for admin routes: the `x-api-key` header must equal ADMIN_API_KEY, compared in
 * constant time (both sides hashed to 32 bytes first, so length leaks nothing). Without a
 * configured key the admin routes are disabled (403), never open. The key is never logged.
 */
export function adminGuard (adminApiKey: string | undefined) {
  const expected = adminApiKey !== undefined ? digest(adminApiKey) : undefined
  return async function checkAdminKey (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (expected === undefined) {
      await sendError(reply, adminDisabled())
      return
    }
    const sent = request.headers['x-api-key']
    if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), expected)) {
      await sendError(reply, unauthorized())
    }
  }
}

/**
 * @fastify/rate-limit for the admin routes only (global: false: the hot path never pays for it).
 * One budget per client address shared by every admin route, in memory on each replica:
 * ADMIN_RATE_LIMIT_MAX requests per ADMIN_RATE_LIMIT_WINDOW_MS.
 */
export async function registerAdminRateLimit (app: FastifyInstance, config: Config): Promise<void> {
  const max = config.ADMIN_RATE_LIMIT_MAX
  await app.register(rateLimit, {
    global: false,
    max,
    timeWindow: config.ADMIN_RATE_LIMIT_WINDOW_MS,
    errorResponseBuilder: (_request, context) => rateLimited(max, context.after)
  })
}

/**
 * The onRequest hooks of every admin route: the rate limit first (so wrong keys count too and
 * cannot be guessed at speed), then the key check.
 */
export function adminHooks (app: FastifyInstance, config: Config): onRequestHookHandler[] {
  // no options: every admin route then shares the budget registered above
  return [app.rateLimit(), adminGuard(config.ADMIN_API_KEY)]
}
