import { Type, type Static } from '@sinclair/typebox'
import { AdvBase, ModelNameField, PriceQuote, QtyBase, SideField, StringEnum, SymbolField, typedRef, VolDaily } from './common.js'

export const MAX_TCA_TRADES = 10_000

export const TcaTrade = Type.Object({
  symbol: SymbolField,
  side: SideField,
  qtyBase: QtyBase('executed quantity, base units'),
  execPriceQuote: PriceQuote('average execution price, quote per base'),
  arrivalPriceQuote: PriceQuote('price when the order arrived (decision price), quote per base'),
  vwapQuote: Type.Optional(PriceQuote('market VWAP over the execution window, quote per base')),
  spreadQuote: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'quoted spread at arrival (ask - bid), quote per base' })),
  bidQuote: Type.Optional(PriceQuote('best bid at arrival; with askQuote, gives spread and mid')),
  askQuote: Type.Optional(PriceQuote('best ask at arrival; with bidQuote, gives spread and mid')),
  advBase: Type.Optional(AdvBase),
  volDaily: Type.Optional(VolDaily),
  feeQuote: Type.Optional(Type.Number({ minimum: -1e15, maximum: 1e15, description: 'fees paid, quote currency (negative = rebate received)' })),
  executedAtMs: Type.Optional(Type.Integer({ minimum: 1_000_000_000_000, maximum: 10_000_000_000_000, description: 'when the order executed, ms since epoch (default: when the request arrived); used when the record becomes a calibration sample' })),
  startMs: Type.Optional(Type.Integer({ minimum: 1_000_000_000_000, maximum: 10_000_000_000_000, description: 'when the parent order started working, ms since epoch; with endMs, estimatedImpactBps prices the execution over [startMs, endMs] with the execution model, exactly as POST /v1/estimate with that execution; without them, an immediate execution' })),
  endMs: Type.Optional(Type.Integer({ minimum: 1_000_000_000_000, maximum: 10_000_000_000_000, description: 'when the parent order finished, ms since epoch, > startMs' })),
  strategy: Type.Optional(StringEnum(['twap', 'vwap'], 'with startMs and endMs: how the order was worked, "vwap" (default, in proportion to the hour-of-day volume profile) or "twap"'))
}, { additionalProperties: false, dependencies: { startMs: ['endMs'], endMs: ['startMs'], strategy: ['startMs', 'endMs'] }, $id: 'TcaTrade', title: 'TcaTrade' })
export type TcaTrade = Static<typeof TcaTrade>

/** OpenAPI examples of POST /v1/tca (fees: 0.055 % taker of the notional). */
export const TCA_EXAMPLES = {
  immediate: { summary: 'a 25 BTC buy filled 5 bps above arrival, with the quotes at arrival and the market VWAP', value: { trades: [{ symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, execPriceQuote: 84050, arrivalPriceQuote: 84000, vwapQuote: 84030, bidQuote: 83999.9, askQuote: 84000.1, feeQuote: 1155.69 }] } },
  worked: { summary: 'a 300 ETH sell worked by VWAP from 13:00 to 19:00 UTC, and a 2 BTC buy at once', value: { trades: [{ symbol: 'ETHUSDT', side: 'sell', qtyBase: 300, execPriceQuote: 2679.4, arrivalPriceQuote: 2681.4, spreadQuote: 0.01, feeQuote: 442.1, startMs: 1767618000000, endMs: 1767639600000, strategy: 'vwap' }, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, execPriceQuote: 84003, arrivalPriceQuote: 84000, bidQuote: 83999.9, askQuote: 84000.1, feeQuote: 92.4 }] } }
}

export const TcaRequest = Type.Object({
  trades: Type.Array(typedRef(TcaTrade), { minItems: 1, maxItems: MAX_TCA_TRADES }),
  model: Type.Optional(ModelNameField)
}, { additionalProperties: false, $id: 'TcaRequest', title: 'TcaRequest' })

const Source = StringEnum(['request', 'market-state'], 'where the input came from')

