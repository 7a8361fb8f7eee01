import { Type, type Static } from '@sinclair/typebox'
import { QtyBase, SideField, StringEnum, SymbolField } from './common.js'

export const MAX_PERIODS = 10_000

const ScheduleInputs = {
  symbol: Type.Optional(SymbolField),
  side: SideField,
  qtyBase: QtyBase('quantity to execute, base units'),
  horizonDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650, description: 'T: time to complete the order, days' }),
  periods: Type.Integer({ minimum: 1, maximum: MAX_PERIODS, description: 'N: number of trading intervals' }),
  volQuote: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'sigma: price volatility, quote per base per sqrt(day); default volDaily * price from the symbol' })),
  permanentImpact: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'gamma: permanent impact, quote per base^2; default spread / (10% of ADV) (paper rule of thumb)' })),
  temporaryImpact: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'eta: temporary impact, quote * day per base^2; default spread / (1% of ADV per day) (paper rule of thumb)' })),
  halfSpreadQuote: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'epsilon: fixed cost per unit traded, quote per base; default half the quoted spread' })),
  priceQuote: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'arrival price used for the rules of thumb and for costs in bps; default the symbol\'s price' })),
  strategy: Type.Optional(StringEnum(['optimal', 'twap'], '"optimal" (Almgren-Chriss, default) or "twap" (lambda = 0)'))
}

export const ScheduleRequest = Type.Object({
  ...ScheduleInputs,
  riskAversion: Type.Number({ minimum: 0, maximum: 1e6, description: 'lambda: risk aversion, per unit of quote currency' }),
  qtyStep: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,12})?$', description: 'lot size as a decimal string ("0.001"): child orders are rounded to it, carrying the remainder; default the instrument\'s qtyStep when live market data knows it' })),
  minOrderQty: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12, description: 'smallest child order, base units; smaller children are merged forward; default the instrument\'s minOrderQty' }))
}, { additionalProperties: false, $id: 'ScheduleRequest', title: 'ScheduleRequest' })
export type ScheduleRequest = Static<typeof ScheduleRequest>

export const FrontierRequest = Type.Object({
  ...ScheduleInputs,
  riskAversions: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 1e6 }), { minItems: 1, maxItems: 1000, description: 'explicit lambda grid, per unit of quote currency' })),
  count: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000, description: 'number of log-spaced lambdas (default 20) when riskAversions is not given' })),
  minRiskAversion: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6 })),
  maxRiskAversion: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }))
}, { additionalProperties: false, $id: 'FrontierRequest', title: 'FrontierRequest' })
export type FrontierRequest = Static<typeof FrontierRequest>

export const ScheduleParameters = Type.Object({
  volQuote: Type.Number(),
  permanentImpact: Type.Number(),
  temporaryImpact: Type.Number(),
  halfSpreadQuote: Type.Number(),
  etaTilde: Type.Number({ description: 'temporaryImpact - permanentImpact * tauDays / 2' }),
  source: Type.Object({
    volQuote: Type.String(),
    permanentImpact: Type.String(),
    temporaryImpact: Type.String(),
    halfSpreadQuote: Type.String()
  }, { description: '"request" or the rule used to derive it from the market state' })
})

export const ScheduleResponse = Type.Object({
  side: SideField,
  qtyBase: Type.Number(),
  strategy: Type.String(),
  riskAversion: Type.Number(),
  kappa: Type.Number({ description: 'discrete-time urgency, 1/day (Almgren-Chriss 2000)' }),
  kappaTilde: Type.Number({ description: 'sqrt(lambda sigma^2 / etaTilde), 1/day' }),
  tauDays: Type.Number({ description: 'T / N, days' }),
  timesDays: Type.Array(Type.Number(), { description: 't_j = j * tau, j = 0..N' }),
  holdings: Type.Array(Type.Number(), { description: 'x_j: base quantity still to execute at t_j, j = 0..N (x_0 = qtyBase, x_N = 0)' }),
  trades: Type.Array(Type.Number(), { description: 'n_j = x_(j-1) - x_j: base quantity to execute in interval j, j = 1..N' }),
  expectedCostQuote: Type.Number({ description: 'E: expected implementation shortfall, quote currency' }),
  varianceQuote2: Type.Number({ description: 'V: variance of the shortfall, quote^2' }),
  stdCostQuote: Type.Number({ description: 'sqrt(V), quote currency' }),
  halfLifeDays: Type.Optional(Type.Number({ description: '1 / kappa, days; absent when kappa = 0 (TWAP)' })),
  expectedCostBps: Type.Optional(Type.Number({ description: 'E as bps of qtyBase * priceQuote (when a price is known)' })),
  lotSize: Type.Optional(Type.Object({
    qtyStep: Type.String(),
    minOrderQty: Type.Optional(Type.Number()),
    source: Type.String({ description: '"request" or "instrument"' }),
    tradesExact: Type.Array(Type.String(), { description: 'the rounded child orders as exact decimal strings' }),
    residualBase: Type.Number({ description: 'qtyBase minus what the rounded children execute (within qtyStep/2 unless below minOrderQty)' })
  }, { description: 'present when child orders are rounded to a lot size: trades and holdings are then the rounded ones, and E and V are those of the rounded trajectory' })),
  parameters: ScheduleParameters
}, { $id: 'ScheduleResponse', title: 'ScheduleResponse' })

export const FrontierResponse = Type.Object({
  side: SideField,
  qtyBase: Type.Number(),
  parameters: ScheduleParameters,
  points: Type.Array(Type.Object({
    riskAversion: Type.Number(),
    expectedCostQuote: Type.Number(),
    varianceQuote2: Type.Number(),
    stdCostQuote: Type.Number()
  }))
}, { $id: 'FrontierResponse', title: 'FrontierResponse' })
