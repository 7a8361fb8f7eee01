import t from 'tap'
import { build, post, numbersIn, hasNoNull } from '../helper.js'

// Inputs the schemas accept but whose derived costs overflow a double: each found by `npm run fuzz`
// (scripts/fuzz.ts). The answer is a 422 naming the field to change, never a 500 or a null number.

t.test('estimate: an advBase so small that qtyBase / advBase overflows is a 422 on advBase, buy and sell', async (t) => {
  const app = await build(t)
  for (const side of ['buy', 'sell']) {
    for (const model of ['sqrt', 'mlp']) {
      const res = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side, model, qtyBase: 1e12, priceQuote: 1, volDaily: 0.02, advBase: 5e-324, spreadBps: 1 })
      t.equal(res.statusCode, 422, `${side} ${model}: ${res.body}`)
      t.equal(res.json().field, 'body/advBase')
      t.equal(res.json().rule, 'qtyBase / advBase finite')
    }
  }
})

t.test('estimate: a tiny advBase with a finite participation still prices with finite numbers or a 422, never null', async (t) => {
  const app = await build(t)
  for (const advBase of [1e-300, 1e-290, 1e-200]) {
    for (const model of ['sqrt', 'mlp']) {
      const res = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', model, qtyBase: 1, priceQuote: 5e-324, volDaily: 10, advBase, spreadBps: 10_000 })
      t.ok(res.statusCode === 200 || res.statusCode === 422, `${advBase} ${model}: ${res.statusCode} ${res.body}`)
      t.ok(hasNoNull(res.body) && numbersIn(res.json()).every(Number.isFinite), `${advBase} ${model}: finite`)
      if (res.statusCode === 422) t.match(res.json().field, /^body\/(qtyBase|advBase|priceQuote|spreadBps)$/)
    }
  }
})

t.test('schedule: a notional that underflows to 0 makes expectedCostBps 0/0: a 422 on priceQuote', async (t) => {
  const app = await build(t)
  // the fuzz counterexample (seed 20261122)
  const res = await post(app, '/v1/schedule', { side: 'buy', qtyBase: 5e-324, horizonDays: 5e-324, periods: 1, volQuote: 0, permanentImpact: 0, temporaryImpact: 5e-324, halfSpreadQuote: 0, priceQuote: 5e-324, riskAversion: 0 })
  t.equal(res.statusCode, 422, res.body)
  t.equal(res.json().field, 'body/priceQuote')
  // the same order without priceQuote has no bps to give, and answers
  const noPrice = await post(app, '/v1/schedule', { side: 'sell', qtyBase: 5e-324, horizonDays: 5e-324, periods: 1, volQuote: 0, permanentImpact: 0, temporaryImpact: 5e-324, halfSpreadQuote: 0, riskAversion: 0 })
  t.ok(noPrice.statusCode === 200 || noPrice.statusCode === 422, noPrice.body)
  t.ok(hasNoNull(noPrice.body) && numbersIn(noPrice.json()).every(Number.isFinite))
})

t.test('tca: an arrival price so small that the shortfall in bps overflows is a 422 on that trade\'s arrivalPriceQuote', async (t) => {
  const app = await build(t)
  for (const side of ['buy', 'sell']) {
    const trade = { symbol: 'BTCUSDT', side, qtyBase: 1, execPriceQuote: 1, arrivalPriceQuote: 1e-305, spreadQuote: 0, advBase: 1000, volDaily: 0.02 }
    const ok = { ...trade, arrivalPriceQuote: 1 }
    const res = await post(app, '/v1/tca', { trades: [ok, trade] })
    t.equal(res.statusCode, 422, `${side}: ${res.body}`)
    t.equal(res.json().field, 'body/trades/1/arrivalPriceQuote')
  }
})
