import t from 'tap'
import { STATUS_CODES } from 'node:http'
import { codes, errorBody, isErrorCode, overloaded, rateLimited, shuttingDown, statusCodeOf, unknownSymbol, withDetails } from '../src/errors.js'

t.test('every code is declared once, under its own name, with a 4xx or 5xx status', async (t) => {
  for (const [name, ApiError] of Object.entries(codes)) {
    const err = new ApiError()
    t.equal(err.code, name)
    t.match(name, /^PRETRADE_ERR_[A-Z_]+$/)
    t.ok(err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600, `${name} has an error status`)
    t.equal(statusCodeOf(name as keyof typeof codes), err.statusCode)
    t.ok(isErrorCode(name))
  }
  t.notOk(isErrorCode('FST_ERR_BAD_URL'))
  t.notOk(isErrorCode('toString'))
})

t.test('errorBody renders { statusCode, code, error, field, rule, message } in that order', async (t) => {
  const out = errorBody(unknownSymbol('body/symbol', 'XYZ', ['advBase', 'volDaily']))
  t.same(Object.keys(out), ['statusCode', 'code', 'error', 'field', 'rule', 'message'])
  t.same(out, {
    statusCode: 422,
    code: 'PRETRADE_ERR_UNKNOWN_SYMBOL',
    error: STATUS_CODES[422],
    field: 'body/symbol',
    rule: 'known symbol, or explicit advBase, volDaily',
    message: 'symbol "XYZ" has no market state; send advBase, volDaily or use a known symbol'
  })
  t.same(Object.keys(errorBody(new codes.PRETRADE_ERR_NOT_READY())), ['statusCode', 'code', 'error', 'message'], 'no field or rule when the error has none')
})

t.test('withDetails adds field and rule to the error itself', async (t) => {
  const err = new codes.PRETRADE_ERR_UNPROCESSABLE('m')
  t.equal(withDetails(err, 'body/x', 'r'), err)
  t.match(err, { field: 'body/x', rule: 'r', message: 'm', statusCode: 422 })
})

t.test('the shutdown body is what it was before the catalogue rendered it', async (t) => {
  t.equal(JSON.stringify(errorBody(shuttingDown())), JSON.stringify({ statusCode: 503, code: 'PRETRADE_ERR_SHUTTING_DOWN', error: 'Service Unavailable', field: 'server', rule: 'the server must be running', message: 'this replica is shutting down; the request was not processed: retry' }))
})

t.test('the load-shedding and rate-limit bodies are what they were when written by hand', async (t) => {
  const rule = 'eventLoopDelay must stay under MAX_EVENT_LOOP_DELAY_MS = 500 ms'
  t.equal(JSON.stringify(errorBody(overloaded(rule, ' (1439 ms)', 2))), JSON.stringify({ statusCode: 503, code: 'PRETRADE_ERR_OVERLOADED', error: 'Service Unavailable', field: 'server', rule, message: 'this replica is overloaded (1439 ms); retry after 2 s or on another replica' }))
  t.equal(errorBody(overloaded(rule, '', 3)).message, 'this replica is overloaded; retry after 3 s or on another replica')
  t.same(errorBody(rateLimited(30, '1 minute')), { statusCode: 429, code: 'PRETRADE_ERR_RATE_LIMITED', error: 'Too Many Requests', field: 'headers/x-api-key', rule: 'at most 30 admin requests per 1 minute', message: 'more than 30 admin requests in 1 minute from this address' })
})
