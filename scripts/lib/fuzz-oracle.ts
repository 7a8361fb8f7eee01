import { isErrorCode, statusCodeOf } from '../../src/errors.js'

/** One request as the fuzzer sends it: the body is raw text or bytes, sent as is. */
export interface FuzzRequest {
  method: string
  /** path and query string, sent verbatim */
  url: string
  headers: Record<string, string>
  body?: string | Buffer
}

export interface FuzzResponse {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

/** The status of a request whose connection the server closed before a response arrived (HTTP only). */
export const CONNECTION_CLOSED = 0

export interface OracleOptions {
  /** documented 503 codes that are legitimate here (e.g. the job needs live data the fuzz server lacks) */
  allowed503: ReadonlySet<string>
  /** the route's body limit; a larger body must be refused before it is parsed */
  bodyLimitBytes?: number
  /** a 3xx with a Location is correct here (Swagger UI sends the browser to its index page) */
  redirects?: boolean
}

/** A sane request id: what the service echoes or generates (README: "Every response carries x-request-id"). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
/** Statuses a server may answer before reading the body (auth, rate limit, routing, media type; a 400 for the URL). */
const BEFORE_BODY = new Set([401, 403, 404, 413, 415, 429])

/** Every number anywhere in a parsed JSON value (the same walk as test/helper.ts numbersIn). */
export function numbersIn (value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value)
  else if (Array.isArray(value)) for (const v of value) numbersIn(v, out)
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, out)
  return out
}

/** The path of the first null in a parsed JSON value: a serializer writes NaN and Infinity as null. */
export function firstNull (value: unknown, path = ''): string | undefined {
  if (value === null) return path === '' ? '/' : path
  if (typeof value !== 'object') return undefined
  for (const [key, v] of Object.entries(value)) {
    const found = firstNull(v, `${path}/${key}`)
    if (found !== undefined) return found
  }
  return undefined
}

function bodyOverLimit (req: FuzzRequest, options: OracleOptions): boolean {
  return options.bodyLimitBytes !== undefined && req.body !== undefined && Buffer.byteLength(req.body) > options.bodyLimitBytes
}

function header (res: FuzzResponse, name: string): string | undefined {
  const value = res.headers[name]
  return Array.isArray(value) ? value.join(',') : value === undefined ? undefined : String(value)
}

function errorBodyProblem (status: number, body: Record<string, unknown>): string | undefined {
  for (const key of ['code', 'field', 'rule', 'message'] as const) {
    if (typeof body[key] !== 'string') return `error body without a string ${key}`
  }
  if (body.statusCode !== status) return `error body statusCode ${String(body.statusCode)} differs from HTTP ${status}`
  if (!isErrorCode(body.code)) return `undocumented error code ${String(body.code)}`
  const documented = statusCodeOf(body.code)
  if (documented !== status) return `${body.code} is documented as ${documented}, answered ${status}`
  return undefined
}

/**
 * What is wrong with a response, or undefined. The contract (README "Errors", the fuzz issue):
 * only 2xx and 4xx (or a 503 this environment explains), a JSON body whenever it is an error or
 * says it is JSON, every number finite and no null standing in for one, every 4xx naming code,
 * field and rule, an x-request-id on every response, and no body over the route's limit parsed.
 */
export function responseProblem (req: FuzzRequest, res: FuzzResponse, options: OracleOptions): string | undefined {
  const status = res.statusCode
  if (status === CONNECTION_CLOSED) return bodyOverLimit(req, options) ? undefined : `the connection closed without a response (${res.body})`
  const requestId = header(res, 'x-request-id')
  if (requestId === undefined || !REQUEST_ID.test(requestId)) return `x-request-id missing or unsafe: ${JSON.stringify(requestId)}`
  const is2xx = status >= 200 && status < 300
  if (options.redirects === true && status >= 300 && status < 400) return header(res, 'location') === undefined ? `status ${status} without a location` : undefined
  if (!is2xx && !(status >= 400 && status < 500) && status !== 503) return `status ${status}`
  if (req.method === 'HEAD') return undefined
  const contentType = header(res, 'content-type') ?? ''
  if (is2xx && !contentType.startsWith('application/json')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(res.body)
  } catch {
    return `status ${status} with a body that is not JSON (content-type ${JSON.stringify(contentType)}): ${res.body.slice(0, 200)}`
  }
  if (!is2xx) {
    if (parsed === null || typeof parsed !== 'object') return `error body is not an object: ${res.body.slice(0, 200)}`
    const problem = errorBodyProblem(status, parsed as Record<string, unknown>)
    if (problem !== undefined) return `${problem}: ${res.body.slice(0, 300)}`
    const { code, field } = parsed as { code: string, field: string }
    if (bodyOverLimit(req, options) && !BEFORE_BODY.has(status) && status !== 503 && field !== 'url') {
      return `a ${Buffer.byteLength(req.body ?? '')}-byte body over the route's ${options.bodyLimitBytes ?? 0}-byte limit was read (${status} ${code}, expected 413)`
    }
    return status === 503 && !options.allowed503.has(code) ? `status 503 ${code}` : undefined
  }
  if (bodyOverLimit(req, options)) return `a ${Buffer.byteLength(req.body ?? '')}-byte body over the route's ${options.bodyLimitBytes ?? 0}-byte limit was accepted (status ${status})`
  if (!numbersIn(parsed).every(Number.isFinite)) return `a non-finite number in ${res.body.slice(0, 300)}`
  const nullAt = firstNull(parsed)
  if (nullAt !== undefined) return `null at ${nullAt} (a NaN or Infinity serialized): ${res.body.slice(0, 300)}`
  return undefined
}
