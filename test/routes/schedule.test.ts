import t from 'tap'
import { build, post, numbersIn, hasNoNull } from '../helper.js'

// Almgren & Chriss (2000), section 4 example: X = 1e6 shares, T = 5 days, N = 5, sigma = 0.95 $/share/day^0.5,
// gamma = 2.5e-7, eta = 2.5e-6, epsilon = 1/16, lambda = 1e-6.
const paper = { side: 'sell', qtyBase: 1e6, horizonDays: 5, periods: 5, riskAversion: 1e-6, volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 1 / 16 }

t.test('POST /v1/schedule: the paper example is front-loaded, sums to the order and ends flat', async (t) => {
  const app = await build(t)
  const res = await post(app, '/v1/schedule', paper)
  t.equal(res.statusCode, 200, res.body)
  const s = res.json()
  t.equal(s.holdings.length, 6)
  t.equal(s.trades.length, 5)
  t.equal(s.timesDays.length, 6)
  t.equal(s.holdings[0], 1e6)
  t.equal(s.holdings[5], 0)
  const sum = s.trades.reduce((a: number, b: number) => a + b, 0)
  t.ok(Math.abs(sum - 1e6) < 1e-6, 'trades sum to X')
  for (let j = 1; j < s.trades.length; j++) t.ok(s.trades[j] < s.trades[j - 1], 'risk-averse schedule trades less each period')
  // the discrete kappa solves (2/tau^2)(cosh(kappa tau) - 1) = kappaTilde^2 (paper eq. for kappa), 1e-12 relative
  const lhs = 2 / s.tauDays ** 2 * (Math.cosh(s.kappa * s.tauDays) - 1)
  t.ok(Math.abs(lhs - s.kappaTilde ** 2) <= 1e-12 * s.kappaTilde ** 2)
  t.ok(Math.abs(s.halfLifeDays - 1 / s.kappa) < 1e-12)
  t.equal(s.stdCostQuote, Math.sqrt(s.varianceQuote2))
  t.same(s.parameters.source, { volQuote: 'request', permanentImpact: 'request', temporaryImpact: 'request', halfSpreadQuote: 'request' })
  t.ok(numbersIn(s).every(Number.isFinite) && hasNoNull(res.body))
})

t.test('strategy twap equals the closed-form TWAP cost and variance', async (t) => {
  const app = await build(t)
  const s = (await post(app, '/v1/schedule', { ...paper, strategy: 'twap' })).json()
  const { qtyBase: X, horizonDays: T, periods: N, volQuote: sigma, permanentImpact: gamma, temporaryImpact: eta, halfSpreadQuote: eps } = paper
  const tau = T / N
  const etaTilde = eta - gamma * tau / 2
  // TWAP closed forms: E = gamma X^2/2 + eps X + etaTilde X^2 / T; V = sigma^2 tau X^2 (N-1)(2N-1)/(6N)
  const E = gamma * X * X / 2 + eps * X + etaTilde * X * X / T
  const V = sigma * sigma * tau * X * X * (N - 1) * (2 * N - 1) / (6 * N)
  t.ok(Math.abs(s.expectedCostQuote - E) <= 1e-10 * E, `E ${s.expectedCostQuote} vs ${E}`)
  t.ok(Math.abs(s.varianceQuote2 - V) <= 1e-10 * V, `V ${s.varianceQuote2} vs ${V}`)
  t.equal(s.kappa, 0)
  t.notOk('halfLifeDays' in s, 'no half-life without urgency')
  const zeroLambda = (await post(app, '/v1/schedule', { ...paper, riskAversion: 0 })).json()
  t.same(zeroLambda.holdings, s.holdings, 'lambda = 0 is TWAP')
})

