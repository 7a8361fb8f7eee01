import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../deps.js'
import { estimateByMethod } from '../services/book-estimator.js'
import { unavailableRef, withErrors, withExamples } from '../schemas/common.js'
import { PRETRADE_CHECK_EXAMPLES, PretradeCheckRequest, PretradeCheckResponse } from '../schemas/pretrade.js'

const pretradeRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/pretrade/check', {
    schema: {
      tags: ['pretrade'],
      summary: 'Checks an order against cost, participation and notional limits',
      description: 'Prices the order as POST /v1/estimate does, then compares totalCostBps, the 95th percentile of the cost (costQuantilesBps.p95), participation and notionalQuote with the limits given. A limit equal to the value passes. With live market data the venue\'s minOrderQty and minNotionalValue are checked too (violations minOrderQty, minNotionalValue).',
      body: withExamples(PretradeCheckRequest, PRETRADE_CHECK_EXAMPLES),
      response: withErrors(PretradeCheckResponse, 'whether the order passes every limit, the violations and the estimate', { 503: unavailableRef('PRETRADE_ERR_BOOK_UNAVAILABLE: method "book" needs a live order book') })
    }
  }, async (request) => {
    const { limits, order } = request.body
    const estimate = await estimateByMethod(order, deps, 'body/order/')
    const checks: Array<[string, number | undefined, number]> = [
      ['maxCostBps', limits.maxCostBps, estimate.totalCostBps],
      ['maxCostBpsP95', limits.maxCostBpsP95, estimate.costQuantilesBps.p95],
      ['maxParticipation', limits.maxParticipation, estimate.participation],
      ['maxNotionalQuote', limits.maxNotionalQuote, estimate.notionalQuote]
    ]
    const violations = checks
      .filter(([, limit, value]) => limit !== undefined && value > limit)
      .map(([rule, limit, value]) => ({ rule, limit: limit as number, value }))
    // the venue's own minimums, when its instrument rules are known (live market data)
    const rules = deps.market.get(order.symbol)?.instrument
    if (rules !== undefined && estimate.qtyBase < rules.minOrderQty) violations.push({ rule: 'minOrderQty', limit: rules.minOrderQty, value: estimate.qtyBase })
    if (rules?.minNotionalValue !== undefined && estimate.notionalQuote < rules.minNotionalValue) violations.push({ rule: 'minNotionalValue', limit: rules.minNotionalValue, value: estimate.notionalQuote })
    return { allowed: violations.length === 0, violations, estimate }
  })
}

export default pretradeRoutes
