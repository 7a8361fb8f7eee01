import t from 'tap'
import { build, post, withoutAge } from '../helper.js'

const order = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 100, priceQuote: 50_000, volDaily: 0.02, advBase: 10_000, spreadBps: 1 }

t.test('an order within every limit is allowed and carries its estimate', async (t) => {
  const app = await build(t)
  const res = await post(app, '/v1/pretrade/check', { order, limits: { maxCostBps: 1_000, maxParticipation: 0.5, maxNotionalQuote: 1e9 } })
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.equal(body.allowed, true)
  t.same(body.violations, [])
  const estimate = (await post(app, '/v1/estimate', order)).json()
  t.same(withoutAge(body.estimate), withoutAge(estimate), 'the estimate is the one POST /v1/estimate gives (but for the age of the data)')
})

t.test('each limit broken is reported with its value; a limit equal to the value passes', async (t) => {
  const app = await build(t)
  const estimate = (await post(app, '/v1/estimate', order)).json()
  const res = await post(app, '/v1/pretrade/check', { order, limits: { maxCostBps: estimate.totalCostBps / 2, maxParticipation: 0.001, maxNotionalQuote: 1e6 } })
  const body = res.json()
  t.equal(body.allowed, false)
  t.same(body.violations, [
    { rule: 'maxCostBps', limit: estimate.totalCostBps / 2, value: estimate.totalCostBps },
    { rule: 'maxParticipation', limit: 0.001, value: 0.01 },
    { rule: 'maxNotionalQuote', limit: 1e6, value: 5e6 }
  ])
  const equal = (await post(app, '/v1/pretrade/check', { order, limits: { maxNotionalQuote: 5e6 } })).json()
  t.equal(equal.allowed, true)
  const sell = (await post(app, '/v1/pretrade/check', { order: { ...order, side: 'sell' }, limits: { maxParticipation: 0.001 } })).json()
  t.same(sell.violations, [{ rule: 'maxParticipation', limit: 0.001, value: 0.01 }], 'sells checked the same way')
})

t.test('bad input names the field', async (t) => {
  const app = await build(t)
  const noLimits = await post(app, '/v1/pretrade/check', { order, limits: {} })
  t.equal(noLimits.statusCode, 400)
  t.equal(noLimits.json().field, 'body/limits')
  const badOrder = await post(app, '/v1/pretrade/check', { order: { ...order, qtyBase: 0 }, limits: { maxCostBps: 5 } })
  t.equal(badOrder.json().field, 'body/order/qtyBase')
  const unknown = await post(app, '/v1/pretrade/check', { order: { symbol: 'NOPEUSDT', side: 'buy', qtyBase: 1 }, limits: { maxCostBps: 5 } })
  t.equal(unknown.statusCode, 422)
  t.equal(unknown.json().field, 'body/order/symbol')
  const badLimit = await post(app, '/v1/pretrade/check', { order, limits: { maxParticipation: -1 } })
  t.equal(badLimit.json().field, 'body/limits/maxParticipation')
})

t.test('issue 14: a negative limit is a 400 naming the field', async (t) => {
  const app = await build(t)
  for (const [limit, value] of [['maxCostBps', -1], ['maxParticipation', -0.1], ['maxNotionalQuote', -5]] as const) {
    const res = await post(app, '/v1/pretrade/check', { order, limits: { [limit]: value } })
    t.equal(res.statusCode, 400, `${limit} ${value}`)
    t.equal(res.json().field, `body/limits/${limit}`)
    t.match(res.json().rule, /^(exclusiveMinimum|minimum)$/)
  }
  const zero = await post(app, '/v1/pretrade/check', { order, limits: { maxCostBps: 0 } })
  t.equal(zero.statusCode, 200, 'a zero cost limit is a limit (every costly order breaks it)')
  t.equal(zero.json().allowed, false)
})