export const TcaTradeResult = Type.Object({
  symbol: Type.String(),
  side: SideField,
  qtyBase: Type.Number(),
  notionalQuote: Type.Number({ description: 'qtyBase * execPriceQuote' }),
  participation: Type.Number({ description: 'qtyBase / advBase' }),
  implementationShortfallBps: Type.Number({ description: '(exec - arrival) * sign / arrival, bps; positive = cost' }),
  implementationShortfallQuote: Type.Number(),
  vwapSlippageBps: Type.Optional(Type.Number({ description: '(exec - vwap) * sign / vwap, bps; only when vwapQuote is given' })),
  vwapSlippageQuote: Type.Optional(Type.Number()),
  spreadCostBps: Type.Number({ description: 'spread / (2 * mid), bps' }),
  spreadCostQuote: Type.Number(),
  feeBps: Type.Number(),
  feeQuote: Type.Number(),
  estimatedImpactBps: Type.Number({ description: 'the model\'s expected impact for this order, using the trade\'s own advBase and volDaily' }),
  estimatedImpactQuote: Type.Number(),
  totalCostBps: Type.Number({ description: 'implementation shortfall + fee, bps' }),
  totalCostQuote: Type.Number(),
  predictedCostBps: Type.Optional(Type.Number({ description: 'the predicted cost this execution is scored against: estimatedImpactBps + spreadCostBps, bps (implementationShortfallBps holds no fees, so neither does this), from the model version active at startMs (else executedAtMs)' })),
  predictedStdBps: Type.Optional(Type.Number({ description: 'predicted standard deviation of that cost, bps: sqrt(timing risk^2 + model risk^2), as POST /v1/estimate\'s costStdBps for the same execution' })),
  zScore: Type.Optional(Type.Number({ description: '(implementationShortfallBps - predictedCostBps) / predictedStdBps; absent when predictedStdBps is 0 (an immediate execution under a model without parameter covariance)' })),
  model: Type.Object({ name: Type.String(), version: Type.String() }),
  execution: Type.Optional(Type.Object({
    strategy: Type.String(),
    horizonDays: Type.Number({ description: '(endMs - startMs) in days' }),
    periods: Type.Integer({ description: 'one a minute, as the estimate\'s default' }),
    averageParticipation: Type.Number({ description: 'qtyBase / expected market volume over the window' })
  }, { description: 'present when the trade gave startMs and endMs: the execution estimatedImpactBps prices' })),
  inputs: Type.Object({ advBase: Source, volDaily: Source, spread: StringEnum(['bid-ask', 'spreadQuote', 'market-state'], 'where spread and mid came from') })
})

const Bps = (description: string) => Type.Optional(Type.Number({ description: `${description}; notional-weighted average, bps` }))

export const TcaSummary = Type.Object({
  tradeCount: Type.Integer(),
  buyCount: Type.Integer(),
  sellCount: Type.Integer(),
  totalNotionalQuote: Type.Number(),
  implementationShortfallBps: Bps('implementation shortfall'),
  implementationShortfallQuote: Type.Number({ description: 'sum, quote' }),
  vwapTradeCount: Type.Integer({ description: 'trades that sent vwapQuote' }),
  vwapNotionalQuote: Type.Number(),
  vwapSlippageBps: Bps('VWAP slippage over the trades that sent vwapQuote'),
  vwapSlippageQuote: Type.Number(),
  spreadCostBps: Bps('spread cost'),
  spreadCostQuote: Type.Number(),
  feeBps: Bps('fees'),
  feeQuote: Type.Number(),
  estimatedImpactBps: Bps('model-estimated impact'),
  estimatedImpactQuote: Type.Number(),
  totalCostBps: Bps('shortfall + fees'),
  totalCostQuote: Type.Number(),
  shortfallMinusImpactBps: Bps('actual shortfall minus estimated impact (positive = cost more than the model said)'),
  shortfallMinusImpactQuote: Type.Number(),
  prediction: Type.Object({
    n: Type.Integer({ description: 'trades with a zScore' }),
    meanZ: Type.Optional(Type.Number({ description: 'mean zScore (0 when calibrated)' })),
    stdZ: Type.Optional(Type.Number({ description: 'sample standard deviation of zScore (1 when calibrated); from 2 trades' })),
    bandCoverage: Type.Optional(Type.Number({ description: 'share of trades inside their predicted p05-p95 band, |z| <= 1.645 (0.90 when calibrated)' })),
    biasBps: Type.Optional(Type.Number({ description: 'notional-weighted mean of implementationShortfallBps - predictedCostBps, bps (positive: cost more than predicted)' }))
  }, { description: 'how the predictions scored on these trades; GET /v1/models/{symbol}/calibration reports it over every stored trade, with a verdict' })
})

export const TcaResponse = Type.Object({
  trades: Type.Array(TcaTradeResult),
  summary: TcaSummary
}, { $id: 'TcaResponse', title: 'TcaResponse' })
