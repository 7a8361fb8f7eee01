import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * A preHandler for admin routes: the `x-api-key` header must equal ADMIN_API_KEY, compared in
 * constant time (both sides hashed to 32 bytes first, so length leaks nothing). Without a
 * configured key the admin routes are disabled (403), never open. The key is never logged.
 */
export function adminGuard (adminApiKey: string | undefined) {
  const expected = adminApiKey !== undefined ? digest(adminApiKey) : undefined
  return async function checkAdminKey (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (expected === undefined) {
      await reply.code(403).send({ statusCode: 403, code: 'PRETRADE_ERR_ADMIN_DISABLED', error: STATUS_CODES[403], field: 'headers/x-api-key', rule: 'ADMIN_API_KEY must be configured', message: 'admin endpoints are disabled: the server has no ADMIN_API_KEY' })
      return
    }
    const sent = request.headers['x-api-key']
    if (typeof sent !== 'string' || !timingSafeEqual(digest(sent), expected)) {
      await reply.code(401).send({ statusCode: 401, code: 'PRETRADE_ERR_UNAUTHORIZED', error: STATUS_CODES[401], field: 'headers/x-api-key', rule: 'must equal the configured admin key', message: 'missing or wrong x-api-key' })
    }
  }
}
