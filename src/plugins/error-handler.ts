import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import { ERROR_CODES, type ErrorCode } from '../errors.js'

interface ErrorBody {
  statusCode: number
  code: ErrorCode
  error: string
  field?: string
  rule?: string
  message: string
}

function body (statusCode: number, code: ErrorCode, message: string, field?: string, rule?: string): ErrorBody {
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    ...(field !== undefined ? { field } : {}),
    ...(rule !== undefined ? { rule } : {}),
    message
  }
}

/** The first schema violation as { field, rule, message }; field is `body/orders/3/qtyBase`. */
function fromValidation (err: FastifyError): ErrorBody {
  const first = err.validation?.[0]
  const context = err.validationContext ?? 'body'
  if (first === undefined) return body(400, 'PRETRADE_ERR_VALIDATION', err.message, context, 'schema')
  const params = first.params as Record<string, unknown>
  let path = `${context}${first.instancePath}`
  if (first.keyword === 'required' && typeof params.missingProperty === 'string') path += `/${params.missingProperty}`
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') path += `/${params.additionalProperty}`
  const rule = first.keyword === 'additionalProperties' ? 'additionalProperties: unknown field' : first.keyword
  return body(400, 'PRETRADE_ERR_VALIDATION', `${path} ${first.message ?? 'is invalid'}`, path, rule)
}

function isKnownCode (code: unknown): code is ErrorCode {
  return typeof code === 'string' && code in ERROR_CODES
}

/**
 * Turns every error into the documented `{ statusCode, code, field, rule, message }` body.
 * 5xx messages are hidden from clients (logged with the request id instead).
 */
export function toErrorBody (err: FastifyError & { field?: string, rule?: string }): ErrorBody {
  if (err.validation !== undefined) return fromValidation(err)
  if (isKnownCode(err.code)) {
    return body(ERROR_CODES[err.code].statusCode, err.code, err.message, err.field, err.rule)
  }
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return body(400, 'PRETRADE_ERR_VALIDATION', err.message, 'url', 'valid percent-encoded UTF-8')
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body(400, 'PRETRADE_ERR_VALIDATION', err.message, 'url', 'path parameter of at most 100 characters')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, 'PRETRADE_ERR_BODY_TOO_LARGE', err.message, 'body', 'bodyLimit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(415, 'PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json', 'headers/content-type', 'application/json')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body(400, 'PRETRADE_ERR_BAD_JSON', err.message, 'body', 'valid JSON')
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return body(400, 'PRETRADE_ERR_BAD_JSON', err.message, 'body', 'valid JSON')
  }
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
  if (status < 500) return body(400, 'PRETRADE_ERR_VALIDATION', err.message, 'body', 'request')
  return body(500, 'PRETRADE_ERR_INTERNAL', 'internal error; see the server log for this request id')
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
    return reply.code(404).send(body(404, 'PRETRADE_ERR_NOT_FOUND', `no route ${request.method} ${request.url}`, 'url', 'known route'))
  })
}
