import { Type, type Static } from '@sinclair/typebox'
import { DEFAULT_MAX_PARTICIPATION, DEFAULT_PERIODS_MAX, EXECUTION_STRATEGIES } from '../domain/execution/execution-plan.js'
import { MAX_PERIODS } from '../domain/execution/almgren-chriss-params.js'
import { AdvBase, LiquidityField, StringEnum, ModelNameField, PriceQuote, QtyBase, SideField, SpreadBps, SymbolField, typedRef, VolDaily, Warning } from './common.js'

export const MAX_BATCH_ORDERS = 10_000

/** One request example per execution strategy (OpenAPI media-type examples of POST /v1/estimate). */
export const ESTIMATE_EXAMPLES = {
  immediate: { summary: 'immediate (default): 12 BTC at once', value: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12 } },
  twap: { summary: 'twap: 12 BTC over one hour, one child order a minute', value: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution: { strategy: 'twap', horizonDays: 0.0416667 } } },
  vwap: { summary: 'vwap: 300 ETH over six hours in 72 periods from 2026-01-05 13:00 UTC', value: { symbol: 'ETHUSDT', side: 'sell', qtyBase: 300, execution: { strategy: 'vwap', horizonDays: 0.25, periods: 72, startMs: 1767618000000 } } },
  pov: { summary: 'pov: 12 BTC at 5 % of market volume', value: { symbol: 'BTCUSDT', side: 'sell', qtyBase: 12, execution: { strategy: 'pov', participationRate: 0.05 } } },
  optimal: { summary: 'optimal: 50 BTC within one hour, lambda 1e-6 per USDT, at most 25 % of volume', value: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 50, execution: { strategy: 'optimal', horizonDays: 0.0416667, riskAversion: 1e-6, maxParticipation: 0.25 } } }
}

/** How the order is worked (issue 13): one flat object, the service says which fields each strategy needs. */
export const ExecutionField = Type.Object({
  strategy: StringEnum(EXECUTION_STRATEGIES, '"immediate" (default: the whole order at once, priced by `model`), "twap" (equal child orders over horizonDays), "vwap" (child orders in proportion to the hour-of-day volume profile), "pov" (a fixed share participationRate of market volume until done) or "optimal" (minimises expected cost + riskAversion * variance under the execution model, Almgren 2003). Every strategy but immediate is priced by the symbol\'s execution model (I-Star).'),
  horizonDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650, description: 'T: time to complete the order, days; required by twap, vwap and optimal, not allowed with pov (its horizon follows from participationRate) or immediate' })),
  periods: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PERIODS, description: `N: number of equal trading periods (child orders); default one a minute, round(horizonDays * 1440) clamped to [1, ${DEFAULT_PERIODS_MAX}], the same trajectory POST /v1/schedule returns for these periods` })),
  participationRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'pov only (required): the order\'s share of the market\'s expected volume in every period, fraction' })),
  riskAversion: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'optimal only (required): lambda, per unit of quote currency, weighing the variance of the cost (quote^2)' })),
  maxParticipation: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: `optimal only: cap on every period's share of market volume, fraction; default ${DEFAULT_MAX_PARTICIPATION}` })),
  startMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 253402300799999, description: 'when the execution starts, ms since epoch (places the periods in the hour-of-day volume profile); default the time of the request' }))
}, { additionalProperties: false, description: 'how the order is worked over time; default {"strategy": "immediate"}' })
export type ExecutionField = Static<typeof ExecutionField>

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
  execution: Type.Optional(ExecutionField),
  method: Type.Optional(StringEnum(['model', 'book'], '"model" (default): the impact model; "book": walk the latest order-book snapshot (live market data only), pricing any part the visible book cannot fill with the model'))
}, { additionalProperties: false, $id: 'EstimateRequest', title: 'EstimateRequest' })
export type EstimateRequest = Static<typeof EstimateRequest>

const CostBps = (description: string) => Type.Number({ description: `${description}, bps of notional` })
/** The quantiles of the cost under the normal assumption (README "Cost distribution"). */
export const CostQuantiles = Type.Object({
  p05: CostBps('5th percentile of the cost'),
  p50: CostBps('median of the cost (= expectedCostBps under the normal assumption)'),
  p90: CostBps('90th percentile'),
  p95: CostBps('95th percentile'),
  p99: CostBps('99th percentile')
}, { description: 'cost quantiles, bps: expectedCostBps + z_p costStdBps, the cost taken as normal (price diffusion over the horizon, parameter uncertainty added in quadrature)' })

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
  timingRiskBps: Type.Number({ description: 'standard deviation of the cost from price moves while the order is worked, bps of notional: volDaily * sqrt(tau * sum_j x_j^2) for the fractions x_j left after each period (Almgren & Chriss 2000); 0 for an immediate execution' }),
  timingRiskQuote: Type.Number({ description: 'timingRiskBps in quote currency' }),
  expectedCostBps: CostBps('the mean of the cost distribution: totalCostBps'),
  modelRiskBps: Type.Optional(Type.Number({ description: 'standard deviation of the expected impact from the calibration\'s parameter uncertainty, bps of notional: the delta method on the execution model\'s parameter covariance; absent (with warning MODEL_RISK_UNAVAILABLE) for a model without one' })),
  costStdBps: CostBps('standard deviation of the cost: sqrt(timingRiskBps^2 + modelRiskBps^2) (model risk 0 when absent)'),
  costQuantilesBps: CostQuantiles,
  execution: Type.Object({
    strategy: StringEnum(EXECUTION_STRATEGIES, 'the strategy priced'),
    horizonDays: Type.Number({ description: 'T, days (0 for immediate; for pov, the time the market takes to trade qtyBase / participationRate)' }),
    periods: Type.Integer({ description: 'N, number of child orders (1 for immediate)' }),
    averageParticipation: Type.Number({ description: 'qtyBase / expected market volume over the horizon, fraction (1 for immediate, the convention of I*)' }),
    startMs: Type.Optional(Type.Number({ description: 'start of the first period, ms since epoch (not for immediate)' }))
  }, { description: 'the execution priced; impactBps is its expected impact under the model named in `model`' }),
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

/** OpenAPI examples of POST /v1/estimate/batch. */
export const ESTIMATE_BATCH_EXAMPLES = {
  twoOrders: { summary: 'two orders: 25 BTC bought at once, 300 ETH sold over six hours by VWAP', value: { orders: [{ symbol: 'BTCUSDT', side: 'buy', qtyBase: 25 }, { symbol: 'ETHUSDT', side: 'sell', qtyBase: 300, execution: { strategy: 'vwap', horizonDays: 0.25 } }] } },
  models: { summary: 'the same 12 BTC order under each size-only model', value: { orders: [{ symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, model: 'istar' }, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, model: 'sqrt' }, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, model: 'linear' }, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, model: 'mlp' }] } }
}

export const EstimateBatchRequest = Type.Object({
  orders: Type.Array(typedRef(EstimateRequest), { minItems: 1, maxItems: MAX_BATCH_ORDERS, description: `1 to ${MAX_BATCH_ORDERS} orders` })
}, { additionalProperties: false, $id: 'EstimateBatchRequest', title: 'EstimateBatchRequest' })

export const EstimateBatchResponse = Type.Object({
  count: Type.Integer(),
  results: Type.Array(typedRef(EstimateResponse), { description: 'one result per order, in request order' })
}, { $id: 'EstimateBatchResponse', title: 'EstimateBatchResponse' })
