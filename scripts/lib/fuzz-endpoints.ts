import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { FuzzRequest } from './fuzz-oracle.js'
import { mutated, valueFor, type JsonSchema, type SchemaContext } from './fuzz-schema.js'
import { hostileString, rawBody, toJsonText } from './fuzz-values.js'

/**
 * One generator of requests per endpoint. Documented routes get theirs from the OpenAPI
 * document the app serves (path and query parameters, body schema, x-api-key when the route
 * has `security`); the few undocumented ones (/metrics, Swagger UI) are listed here by hand, and
 * `uncoveredRoutes` names any route of the app that neither covers.
 */
export interface EndpointSpec {
  /** the route in Fastify's syntax: `POST /v1/models/:symbol` */
  name: string
  /** the routes it sends requests to (a GET spec sends HEAD too) */
  covers: string[]
  request: fc.Arbitrary<FuzzRequest>
  /** the route's body limit; a larger body must get 413 */
  bodyLimitBytes?: number
  /** Swagger UI redirects to its index page: a 3xx is then correct */
  redirects?: boolean
}

export interface SpecContext {
  /** symbols the server has market state for (most `symbol` values are drawn from these) */
  knownSymbols: string[]
  /** the right x-api-key; without it admin routes are fuzzed with wrong or missing keys only */
  adminKey?: string
  bodyLimitBytes: (route: string) => number | undefined
}

interface OpenApiParameter { in: string, name: string, schema: JsonSchema }
interface OpenApiOperation {
  parameters?: OpenApiParameter[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
  security?: unknown[]
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
  components?: { schemas?: Record<string, JsonSchema> }
}

/** Query strings and path segments stay under Node's 16 KiB header limit, so a real server answers them too. */
const MAX_URL_PART = 2000
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 })

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on a lone surrogate; this does not). */
function percentEncode (value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return [...Buffer.from(value)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
  }
}

const RAW_URL_PARTS = ['', '%', '%zz', '%E0%A4%A', '%00', '..', '%2F', 'a%2Fb', '%2e%2e', '%C0%AF', '+', '%20']

/** A path segment or query value: a valid one, a hostile string, or malformed percent-encoding. */
function urlPart (valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => percentEncode(typeof v === 'string' ? v : JSON.stringify(v))) },
    { weight: 2, arbitrary: hostileString.map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PARTS) }
  ).map((s) => s.slice(0, MAX_URL_PART))
}

const QUERY_ODDITIES = ['', '?', '?&&', '?=', '?a', '?%', '?a=%zz', '?a[b]=1', '?__proto__[polluted]=1', '?constructor[prototype][polluted]=1', '?__proto__=1']

function queryString (params: Array<{ name: string, valid: fc.Arbitrary<unknown> }>): fc.Arbitrary<string> {
  const known = params.map(({ name, valid }) => fc.option(fc.array(urlPart(valid), { minLength: 1, maxLength: 2 }).map((values) => values.map((v) => `${name}=${v}`)), { nil: undefined }))
  const extra = fc.array(fc.tuple(urlPart(printable), urlPart(printable)).map(([k, v]) => `${k}=${v}`), { maxLength: 2 })
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.tuple(...known), extra).map(([k, e]) => { const parts = [...k.flatMap((p) => p ?? []), ...e]; return parts.length > 0 ? `?${parts.join('&')}` : '' }) },
    { weight: 1, arbitrary: fc.constantFrom(...QUERY_ODDITIES) }
  )
}

const CONTENT_TYPES = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'application/json; charset=latin1', 'application/json ; x=y') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/xml', 'application/vnd.api+json', 'application/jsonx', 'json', '*/*', '', '(none)') }
)

/** Bodies one byte over the limit (a long string, or whitespace after `{}`), and a 1 MiB symbol. */
function oversize (limitBytes: number): fc.Arbitrary<string> {
  return fc.constantFrom('string', 'whitespace', 'symbol').map((kind) => {
    if (kind === 'symbol') return `{"symbol":"${'A'.repeat(1024 * 1024)}","side":"buy","qtyBase":1}`
    if (kind === 'whitespace') return '{}' + ' '.repeat(limitBytes - 1)
    return `{"a":"${'A'.repeat(limitBytes - 7)}"}`
  })
}

