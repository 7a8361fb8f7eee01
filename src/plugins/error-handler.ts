import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { codes, errorBody, isErrorCode, mustBeOneOf, notFound, withDetails, type CatalogueError, type ErrorBody, type ErrorCode } from '../errors.js'

function body (code: ErrorCode, message: string, field?: string, rule?: string): ErrorBody {
  return errorBody({ code, message, field, rule })
}

type SchemaError = NonNullable<FastifyError['validation']>[number]

/**
 * The violation to report: an unknown field first (ajv checks `required` before
 * `additionalProperties`, so a typo such as `qtyBse` would otherwise read "must have required
 * property 'qtyBase'"), else the first one ajv found.
 */
function reportedError (errors: readonly SchemaError[]): SchemaError | undefined {
  return errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0]
}

/** "is not a known field", and which required field of the same object is missing (the typo's likely target). */
function unknownFieldMessage (first: SchemaError, errors: readonly SchemaError[]): string {
  const missing = errors
    .filter((e) => e.keyword === 'required' && e.instancePath === first.instancePath)
    .map((e) => String((e.params as Record<string, unknown>).missingProperty))
  return missing.length > 0 ? `is not a known field (missing: ${missing.join(', ')})` : 'is not a known field'
}

/** "must be > 0 or must be string": the branches of the anyOf that `first` belongs to, at its path. */
function anyOfMessage (first: SchemaError, errors: readonly SchemaError[]): string | undefined {
  const at = first.schemaPath.lastIndexOf('/anyOf/')
  if (at < 0) return undefined
  const prefix = first.schemaPath.slice(0, at + '/anyOf/'.length)
  const messages = errors.filter((e) => e.instancePath === first.instancePath && e.schemaPath.startsWith(prefix)).map((e) => e.message ?? 'is invalid')
  return [...new Set(messages)].join(' or ')
}

/** The reported schema violation as { field, rule, message }; field is `body/orders/3/qtyBase`. */
function fromValidation (err: FastifyError): ErrorBody {
  const errors = err.validation ?? []
  const first = reportedError(errors)
  const context = err.validationContext ?? 'body'
  if (first === undefined) return body('PRETRADE_ERR_VALIDATION', err.message, context, 'schema')
  const params = first.params as Record<string, unknown>
  let path = `${context}${first.instancePath}`
  if ((first.keyword === 'required' || first.keyword === 'dependencies') && typeof params.missingProperty === 'string') path += `/${params.missingProperty}`
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') path += `/${params.additionalProperty}`
  const alternatives = anyOfMessage(first, errors)
  const rule = first.keyword === 'additionalProperties'
    ? 'additionalProperties: unknown field'
    : first.keyword === 'dependencies'
      ? `dependencies: required with ${String(params.property)}`
      : alternatives !== undefined ? 'anyOf' : first.keyword
  const message = first.keyword === 'enum' && Array.isArray(params.allowedValues)
    ? mustBeOneOf(params.allowedValues)
    : first.keyword === 'additionalProperties' ? unknownFieldMessage(first, errors) : alternatives ?? first.message ?? 'is invalid'
  return body('PRETRADE_ERR_VALIDATION', `${path} ${message}`, path, rule)
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
 * Logs a failed request by whose fault it is. A client error (4xx) is info, and a 503 of the
 * catalogue (a documented state: method "book" without live market data, no registry, shedding
 * load...) is warn: both without a stack, as code, field and rule say all there is. Anything else
 * (PRETRADE_ERR_INTERNAL: a fault of the server) is error with the error and its stack.
 */
export function logRequestError (request: FastifyRequest, err: FastifyError, out: ErrorBody): void {
  if (out.code === 'PRETRADE_ERR_INTERNAL') {
    request.log.error({ err }, 'request failed')
    return
  }
  const summary = { statusCode: out.statusCode, code: out.code, field: out.field, rule: out.rule, message: out.message, url: request.url }
  if (out.statusCode >= 500) request.log.warn(summary, 'request refused')
  else request.log.info(summary, 'request rejected')
}

/**
 * Fastify's `frameworkErrors` option: a URL the router cannot decode (`/v1/models/%E0%A4%A`) or a
 * too-long path parameter is answered before any hook runs, so without this it gets Fastify's own
 * body (no field, rule or x-request-id).
 */
export function frameworkErrorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const out = toErrorBody(err)
  logRequestError(request, err, out)
  void reply.header('x-request-id', request.id).code(out.statusCode).send(out)
}

export function registerErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const out = toErrorBody(err)
    logRequestError(request, err, out)
    return reply.code(out.statusCode).send(out)
  })
  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, notFound(request.method, request.url))
  })
}
