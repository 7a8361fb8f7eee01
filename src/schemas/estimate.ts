import { Type, type Static } from '@sinclair/typebox'
import { AdvBase, LiquidityField, StringEnum, ModelNameField, PriceQuote, QtyBase, SideField, SpreadBps, SymbolField, typedRef, VolDaily, Warning } from './common.js'

export const MAX_BATCH_ORDERS = 10_000

export const EstimateRequest = Type.Object({
  symbol: SymbolField,
  side: SideField,
  qtyBase: QtyBase(),
  priceQuote: Type.Optional(PriceQuote('arrival price, quote per base; default: the symbol\'s market state')),
  volDaily: Type.Optional(VolDaily),
  advBase: Type.Optional(AdvBase),
  spreadBps: Type.Optional(SpreadBps),
  model: Type.Optional(ModelNameField),
  liquidity: Type.Optional(LiquidityField),
  method: Type.Optional(StringEnum(['model', 'book'], '"model" (default): the impact model; "book": walk the latest order-book snapshot (live market data only), pricing any part the visible book cannot fill with the model'))
}, { additionalProperties: false, $id: 'EstimateRequest', title: 'EstimateRequest' })
export type EstimateRequest = Static<typeof EstimateRequest>

const InputSource = StringEnum(['request', 'market-state'], 'where the input came from')

export const EstimateResponse = Type.Object({
  symbol: Type.String(),
  side: SideField,
  qtyBase: Type.Number({ description: 'base units' }),
  priceQuote: Type.Number({ description: 'arrival price used, quote per base' }),
  notionalQuote: Type.Number({ description: 'qtyBase * priceQuote, quote currency' }),
  participation: Type.Number({ description: 'qtyBase / advBase, fraction of a day\'s volume' }),
  volDaily: Type.Number({ description: 'daily volatility used, fraction' }),
  advBase: Type.Number({ description: 'average daily volume used, base units' }),
  spreadBps: Type.Number({ description: 'quoted spread used, bps' }),
  impactBps: Type.Number({ description: 'expected market impact cost, bps of notional' }),
  impactQuote: Type.Number({ description: 'expected market impact cost, quote currency' }),
  spreadCostBps: Type.Number({ description: 'half the quoted spread, bps' }),
  spreadCostQuote: Type.Number({ description: 'half-spread cost, quote currency' }),
  feeBps: Type.Number({ description: 'venue fee, bps of notional' }),
  feeQuote: Type.Number({ description: 'venue fee, quote currency' }),
  totalCostBps: Type.Number({ description: 'impact + half spread + fee, bps of notional (positive = cost)' }),
  totalCostQuote: Type.Number({ description: 'impact + half spread + fee, quote currency' }),
  expectedAvgPriceQuote: Type.Number({ description: 'expected average fill price: arrival moved against the trade by impact + half spread; fees excluded' }),
  model: Type.Object({
    name: ModelNameField,
    version: Type.String(),
    source: Type.String({ description: '"embedded" or "registry"' })
  }),
  inputs: Type.Object({
    priceQuote: InputSource,
    volDaily: InputSource,
    advBase: InputSource,
    spreadBps: InputSource
  }, { description: 'where each market input came from' }),
  marketState: Type.Optional(Type.Object({
    source: Type.String({ description: '"embedded" (shipped defaults) or "bybit" (live)' }),
    asOfMs: Type.Number({ description: 'time of the data the market state was computed from, ms since epoch' }),
    ageMs: Type.Number({ description: 'how old that data is, ms' })
  })),
  book: Type.Optional(Type.Object({
    snapshotTsMs: Type.Number({ description: 'venue time of the order-book snapshot, ms since epoch' }),
    ageMs: Type.Number({ description: 'age of the snapshot when priced, ms' }),
    levelsConsumed: Type.Integer({ description: 'levels touched, the last possibly partly' }),
    filledQtyBase: Type.Number({ description: 'quantity the visible book fills' }),
    remainingQtyBase: Type.Number({ description: 'quantity beyond the visible book, priced by the model' }),
    avgFillPriceQuote: Type.Optional(Type.Number({ description: 'average price of the filled part (exact decimal walk)' })),
    avgFillPrice: Type.Optional(Type.String({ description: 'the same as an exact decimal string, 12 significant digits' })),
    costVsMidBps: Type.Optional(Type.Number({ description: 'filled part: (avg - mid)/mid, bps, positive = cost' })),
    worstPriceQuote: Type.Optional(Type.Number()),
    thin: Type.Boolean({ description: 'true when the visible book could not fill the whole order' })
  }, { description: 'method "book" only' })),
  warnings: Type.Array(Warning)
}, { $id: 'EstimateResponse', title: 'EstimateResponse' })
export type EstimateResponse = Static<typeof EstimateResponse>

export const EstimateBatchRequest = Type.Object({
  orders: Type.Array(typedRef(EstimateRequest), { minItems: 1, maxItems: MAX_BATCH_ORDERS, description: `1 to ${MAX_BATCH_ORDERS} orders` })
}, { additionalProperties: false, $id: 'EstimateBatchRequest', title: 'EstimateBatchRequest' })

export const EstimateBatchResponse = Type.Object({
  count: Type.Integer(),
  results: Type.Array(typedRef(EstimateResponse), { description: 'one result per order, in request order' })
}, { $id: 'EstimateBatchResponse', title: 'EstimateBatchResponse' })