function bodyArbitrary (schema: JsonSchema | undefined, ctx: SchemaContext, limitBytes: number | undefined): fc.Arbitrary<string | Buffer | undefined> {
  const valid = schema !== undefined ? valueFor(schema, ctx) : fc.jsonValue({ maxDepth: 2 })
  const choices: Array<fc.WeightedArbitrary<string | Buffer | undefined>> = [
    { weight: schema !== undefined ? 6 : 1, arbitrary: mutated(valid).map(toJsonText) },
    { weight: schema !== undefined ? 3 : 1, arbitrary: valid.map(toJsonText) },
    { weight: 1, arbitrary: fc.jsonValue().map(toJsonText) },
    { weight: 1, arbitrary: rawBody },
    { weight: schema !== undefined ? 1 : 4, arbitrary: fc.constant(undefined) }
  ]
  if (limitBytes !== undefined) choices.push({ weight: 1, arbitrary: oversize(limitBytes) })
  return fc.oneof(...choices)
}

function adminKeyHeader (adminKey: string | undefined): fc.Arbitrary<string | undefined> {
  const wrong = fc.constantFrom('wrong-key-0123456789', '', ' ', 'x'.repeat(10_000))
  if (adminKey === undefined) return fc.option(wrong, { nil: undefined })
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(adminKey) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, ` ${adminKey}`, adminKey.toUpperCase(), adminKey.slice(0, -1), `${adminKey}x`) },
    { weight: 1, arbitrary: wrong }
  )
}

interface RequestParts {
  methods: string[]
  /** the path with `{param}` placeholders */
  path: string
  pathParams: Array<{ name: string, valid: fc.Arbitrary<unknown> }>
  queryParams: Array<{ name: string, valid: fc.Arbitrary<unknown> }>
  body: fc.Arbitrary<string | Buffer | undefined>
  apiKey: fc.Arbitrary<string | undefined>
}

function requestArbitrary (parts: RequestParts): fc.Arbitrary<FuzzRequest> {
  const params = parts.pathParams.map(({ valid }) => urlPart(valid))
  return fc.record({
    method: fc.constantFrom(...parts.methods),
    params: fc.tuple(...params),
    query: queryString(parts.queryParams),
    body: parts.body,
    contentType: CONTENT_TYPES,
    apiKey: parts.apiKey,
    requestId: fc.option(printable, { nil: undefined })
  }).map(({ method, params: values, query, body, contentType, apiKey, requestId }) => {
    let path = parts.path
    parts.pathParams.forEach(({ name }, i) => { path = path.replace(`{${name}}`, values[i]) })
    const headers: Record<string, string> = {}
    if (body !== undefined && contentType !== '(none)') headers['content-type'] = contentType
    if (apiKey !== undefined) headers['x-api-key'] = apiKey
    if (requestId !== undefined) headers['x-request-id'] = requestId
    return { method, url: path + query, headers, ...(body !== undefined ? { body } : {}) }
  })
}

/**
 * Most values of these fields are drawn from here, so that most requests reach the maths: symbols the
 * server knows, the model (method "book" needs live data), a bid below the ask, a fee that is not absurd.
 */
const hintsFor = (knownSymbols: string[]): Record<string, fc.Arbitrary<unknown>> => ({
  symbol: fc.constantFrom(...knownSymbols),
  method: fc.constant('model'),
  bidQuote: fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
  askQuote: fc.double({ min: 1e4, max: 1e9, noNaN: true }),
  feeQuote: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  // an execution window that closes after it opens, within days
  startMs: fc.integer({ min: 1_790_000_000_000, max: 1_799_999_999_999 }),
  endMs: fc.integer({ min: 1_800_000_000_000, max: 1_800_100_000_000 })
})

