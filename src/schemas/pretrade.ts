import { Type } from '@sinclair/typebox'
import { typedRef } from './common.js'
import { EstimateRequest, EstimateResponse } from './estimate.js'

/** OpenAPI examples of POST /v1/pretrade/check. */
export const PRETRADE_CHECK_EXAMPLES = {
  allowed: { summary: '25 BTC against cost, participation and notional limits it meets', value: { order: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25 }, limits: { maxCostBps: 25, maxParticipation: 0.01, maxNotionalQuote: 5000000 } } },
  p95: { summary: '100 BTC by TWAP over 2 hours: expected cost within 20 bps, and its 95th percentile within 60 bps', value: { order: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 100, execution: { strategy: 'twap', horizonDays: 0.0833 } }, limits: { maxCostBps: 20, maxCostBpsP95: 60 } } },
  refused: { summary: '500 BTC at once: breaks the participation and notional limits', value: { order: { symbol: 'BTCUSDT', side: 'sell', qtyBase: 500 }, limits: { maxCostBps: 10, maxParticipation: 0.005, maxNotionalQuote: 5000000 } } }
}

export const PretradeCheckRequest = Type.Object({
  order: typedRef(EstimateRequest),
  limits: Type.Object({
    maxCostBps: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'largest acceptable totalCostBps (the expected cost), >= 0' })),
    maxCostBpsP95: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'largest acceptable 95th percentile of the cost, costQuantilesBps.p95, bps, >= 0: a limit on the bad case, not the average' })),
    maxParticipation: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'largest acceptable qtyBase / advBase' })),
    maxNotionalQuote: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e21, description: 'largest acceptable qtyBase * priceQuote, quote currency' }))
  }, { additionalProperties: false, minProperties: 1, description: 'at least one limit' })
}, { additionalProperties: false, $id: 'PretradeCheckRequest', title: 'PretradeCheckRequest' })

export const PretradeCheckResponse = Type.Object({
  allowed: Type.Boolean({ description: 'true when no limit is violated' }),
  violations: Type.Array(Type.Object({
    rule: Type.String({ description: 'the limit broken: maxCostBps, maxCostBpsP95, maxParticipation, maxNotionalQuote, or the venue\'s minOrderQty / minNotionalValue' }),
    limit: Type.Number(),
    value: Type.Number({ description: 'the order\'s value of the limited quantity' })
  })),
  estimate: typedRef(EstimateResponse)
}, { $id: 'PretradeCheckResponse', title: 'PretradeCheckResponse' })
