import { Type } from '@sinclair/typebox'
import { typedRef } from './common.js'
import { EstimateRequest, EstimateResponse } from './estimate.js'

/** OpenAPI examples of POST /v1/pretrade/check. */
export const PRETRADE_CHECK_EXAMPLES = {
  allowed: { summary: '25 BTC against cost, participation and notional limits it meets', value: { order: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25 }, limits: { maxCostBps: 25, maxParticipation: 0.01, maxNotionalQuote: 5000000 } } },
  refused: { summary: '500 BTC at once: breaks the participation and notional limits', value: { order: { symbol: 'BTCUSDT', side: 'sell', qtyBase: 500 }, limits: { maxCostBps: 10, maxParticipation: 0.005, maxNotionalQuote: 5000000 } } }
}

export const PretradeCheckRequest = Type.Object({
  order: typedRef(EstimateRequest),
  limits: Type.Object({
    maxCostBps: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'largest acceptable totalCostBps, >= 0' })),
    maxParticipation: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'largest acceptable qtyBase / advBase' })),
    maxNotionalQuote: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e21, description: 'largest acceptable qtyBase * priceQuote, quote currency' }))
  }, { additionalProperties: false, minProperties: 1, description: 'at least one limit' })
}, { additionalProperties: false, $id: 'PretradeCheckRequest', title: 'PretradeCheckRequest' })

export const PretradeCheckResponse = Type.Object({
  allowed: Type.Boolean({ description: 'true when no limit is violated' }),
  violations: Type.Array(Type.Object({
    rule: Type.String({ description: 'the limit broken: maxCostBps, maxParticipation, maxNotionalQuote, or the venue\'s minOrderQty / minNotionalValue' }),
    limit: Type.Number(),
    value: Type.Number({ description: 'the order\'s value of the limited quantity' })
  })),
  estimate: typedRef(EstimateResponse)
}, { $id: 'PretradeCheckResponse', title: 'PretradeCheckResponse' })
