import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../app.js'
import { estimateOrder } from '../services/estimator.js'
import { withErrors } from './schemas/common.js'
import type { EstimateRequest } from './schemas/estimate.js'
import { PretradeCheckRequest, PretradeCheckResponse } from './schemas/pretrade.js'

const pretradeRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/pretrade/check', {
    schema: {
      tags: ['pretrade'],
      summary: 'Checks an order against cost, participation and notional limits',
      description: 'Prices the order as POST /v1/estimate does, then compares totalCostBps, participation and notionalQuote with the limits given. A limit equal to the value passes.',
      body: PretradeCheckRequest,
      response: withErrors(PretradeCheckResponse)
    }
  }, async (request) => {
    const { limits } = request.body
    const estimate = estimateOrder(request.body.order as EstimateRequest, deps, 'body/order/')
    const checks: Array<[string, number | undefined, number]> = [
      ['maxCostBps', limits.maxCostBps, estimate.totalCostBps],
      ['maxParticipation', limits.maxParticipation, estimate.participation],
      ['maxNotionalQuote', limits.maxNotionalQuote, estimate.notionalQuote]
    ]
    const violations = checks
      .filter(([, limit, value]) => limit !== undefined && value > limit)
      .map(([rule, limit, value]) => ({ rule, limit: limit as number, value }))
    return { allowed: violations.length === 0, violations, estimate }
  })
}

export default pretradeRoutes
