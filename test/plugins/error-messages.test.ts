import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loadEmbeddedMarketState, type MarketStateProvider } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import { build, post, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'

/** issue 14 item 10: what a client reads in a 4xx, and what the operator reads in the log. */

const order = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12 }

t.test('an enum error lists the allowed values', async (t) => {
  const app = await build(t)
  const side = await post(app, '/v1/estimate', { ...order, side: 'long' })
  t.equal(side.statusCode, 400)
  t.same([side.json().field, side.json().rule, side.json().message], ['body/side', 'enum', 'body/side must be one of: buy, sell'])
  const strategy = await post(app, '/v1/estimate', { ...order, execution: { strategy: 'iceberg' } })
  t.equal(strategy.json().message, 'body/execution/strategy must be one of: immediate, twap, vwap, pov, optimal')
  const inBatch = await post(app, '/v1/estimate/batch', { orders: [order, { ...order, liquidity: 'both' }] })
  t.equal(inBatch.json().message, 'body/orders/1/liquidity must be one of: taker, maker')
})

t.test('a typo is reported as the unknown field it is, naming the required field it displaced', async (t) => {
  const app = await build(t)
  const { qtyBase, ...rest } = order
  const typo = await post(app, '/v1/estimate', { ...rest, qtyBse: qtyBase })
  t.equal(typo.statusCode, 400)
  t.same([typo.json().field, typo.json().rule], ['body/qtyBse', 'additionalProperties: unknown field'])
  t.equal(typo.json().message, 'body/qtyBse is not a known field (missing: qtyBase)')
  const nestedTypo = await post(app, '/v1/pretrade/check', { order: { ...rest, qtyBse: 1 }, limits: { maxCostBps: 5 } })
  t.same([nestedTypo.json().field, nestedTypo.json().rule], ['body/order/qtyBse', 'additionalProperties: unknown field'])
  const missing = await post(app, '/v1/estimate', rest)
  t.equal(missing.statusCode, 400, 'a genuinely missing field is still reported as missing')
  t.same([missing.json().field, missing.json().rule], ['body/qtyBase', 'required'])
  const unknownOnly = await post(app, '/v1/estimate', { ...order, volDialy: 0.1 })
  t.same([unknownOnly.json().field, unknownOnly.json().message], ['body/volDialy', 'body/volDialy is not a known field'])
  const twoWrong = await post(app, '/v1/estimate', { ...order, qtyBase: -1 })
  t.same([twoWrong.json().field, twoWrong.json().rule], ['body/qtyBase', 'exclusiveMinimum'], 'other violations keep ajv\'s order')
})

t.test('422 messages name no internal function', async (t) => {
  const app = await build(t)
  const paper = { side: 'sell', qtyBase: 1e6, horizonDays: 5, periods: 5, riskAversion: 1e-6, volQuote: 0.95, halfSpreadQuote: 0.0625 }
  const trade = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execPriceQuote: 84_050, arrivalPriceQuote: 84_000 }
  const cases: Array<[string, string, unknown, string]> = [
    ['tca: ask below bid (resolveSpreadAndMid)', '/v1/tca', { trades: [{ ...trade, bidQuote: 84_001, askQuote: 84_000 }] }, 'body/trades/0/askQuote'],
    ['schedule: a zero lot size (roundTradesToStep)', '/v1/schedule', { ...paper, temporaryImpact: 2.5e-6, qtyStep: '0' }, 'body/qtyStep'],
    ['schedule: etaTilde <= 0 (optimalSchedule)', '/v1/schedule', { ...paper, permanentImpact: 1, temporaryImpact: 1e-6 }, 'body/temporaryImpact'],
    ['estimate: optimal order beyond the participation cap (planExecution)', '/v1/estimate', { ...order, qtyBase: 1e6, execution: { strategy: 'optimal', horizonDays: 1 / 24, riskAversion: 0 } }, 'body/execution/maxParticipation']
  ]
  for (const [name, url, body, field] of cases) {
    const res = await post(app, url, body)
    t.equal(res.statusCode, 422, `${name}: ${res.body}`)
    t.equal(res.json().field, field, name)
    t.notMatch(res.json().message, /^[a-z][A-Za-z0-9]*: /, `${name}: the message does not start with a function name: ${res.json().message}`)
    t.notMatch(res.json().message, /resolveSpreadAndMid|optimalSchedule|planExecution|computeDiscreteKappa|roundTradesToStep|parseDecimal/, name)
  }
})

/** An app on the embedded defaults whose log lines land in `lines`; `market` replaces the market state. */
async function withLog (t: Teardown, lines: Array<Record<string, unknown>>, market?: MarketStateProvider) {
  const config = loadConfig({ LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const stream = new Writable({
    write (chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market: market ?? loadEmbeddedMarketState(config.MARKET_STATE_PATH, config), models, tcaStore: tempTcaStore(t) }, { loggerInstance: pino({ level: 'info' }, stream) })
  t.teardown(async () => await app.close())
  return app
}

const INFO = 30
const WARN = 40
const ERROR = 50

t.test('client errors are logged at info or warn without a stack; server faults at error with one', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const app = await withLog(t, lines)
  const book = await post(app, '/v1/estimate', { ...order, method: 'book' })
  t.equal(book.statusCode, 503, 'method "book" on an embedded server')
  const bookLine = lines.find((l) => l.code === 'PRETRADE_ERR_BOOK_UNAVAILABLE')
  t.equal(bookLine?.level, WARN, 'a documented 503 (the server has no live market data) is a warning')
  t.equal(bookLine?.err, undefined, 'without the error object')
  t.notMatch(JSON.stringify(bookLine), /\n\s+at /, 'and without a stack')
  t.equal(bookLine?.field, 'body/method')

  const bad = await post(app, '/v1/estimate', { ...order, side: 'long' })
  t.equal(bad.statusCode, 400)
  const badLine = lines.find((l) => l.code === 'PRETRADE_ERR_VALIDATION')
  t.same([badLine?.level, badLine?.field, badLine?.err], [INFO, 'body/side', undefined], 'a 400 is info, naming the field, without a stack')
  t.notOk(lines.some((l) => (l.level as number) >= ERROR), 'no client error is logged at error level')

  const broken: MarketStateProvider = { ...loadEmbeddedMarketState('embedded/market-state.json'), get: () => { throw new Error('market state exploded') } }
  const faultLines: Array<Record<string, unknown>> = []
  const faulty = await withLog(t, faultLines, broken)
  const fault = await post(faulty, '/v1/estimate', order)
  t.equal(fault.statusCode, 500)
  const faultLine = faultLines.find((l) => l.level === ERROR)
  t.ok(faultLine !== undefined, 'a server fault is logged at error level')
  const err = faultLine?.err as { message?: string, stack?: string } | undefined
  t.equal(err?.message, 'market state exploded')
  t.match(err?.stack, /\n\s+at /, 'with its stack')
})
