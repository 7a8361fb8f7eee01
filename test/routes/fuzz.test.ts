import t from 'tap'
import { build } from '../helper.js'
import {
  DEPENDENCY_503_CODES, FUZZ_ADMIN_KEY, FUZZ_ENV, bodyLimitsFor, formatReport, fuzzEndpoint, injectSender, probeServer,
  prototypeSnapshot, type Send
} from '../../scripts/lib/fuzz-driver.js'
import { noRouteSpec, routesOf, specsFromOpenApi, uncoveredRoutes, undocumentedSpecs, type EndpointSpec } from '../../scripts/lib/fuzz-endpoints.js'
import { responseProblem, type FuzzRequest, type FuzzResponse } from '../../scripts/lib/fuzz-oracle.js'
import { loadConfig } from '../../src/config.js'

// The seeded run of `npm run fuzz` (scripts/fuzz.ts): every endpoint, random and hostile requests,
// a fixed seed and CASES per endpoint. A failure prints the counterexample and the replay command.
const SEED = 20_261_122
const CASES = 300
const allowed503 = new Set(DEPENDENCY_503_CODES)
const prototypeBefore = prototypeSnapshot()

const app = await build(t, FUZZ_ENV)
const send = injectSender(app)
const { doc, knownSymbols, baseline } = await probeServer(send)
const specs: EndpointSpec[] = [
  ...specsFromOpenApi(doc, { knownSymbols, adminKey: FUZZ_ADMIN_KEY, bodyLimitBytes: bodyLimitsFor(loadConfig(FUZZ_ENV)) }),
  ...undocumentedSpecs(),
  noRouteSpec()
]

t.test('every route of the app has a fuzz generator', async (t) => {
  const routes = routesOf(app)
  // the route tree parses into real routes (else the check below would pass on an empty list)
  for (const route of ['POST /v1/estimate', 'POST /v1/models/:symbol/rollback', 'GET /metrics', 'HEAD /health', 'GET /docs/static/*']) {
    t.ok(routes.includes(route), `${route} is listed`)
  }
  t.same(uncoveredRoutes(routes, specs), [], 'no route without a generator')
  t.same(uncoveredRoutes([...routes, 'POST /v1/new-thing'], specs), ['POST /v1/new-thing'], 'a new route is reported')
})

t.test('the oracle flags what the issue forbids', async (t) => {
  const req: FuzzRequest = { method: 'POST', url: '/v1/estimate', headers: {}, body: '{}' }
  const json = (statusCode: number, body: string, headers: Record<string, string> = { 'x-request-id': 'r1' }): FuzzResponse =>
    ({ statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body })
  const error = (statusCode: number, code: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ statusCode, code, error: 'x', field: 'body/qtyBase', rule: 'type', message: 'm', ...extra })
  const options = { allowed503 }
  t.equal(responseProblem(req, json(200, '{"totalCostBps":1.5,"warnings":[]}'), options), undefined, 'a finite 200 passes')
  t.equal(responseProblem(req, json(400, error(400, 'PRETRADE_ERR_VALIDATION')), options), undefined, 'a documented 400 passes')
  t.match(responseProblem(req, json(500, error(500, 'PRETRADE_ERR_INTERNAL')), options), /status 500/, '500')
  t.match(responseProblem(req, json(200, '{"impactBps":1e999}'), options), /non-finite/, 'Infinity (1e999 parses to it)')
  t.match(responseProblem(req, json(200, '{"impactBps":NaN}'), options), /not JSON/, 'NaN is not JSON')
  t.match(responseProblem(req, json(200, '{"impactBps":null}'), options), /null at \/impactBps/, 'null in place of a number')
  t.match(responseProblem(req, json(400, error(400, 'PRETRADE_ERR_VALIDATION', { field: undefined })), options), /without a string field/, '4xx without field')
  t.match(responseProblem(req, json(400, error(400, 'PRETRADE_ERR_VALIDATION', { rule: 7 })), options), /without a string rule/, '4xx without rule')
  t.match(responseProblem(req, json(400, error(400, 'FST_ERR_BAD_URL')), options), /undocumented error code/, 'Fastify\'s own code')
  t.match(responseProblem(req, json(422, error(400, 'PRETRADE_ERR_VALIDATION')), options), /differs from HTTP 422/, 'statusCode mismatch')
  t.match(responseProblem(req, json(200, '{}', {}), options), /x-request-id/, 'no x-request-id')
  t.match(responseProblem(req, json(302, ''), options), /status 302/, 'a redirect where none is expected')
  t.match(responseProblem(req, json(503, error(503, 'PRETRADE_ERR_JOB_UNAVAILABLE')), { allowed503: new Set() }), /status 503/, 'a 503 not explained here')
  t.equal(responseProblem(req, json(503, error(503, 'PRETRADE_ERR_JOB_UNAVAILABLE')), options), undefined, 'the job\'s documented 503 without live data')
  const big = { ...req, body: 'x'.repeat(11) }
  t.match(responseProblem(big, json(400, error(400, 'PRETRADE_ERR_BAD_JSON')), { allowed503, bodyLimitBytes: 10 }), /over the route's 10-byte limit was read/, 'an oversize body parsed')
  t.equal(responseProblem(big, json(413, error(413, 'PRETRADE_ERR_BODY_TOO_LARGE')), { allowed503, bodyLimitBytes: 10 }), undefined, 'an oversize body refused')
})