/** A spec for every operation of the OpenAPI document. */
export function specsFromOpenApi (doc: OpenApiDocument, ctx: SpecContext): EndpointSpec[] {
  const schemaCtx: SchemaContext = { components: doc.components?.schemas ?? {}, hints: hintsFor(ctx.knownSymbols) }
  const specs: EndpointSpec[] = []
  for (const [path, operations] of Object.entries(doc.paths)) {
    const route = path.replace(/\{(\w+)\}/g, ':$1')
    for (const [lower, op] of Object.entries(operations)) {
      const method = lower.toUpperCase()
      const name = `${method} ${route}`
      const bodyLimitBytes = ctx.bodyLimitBytes(name)
      const param = (where: string) => (op.parameters ?? []).filter((p) => p.in === where).map((p) => ({ name: p.name, valid: valueFor(p.schema, schemaCtx, p.name) }))
      const schema = op.requestBody?.content?.['application/json']?.schema
      const methods = method === 'GET' ? ['GET', 'GET', 'GET', 'HEAD'] : [method]
      specs.push({
        name,
        covers: [...new Set(methods)].map((m) => `${m} ${route}`),
        bodyLimitBytes,
        request: requestArbitrary({
          methods,
          path,
          pathParams: param('path'),
          queryParams: param('query'),
          body: method === 'GET' ? fc.constant(undefined) : bodyArbitrary(schema, schemaCtx, bodyLimitBytes),
          apiKey: op.security !== undefined ? adminKeyHeader(ctx.adminKey) : fc.constant(undefined)
        })
      })
    }
  }
  return specs
}

const STATIC_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'index.css', 'favicon-32x32.png', 'nope.js', '../../package.json', '..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', '....//....//package.json', '%00', '%', 'a/b/c']

/** The quant view's files (src/routes/ui.ts) and uPlot's, then the hostile names of STATIC_FILES. */
const UI_FILES = ['main.js', 'panel-cost.js', 'quant-view.css', 'uPlot.iife.min.js', 'uPlot.min.css', 'index.html', ...STATIC_FILES]

/** Routes the OpenAPI document hides (metrics, Swagger UI, the quant view): GET and HEAD with odd query strings; for a file parameter, odd file names. */
export const UNDOCUMENTED_ROUTES = ['/metrics', '/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/static/*', '/ui', '/ui/', '/ui/:file', '/ui/vendor/:file']

export function undocumentedSpecs (): EndpointSpec[] {
  return UNDOCUMENTED_ROUTES.map((route) => {
    const file = /\*$|:file$/
    const suffix = file.test(route) ? urlPart(fc.constantFrom(...(route.startsWith('/ui') ? UI_FILES : STATIC_FILES))) : fc.constant('')
    return {
      name: `GET ${route}`,
      covers: [`GET ${route}`, `HEAD ${route}`],
      // Swagger UI and the quant view redirect to their index pages (an empty or dot-dot file name reaches /ui/)
      redirects: route.startsWith('/docs') || route.startsWith('/ui'),
      request: fc.record({ method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD'), suffix, query: queryString([]) })
        .map(({ method, suffix: s, query }) => ({ method, url: route.replace(file, s) + query, headers: {} }))
    }
  })
}

/** Requests to no route: other methods on real paths, random paths, hostile segments. */
export function noRouteSpec (): EndpointSpec {
  const path = fc.oneof(
    fc.webPath().map((p) => p.startsWith('/') ? p : `/${p}`),
    fc.constantFrom('/v1/estimate', '/health', '/v1/models/BTCUSDT', '/v1', '/v1/', '//v1/estimate', '/V1/ESTIMATE', '/v1/estimate/', '/v1/estimate/batch/x'),
    urlPart(hostileString).map((s) => `/v1/${s}`)
  )
  return {
    name: '* (no such route)',
    covers: [],
    request: fc.record({ method: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'GET', 'POST'), path, body: fc.option(fc.jsonValue().map(toJsonText), { nil: undefined }) })
      .map(({ method, path: p, body }): FuzzRequest => ({ method, url: p.slice(0, MAX_URL_PART), headers: body !== undefined ? { 'content-type': 'application/json' } : {}, ...(body !== undefined && method !== 'GET' ? { body } : {}) }))
  }
}

const TREE_LINE = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/

/** Every `METHOD path` the app serves, from Fastify's route tree (printRoutes). */
export function routesOf (app: FastifyInstance): string[] {
  const stack: string[] = []
  const routes: string[] = []
  for (const line of app.printRoutes().split('\n')) {
    const match = TREE_LINE.exec(line)
    if (match === null) continue
    const depth = match[1].length / 4
    stack.length = depth
    stack.push(match[2])
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${stack.join('')}`)
  }
  return [...new Set(routes)].sort()
}

/** Routes of the app no spec sends requests to. */
export function uncoveredRoutes (routes: string[], specs: EndpointSpec[]): string[] {
  const covered = new Set(specs.flatMap((s) => s.covers))
  return routes.filter((r) => !covered.has(r))
}