t.test('buys mirror sells: same schedule, same cost', async (t) => {
  const app = await build(t)
  const sell = (await post(app, '/v1/schedule', paper)).json()
  const buy = (await post(app, '/v1/schedule', { ...paper, side: 'buy' })).json()
  t.same(buy.holdings, sell.holdings)
  t.equal(buy.expectedCostQuote, sell.expectedCostQuote)
  t.equal(buy.varianceQuote2, sell.varianceQuote2)
})

t.test('parameters "rules-of-thumb": a symbol supplies the linear parameters by the paper\'s equity conventions', async (t) => {
  const app = await build(t)
  const res = await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 100, horizonDays: 1, periods: 24, riskAversion: 1e-6, parameters: 'rules-of-thumb' })
  t.equal(res.statusCode, 200, res.body)
  const s = res.json()
  const market = JSON.parse((await import('node:fs')).readFileSync('embedded/market-state.json', 'utf8')).symbols.BTCUSDT
  const spreadQuote = market.spreadBps.value / 1e4 * market.priceQuote.value
  t.ok(Math.abs(s.parameters.volQuote - market.volDaily.value * market.priceQuote.value) < 1e-9 * s.parameters.volQuote)
  t.ok(Math.abs(s.parameters.halfSpreadQuote - spreadQuote / 2) < 1e-12)
  t.ok(Math.abs(s.parameters.temporaryImpact - spreadQuote / (0.01 * market.advBase.value)) < 1e-9 * s.parameters.temporaryImpact)
  t.ok(Math.abs(s.parameters.permanentImpact - spreadQuote / (0.1 * market.advBase.value)) < 1e-9 * s.parameters.permanentImpact)
  t.match(s.parameters.source.temporaryImpact, /rule of thumb|ADV/)
  t.ok(s.expectedCostBps > 0)
  const override = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 100, horizonDays: 1, periods: 24, riskAversion: 1e-6, temporaryImpact: 1e-3 })).json()
  t.equal(override.parameters.temporaryImpact, 1e-3)
  t.equal(override.parameters.source.temporaryImpact, 'request')
  // an explicit linear model without permanentImpact has none (the rule of thumb only on request)
  t.equal(override.parameters.permanentImpact, 0)
  t.match(override.parameters.source.permanentImpact, /default: 0/)
  const onlyPermanent = await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 100, horizonDays: 1, periods: 24, riskAversion: 1e-6, permanentImpact: 1e-6 })
  t.equal(onlyPermanent.statusCode, 422)
  t.equal(onlyPermanent.json().field, 'body/temporaryImpact')
})

t.test('schedule bad input: 4xx naming the field and the rule', async (t) => {
  const app = await build(t)
  const cases: Array<[string, unknown, number, string]> = [
    ['periods 0', { ...paper, periods: 0 }, 400, 'body/periods'],
    ['periods over 10,000', { ...paper, periods: 10_001 }, 400, 'body/periods'],
    ['periods fractional', { ...paper, periods: 2.5 }, 400, 'body/periods'],
    ['negative lambda', { ...paper, riskAversion: -1 }, 400, 'body/riskAversion'],
    ['horizon zero', { ...paper, horizonDays: 0 }, 400, 'body/horizonDays'],
    ['etaTilde <= 0', { ...paper, permanentImpact: 1e-3 }, 422, 'body/temporaryImpact'],
    ['no symbol and no parameters', { side: 'buy', qtyBase: 1, horizonDays: 1, periods: 2, riskAversion: 0 }, 422, 'body/symbol'],
    ['linear model without symbol or volQuote', { side: 'buy', qtyBase: 1, horizonDays: 1, periods: 2, riskAversion: 0, temporaryImpact: 1e-3 }, 422, 'body/volQuote'],
    ['unknown symbol', { symbol: 'NOPEUSDT', side: 'buy', qtyBase: 1, horizonDays: 1, periods: 2, riskAversion: 0 }, 422, 'body/symbol']
  ]
  for (const [name, payload, status, field] of cases) {
    const res = await post(app, '/v1/schedule', payload)
    t.equal(res.statusCode, status, `${name}: ${res.body}`)
    t.equal(res.json().field, field, `${name}: field`)
    t.ok(res.json().rule.length > 0, `${name}: rule`)
  }
  const eta = (await post(app, '/v1/schedule', { ...paper, permanentImpact: 1e-3 })).json()
  t.match(eta.message, /temporaryImpact/)
  t.match(eta.message, /permanentImpact/)
})

