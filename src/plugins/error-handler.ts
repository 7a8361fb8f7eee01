import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { codes, errorBody, isErrorCode, notFound, withDetails, type CatalogueError, type ErrorBody, type ErrorCode } from '../errors.js'

function body (code: ErrorCode, message: string, field?: string, rule?: string): ErrorBody {
  return errorBody({ code, message, field, rule })
}

/** The first schema violation as { field, rule, message }; field is `body/orders/3/qtyBase`. */
function fromValidation (err: FastifyError): ErrorBody {
  const first = err.validation?.[0]
  const context = err.validationContext ?? 'body'
  if (first === undefined) return body('PRETRADE_ERR_VALIDATION', err.message, context, 'schema')
  const params = first.params as Record<string, unknown>
  let path = `${context}${first.instancePath}`
  if ((first.keyword === 'required' || first.keyword === 'dependencies') && typeof params.missingProperty === 'string') path += `/${params.missingProperty}`
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') path += `/${params.additionalProperty}`
  const rule = first.keyword === 'additionalProperties'
    ? 'additionalProperties: unknown field'
    : first.keyword === 'dependencies' ? `dependencies: required with ${String(params.property)}` : first.keyword
  return body('PRETRADE_ERR_VALIDATION', `${path} ${first.message ?? 'is invalid'}`, path, rule)
}

/**
 * Turns every error into the documented `{ statusCode, code, field, rule, message }` body.
 * 5xx messages are hidden from clients (logged with the request id instead).
 */
export function toErrorBody (err: FastifyError & { field?: string, rule?: string }): ErrorBody {
  if (err.validation !== undefined) return fromValidation(err)
  const { code } = err
  if (isErrorCode(code)) return errorBody({ code, message: err.message, field: err.field, rule: err.rule })
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return body('PRETRADE_ERR_VALIDATION', err.message, 'url', 'valid percent-encoded UTF-8')
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body('PRETRADE_ERR_VALIDATION', err.message, 'url', 'path parameter of at most 100 characters')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body('PRETRADE_ERR_BODY_TOO_LARGE', err.message, 'body', 'bodyLimit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(withDetails(new codes.PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE(), 'headers/content-type', 'application/json'))
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body('PRETRADE_ERR_BAD_JSON', err.message, 'body', 'valid JSON')
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return body('PRETRADE_ERR_BAD_JSON', err.message, 'body', 'valid JSON')
  }
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
  if (status < 500) return body('PRETRADE_ERR_VALIDATION', err.message, 'body', 'request')
  return errorBody(new codes.PRETRADE_ERR_INTERNAL())
}

/**
 * Sends an error of the catalogue from a hook or a handler that does not throw (the body and
 * status the error handler would give it). Headers set before stay.
 */
export function sendError (reply: FastifyReply, err: CatalogueError): FastifyReply {
  const out: ErrorBody = errorBody(err)
  return reply.code(out.statusCode).send(out)
}

/**
 * Fastify's `frameworkErrors` option: a URL the router cannot decode (`/v1/models/%E0%A4%A`) or a
 * too-long path parameter is answered before any hook runs, so without this it gets Fastify's own
 * body (no field, rule or x-request-id).
 */
export function frameworkErrorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const out = toErrorBody(err)
  if (out.statusCode >= 500) request.log.error({ err }, 'request failed')
  void reply.header('x-request-id', request.id).code(out.statusCode).send(out)
}

export function registerErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const out = toErrorBody(err)
    if (out.statusCode >= 500) request.log.error({ err }, 'request failed')
    return reply.code(out.statusCode).send(out)
  })
  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, notFound(request.method, request.url))
  })
}