t.test('a URL the router cannot decode, or a too-long path parameter, gets the documented 400 (found by the fuzzer)', async (t) => {
  for (const url of ['/v1/models/%E0%A4%A/rollback', `/v1/models/${'A'.repeat(101)}/rollback`]) {
    const res = await app.inject({ method: 'POST', url, headers: { 'x-api-key': FUZZ_ADMIN_KEY, 'x-request-id': 'bad-url-1' } })
    t.equal(res.statusCode, 400, url.slice(0, 40))
    t.match(res.json(), { code: 'PRETRADE_ERR_VALIDATION', field: 'url', rule: String })
    t.equal(res.headers['x-request-id'], 'bad-url-1', 'answered before any hook, yet with the request id')
  }
})

t.test('the driver reports a failure with its seed and a replayable counterexample', async (t) => {
  const spec = specs.find((s) => s.name === 'POST /v1/estimate')
  if (spec === undefined) throw new Error('no estimate spec')
  // a fabricated server that answers 500 to every sell: the run must fail and shrink to one
  const broken: Send = async (req) => {
    const sell = typeof req.body === 'string' && req.body.includes('"sell"')
    return sell ? { statusCode: 500, headers: { 'x-request-id': 'r' }, body: '{}' } : await send(req)
  }
  const report = await fuzzEndpoint(spec, broken, baseline, { numRuns: CASES, seed: SEED, allowed503 })
  t.match(report.failure?.message, /status 500/)
  t.equal(report.failure?.seed, SEED)
  t.match(String(report.failure?.counterexample.body), /"sell"/)
  t.match(formatReport(report), /replay: npm run fuzz -- --endpoint 'POST \/v1\/estimate' --seed 20261122 --path '/)
  const replay = await fuzzEndpoint(spec, broken, baseline, { numRuns: CASES, seed: SEED, path: report.failure?.path ?? '', allowed503 })
  t.same(replay.failure?.counterexample, report.failure?.counterexample, 'the path replays the same counterexample')
})

/** Endpoints whose fuzzing must reach the maths: at least one 2xx and one 4xx in the seeded run. */
const REACHES_2XX = new Set(['POST /v1/estimate', 'POST /v1/estimate/batch', 'POST /v1/schedule', 'POST /v1/schedule/frontier', 'POST /v1/tca', 'POST /v1/pretrade/check'])

for (const spec of specs) {
  t.test(`${spec.name}: ${CASES} seeded random and hostile requests`, async (t) => {
    const report = await fuzzEndpoint(spec, send, baseline, { numRuns: CASES, seed: SEED, allowed503 })
    t.equal(report.failure, undefined, formatReport(report))
    t.equal(report.cases, CASES)
    t.same(report.health, [], 'healthy afterwards: /health 200 and the known-good estimate unchanged')
    if (REACHES_2XX.has(spec.name)) {
      const statuses = Object.keys(report.statuses).map(Number)
      t.ok(statuses.some((s) => s >= 200 && s < 300), `some requests succeed (${formatReport(report)})`)
      t.ok(statuses.some((s) => s >= 400 && s < 500), 'some are refused')
    }
  })
}

t.test('Object.prototype and Array.prototype are untouched after every run', async (t) => {
  t.equal(prototypeSnapshot(), prototypeBefore)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})