t.test('a very urgent schedule (kappa T = 2000) stays finite', async (t) => {
  const app = await build(t)
  // kappaTilde = sqrt(lambda sigma^2 / etaTilde); with tau tiny, kappa ~ kappaTilde: pick lambda for kappaTilde * T = 2000
  const etaTilde = paper.temporaryImpact - paper.permanentImpact * (5 / 10_000) / 2
  const lambda = (2000 / 5) ** 2 * etaTilde / paper.volQuote ** 2
  const res = await post(app, '/v1/schedule', { ...paper, periods: 10_000, riskAversion: lambda })
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const s = res.json()
  t.ok(s.kappa * 5 > 1900)
  t.ok(numbersIn(s).every(Number.isFinite) && hasNoNull(res.body))
  t.equal(s.holdings[10_000], 0)
})

t.test('POST /v1/schedule/frontier: E rises and V falls with lambda', async (t) => {
  const app = await build(t)
  const { riskAversion: _, ...inputs } = paper
  const res = await post(app, '/v1/schedule/frontier', { ...inputs, count: 15 })
  t.equal(res.statusCode, 200, res.body)
  const points = res.json().points
  t.equal(points.length, 15)
  for (let i = 1; i < points.length; i++) {
    t.ok(points[i].riskAversion > points[i - 1].riskAversion)
    t.ok(points[i].expectedCostQuote >= points[i - 1].expectedCostQuote, 'E non-decreasing')
    t.ok(points[i].varianceQuote2 <= points[i - 1].varianceQuote2, 'V non-increasing')
  }
  const explicitGrid = (await post(app, '/v1/schedule/frontier', { ...inputs, riskAversions: [0, 1e-6] })).json()
  const single = (await post(app, '/v1/schedule', paper)).json()
  t.equal(explicitGrid.points[1].expectedCostQuote, single.expectedCostQuote, 'frontier point = schedule at that lambda')
  const bad = await post(app, '/v1/schedule/frontier', { ...inputs, minRiskAversion: 1, maxRiskAversion: 0.5 })
  t.equal(bad.statusCode, 422)
  t.equal(bad.json().field, 'body/maxRiskAversion')
})

t.test('qtyStep rounds child orders to the lot size, carrying the remainder', async (t) => {
  const app = await build(t)
  const res = await post(app, '/v1/schedule', { ...paper, qtyBase: 10, periods: 7, qtyStep: '0.001', minOrderQty: 0.001 })
  t.equal(res.statusCode, 200, res.body)
  const s = res.json()
  t.equal(s.lotSize.source, 'request')
  // every child a multiple of 0.001 (exact decimal strings), the children sum to exactly 10
  let totalMilli = 0
  for (const x of s.lotSize.tradesExact) {
    t.match(x, /^\d+(\.\d{1,3})?$/)
    totalMilli += Math.round(Number(x) * 1000)
  }
  t.equal(totalMilli, 10_000, 'no drift: rounded children sum to the order')
  t.equal(s.lotSize.residualBase, 0)
  t.equal(s.holdings[0], 10)
  t.equal(s.holdings[7], 0)
  for (let j = 1; j <= 7; j++) t.ok(Math.abs(s.holdings[j - 1] - s.trades[j - 1] - s.holdings[j]) < 1e-9, 'holdings follow the rounded trades')
  const bad = await post(app, '/v1/schedule', { ...paper, qtyStep: '0' })
  t.equal(bad.statusCode, 422)
  t.equal(bad.json().field, 'body/qtyStep')
  const malformed = await post(app, '/v1/schedule', { ...paper, qtyStep: '1e-3' })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().field, 'body/qtyStep')
})

