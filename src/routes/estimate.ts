import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../deps.js'
import { estimateByMethod } from '../services/book-estimator.js'
import { typedRef, unavailableRef, withErrors, withExamples } from '../schemas/common.js'
import { ESTIMATE_BATCH_EXAMPLES, ESTIMATE_EXAMPLES, EstimateBatchRequest, EstimateBatchResponse, EstimateRequest, EstimateResponse } from '../schemas/estimate.js'

const BOOK_503 = unavailableRef('PRETRADE_ERR_BOOK_UNAVAILABLE: method "book" needs a live order book (MARKET_DATA_SOURCE=bybit) and none could be had')

const estimateRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/estimate', {
    schema: {
      tags: ['estimate'],
      summary: 'Expected cost of one order: impact, half spread and fees',
      description: 'Market inputs left out (priceQuote, volDaily, advBase, spreadBps) come from the symbol\'s market state. ' +
        'A warning is returned when participation or volDaily lies outside the range the model was calibrated on.',
      body: withExamples(EstimateRequest, ESTIMATE_EXAMPLES),
      response: withErrors(typedRef(EstimateResponse), 'the expected cost of the order', { 503: BOOK_503 })
    }
  }, (request) => {
    // not async: a model estimate is answered without a promise hop; thrown errors go to the error handler
    return estimateByMethod(request.body, deps)
  })

  app.post('/v1/estimate/batch', {
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    schema: {
      tags: ['estimate'],
      summary: 'Expected cost of up to 10,000 orders, results in request order',
      description: 'Each order is priced exactly as by POST /v1/estimate. If any order cannot be priced the whole batch is rejected with a 422 whose field names the order, e.g. body/orders/17/symbol.',
      body: withExamples(EstimateBatchRequest, ESTIMATE_BATCH_EXAMPLES),
      response: withErrors(EstimateBatchResponse, 'one estimate per order, in request order', { 503: BOOK_503 })
    }
  }, async (request) => {
    const { orders } = request.body
    const results = new Array(orders.length)
    for (let i = 0; i < orders.length; i++) {
      // awaited only for method "book" (an order-book fetch): a model estimate is synchronous
      const result = estimateByMethod(orders[i], deps, `body/orders/${i}/`)
      results[i] = result instanceof Promise ? await result : result
    }
    return { count: results.length, results }
  })
}

export default estimateRoutes