t.test('issue 14: twap and vwap need no riskAversion; optimal (the default) is a 422 naming it', async (t) => {
  const app = await build(t)
  const { riskAversion: _, ...linear } = paper
  const linearTwap = await post(app, '/v1/schedule', { ...linear, strategy: 'twap' })
  t.equal(linearTwap.statusCode, 200, `linear model, twap: ${linearTwap.body}`)
  t.equal(linearTwap.json().strategy, 'twap')
  t.equal(linearTwap.json().riskAversion, undefined, 'no lambda is reported for a schedule that used none')
  t.same(linearTwap.json().trades, [2e5, 2e5, 2e5, 2e5, 2e5], 'equal child orders')
  const withLambda = (await post(app, '/v1/schedule', { ...paper, strategy: 'twap' })).json()
  t.same(linearTwap.json().trades, withLambda.trades, 'lambda changes nothing in a twap')

  const btc = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 20, horizonDays: 0.25, periods: 24, startMs: Date.UTC(2026, 0, 5, 13, 0) }
  for (const strategy of ['twap', 'vwap']) {
    const res = await post(app, '/v1/schedule', { ...btc, strategy })
    t.equal(res.statusCode, 200, `execution model, ${strategy}: ${res.body}`)
    t.equal(res.json().strategy, strategy)
    t.ok(res.json().expectedCostBps > 0 && res.json().expectedCostBps < 100, `${strategy}: ${res.json().expectedCostBps} bps`)
    t.equal(res.json().objectiveQuote, undefined, 'no E + lambda * V without a lambda')
  }
  for (const [name, body] of [['execution model', btc], ['execution model, explicit optimal', { ...btc, strategy: 'optimal' }], ['linear model', linear]] as const) {
    const res = await post(app, '/v1/schedule', body)
    t.equal(res.statusCode, 422, `${name}: ${res.body}`)
    t.same([res.json().field, res.json().rule], ['body/riskAversion', 'required with strategy "optimal" (the default)'], name)
  }
})

t.test('issue 14: qtyStep may be a JSON number, converted exactly as the decimal it is written as', async (t) => {
  const app = await build(t)
  const asString = (await post(app, '/v1/schedule', { ...paper, qtyBase: 10, periods: 7, qtyStep: '0.001' })).json()
  const asNumber = await post(app, '/v1/schedule', { ...paper, qtyBase: 10, periods: 7, qtyStep: 0.001 })
  t.equal(asNumber.statusCode, 200, asNumber.body)
  t.equal(asNumber.json().lotSize.qtyStep, '0.001', 'reported as the decimal string 0.001, not the binary expansion of the double')
  t.same(asNumber.json().lotSize.tradesExact, asString.lotSize.tradesExact, 'the same child orders as the string "0.001"')
  const tiny = (await post(app, '/v1/schedule', { ...paper, qtyBase: 1, periods: 3, qtyStep: 1e-7 })).json()
  t.equal(tiny.lotSize.qtyStep, '0.0000001', 'an exponent form is expanded exactly')
  const execution = await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, horizonDays: 0.25, periods: 7, strategy: 'twap', qtyStep: 0.001 })
  t.equal(execution.statusCode, 200, execution.body)
  t.equal(execution.json().lotSize.qtyStep, '0.001', 'the execution model takes a number too')
  for (const bad of [-1, 0]) {
    const res = await post(app, '/v1/schedule', { ...paper, qtyStep: bad })
    t.equal(res.statusCode, 400, `qtyStep ${bad}`)
    t.same([res.json().field, res.json().rule], ['body/qtyStep', 'anyOf'])
    t.match(res.json().message, /must be > 0/, `qtyStep ${bad}: ${res.json().message}`)
  }
})
