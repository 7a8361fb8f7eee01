import { Type, type Static } from '@sinclair/typebox'
import { MAX_PERIODS } from '../domain/execution/almgren-chriss-params.js'
import { DEFAULT_MAX_PARTICIPATION } from '../domain/execution/execution-plan.js'
import { LiquidityField, QtyBase, SideField, StringEnum, SymbolField, Warning } from './common.js'
import { CostQuantiles } from './estimate.js'

export { MAX_PERIODS }

const ScheduleInputs = {
  symbol: Type.Optional(SymbolField),
  side: SideField,
  qtyBase: QtyBase('quantity to execute, base units'),
  horizonDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650, description: 'T: time to complete the order, days' }),
  periods: Type.Integer({ minimum: 1, maximum: MAX_PERIODS, description: 'N: number of trading intervals' }),
  volQuote: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'sigma: price volatility, quote per base per sqrt(day); default volDaily * price from the symbol' })),
  permanentImpact: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'gamma: linear permanent impact, quote per base^2 (Almgren-Chriss 2000); with temporaryImpact it selects the linear model; default 0, or spread / (10% of ADV) with parameters "rules-of-thumb"' })),
  temporaryImpact: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'eta: linear temporary impact, quote * day per base^2 (Almgren-Chriss 2000); giving it selects the linear model; default spread / (1% of ADV per day) with parameters "rules-of-thumb"' })),
  halfSpreadQuote: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'epsilon: fixed cost per unit traded, quote per base; default half the quoted spread' })),
  priceQuote: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'arrival price used for the rules of thumb and for costs in bps; default the symbol\'s price' })),
  strategy: Type.Optional(StringEnum(['optimal', 'twap', 'vwap'], '"optimal" (default: minimises E + lambda * V), "twap" (equal child orders) or "vwap" (child orders in proportion to the hour-of-day volume profile; execution model only)')),
  parameters: Type.Optional(StringEnum(['execution-model', 'rules-of-thumb'], '"execution-model" (default when neither permanentImpact nor temporaryImpact is given): the symbol\'s calibrated I-Star model, as POST /v1/estimate prices an execution; "rules-of-thumb": linear Almgren-Chriss with the paper\'s equity conventions on the quoted spread (gamma = spread / 10% ADV, eta = spread / 1% ADV), for comparison only')),
  maxParticipation: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: `execution model, optimal: cap on every period's share of the market's expected volume, fraction; default ${DEFAULT_MAX_PARTICIPATION}` })),
  startMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 253402300799999, description: 'execution model: when the first period starts, ms since epoch (places the periods in the hour-of-day volume profile); default the time of the request' })),
  liquidity: Type.Optional(LiquidityField)
}

/** Almgren & Chriss (2000), section 4: 1e6 shares over 5 days in 5 periods, sigma 0.95, gamma 2.5e-7, eta 2.5e-6, epsilon 1/16. */
const PAPER_EXAMPLE = { side: 'sell', qtyBase: 1000000, horizonDays: 5, periods: 5, volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 0.0625 }

/** OpenAPI examples of POST /v1/schedule: the paper's linear example and BTCUSDT under the execution model. */
export const SCHEDULE_EXAMPLES = {
  executionModel: { summary: 'BTCUSDT, execution model: buy 200 BTC within 6 hours in 48 periods, lambda 1e-5 per USDT', value: { symbol: 'BTCUSDT', side: 'buy', qtyBase: 200, horizonDays: 0.25, periods: 48, riskAversion: 1e-5 } },
  paper: { summary: 'Almgren & Chriss (2000) example: sell 1e6 shares over 5 days in 5 periods, lambda 1e-6 (linear model)', value: { ...PAPER_EXAMPLE, riskAversion: 1e-6 } },
  twap: { summary: 'BTCUSDT, execution model: TWAP of 50 BTC over one hour in 12 periods (no riskAversion needed)', value: { symbol: 'BTCUSDT', side: 'sell', qtyBase: 50, horizonDays: 0.0416667, periods: 12, strategy: 'twap' } },
  vwapLots: { summary: 'ETHUSDT, execution model: VWAP of 300 ETH over 6 hours from 2026-01-05 13:00 UTC, child orders in lots of 0.01 ETH', value: { symbol: 'ETHUSDT', side: 'buy', qtyBase: 300, horizonDays: 0.25, periods: 24, strategy: 'vwap', startMs: 1767618000000, qtyStep: '0.01' } }
}

/** OpenAPI examples of POST /v1/schedule/frontier. */
export const FRONTIER_EXAMPLES = {
  executionModel: { summary: 'BTCUSDT, execution model: 8 points for selling 50 BTC within one hour in 30 periods', value: { symbol: 'BTCUSDT', side: 'sell', qtyBase: 50, horizonDays: 0.0416667, periods: 30, count: 8 } },
  paper: { summary: 'Almgren & Chriss (2000) example (linear model): 10 log-spaced risk aversions', value: { ...PAPER_EXAMPLE, count: 10 } }
}

export const ScheduleRequest = Type.Object({
  ...ScheduleInputs,
  riskAversion: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: 'lambda: risk aversion, per unit of quote currency; required by strategy "optimal" (the default; 422 without it), not used by "twap" and "vwap"' })),
  qtyStep: Type.Optional(Type.Union([
    Type.String({ pattern: '^(0|[1-9][0-9]{0,11})(\\.[0-9]{1,12})?$', description: 'a decimal string, as the venue sends it ("0.001")' }),
    Type.Number({ exclusiveMinimum: 0, maximum: 1e12, description: 'a JSON number (0.001), taken as the decimal it is written as' })
  ], { description: 'lot size: child orders are rounded to it, carrying the remainder; a decimal string ("0.001") or a number (0.001); default the instrument\'s qtyStep when live market data knows it' })),
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

const ExecutionModelInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  source: Type.String({ description: '"embedded" or "registry"' }),
  params: Type.Object({ a1: Type.Number(), a2: Type.Number(), a4: Type.Number(), b1: Type.Number() }, { description: 'I-Star: I* = a1 * volDaily * (qtyBase/ADV)^a2; MI = b1 * I* * POV^a4 + (1 - b1) * I*' })
}, { description: 'present when the execution model priced the schedule (no impact parameters given)' })

/** The cost distribution of a trajectory, as POST /v1/estimate reports it for the same execution (execution model only). */
const COST_DISTRIBUTION_FIELDS = {
  modelRiskBps: Type.Optional(Type.Number({ description: 'execution model: std of the expected impact from parameter uncertainty (delta method), bps; absent when the model carries no covariance' })),
  costStdBps: Type.Optional(Type.Number({ description: 'sqrt(timingRiskBps^2 + modelRiskBps^2), bps (Almgren-Chriss with the caller\'s parameters: timingRiskBps, no model risk; present when a price is known)' })),
  costQuantilesBps: Type.Optional(CostQuantiles)
}

export const ScheduleResponse = Type.Object({
  side: SideField,
  qtyBase: Type.Number(),
  strategy: Type.String(),
  riskAversion: Type.Optional(Type.Number({ description: 'lambda of strategy "optimal"; absent for twap and vwap' })),
  kappa: Type.Optional(Type.Number({ description: 'linear model: discrete-time urgency, 1/day (Almgren-Chriss 2000)' })),
  kappaTilde: Type.Optional(Type.Number({ description: 'linear model: sqrt(lambda sigma^2 / etaTilde), 1/day' })),
  tauDays: Type.Number({ description: 'T / N, days' }),
  timesDays: Type.Array(Type.Number(), { description: 't_j = j * tau, j = 0..N' }),
  holdings: Type.Array(Type.Number(), { description: 'x_j: base quantity still to execute at t_j, j = 0..N (x_0 = qtyBase, x_N = 0)' }),
  trades: Type.Array(Type.Number(), { description: 'n_j = x_(j-1) - x_j: base quantity to execute in interval j, j = 1..N' }),
  participation: Type.Optional(Type.Array(Type.Number(), { description: 'execution model: POV_j = n_j / v_j, each child order\'s share of its period\'s expected market volume' })),
  periodVolumeBase: Type.Optional(Type.Array(Type.Number(), { description: 'execution model: v_j, expected market volume of period j from ADV and the hourly profile, base units' })),
  averageParticipation: Type.Optional(Type.Number({ description: 'execution model: qtyBase / expected market volume over the horizon' })),
  startMs: Type.Optional(Type.Number({ description: 'execution model: start of the first period, ms since epoch' })),
  expectedCostQuote: Type.Number({ description: 'E: expected implementation shortfall, quote currency (execution model: impact + half spread + fee, equal to POST /v1/estimate\'s totalCostQuote for this execution)' }),
  varianceQuote2: Type.Number({ description: 'V: variance of the shortfall, quote^2' }),
  stdCostQuote: Type.Number({ description: 'sqrt(V), quote currency' }),
  halfLifeDays: Type.Optional(Type.Number({ description: '1 / kappa, days; absent when kappa = 0 (TWAP)' })),
  expectedCostBps: Type.Optional(Type.Number({ description: 'E as bps of qtyBase * priceQuote (when a price is known; execution model: equal to POST /v1/estimate\'s totalCostBps)' })),
  impactBps: Type.Optional(Type.Number({ description: 'execution model: expected impact of the trajectory, bps (POST /v1/estimate\'s impactBps)' })),
  spreadCostBps: Type.Optional(Type.Number({ description: 'execution model: half the quoted spread, bps' })),
  feeBps: Type.Optional(Type.Number({ description: 'execution model: venue fee, bps' })),
  timingRiskBps: Type.Optional(Type.Number({ description: 'sqrt(V) as bps of notional (execution model: POST /v1/estimate\'s timingRiskBps; Almgren-Chriss: when a price is known)' })),
  ...COST_DISTRIBUTION_FIELDS,
  objectiveQuote: Type.Optional(Type.Number({ description: 'execution model, optimal: E + lambda * V, quote currency' })),
  maxParticipation: Type.Optional(Type.Number({ description: 'execution model, optimal: the participation cap used' })),
  cappedPeriods: Type.Optional(Type.Integer({ description: 'execution model, optimal: periods trading at the cap' })),
  lotSize: Type.Optional(Type.Object({
    qtyStep: Type.String(),
    minOrderQty: Type.Optional(Type.Number()),
    source: Type.String({ description: '"request" or "instrument"' }),
    tradesExact: Type.Array(Type.String(), { description: 'the rounded child orders as exact decimal strings' }),
    residualBase: Type.Number({ description: 'qtyBase minus what the rounded children execute (within qtyStep/2 unless below minOrderQty)' })
  }, { description: 'present when child orders are rounded to a lot size: trades and holdings are then the rounded ones, and E and V are those of the rounded trajectory' })),
  parameters: Type.Optional(ScheduleParameters),
  executionModel: Type.Optional(ExecutionModelInfo),
  warnings: Type.Optional(Type.Array(Warning))
}, { $id: 'ScheduleResponse', title: 'ScheduleResponse' })

export const FrontierResponse = Type.Object({
  side: SideField,
  qtyBase: Type.Number(),
  parameters: Type.Optional(ScheduleParameters),
  executionModel: Type.Optional(ExecutionModelInfo),
  startMs: Type.Optional(Type.Number({ description: 'execution model: start of the first period, ms since epoch' })),
  points: Type.Array(Type.Object({
    riskAversion: Type.Number(),
    expectedCostQuote: Type.Number(),
    varianceQuote2: Type.Number(),
    stdCostQuote: Type.Number(),
    expectedCostBps: Type.Optional(Type.Number({ description: 'E as bps of notional (when a price is known)' })),
    timingRiskBps: Type.Optional(Type.Number({ description: 'sqrt(V) as bps of notional (when a price is known)' })),
    ...COST_DISTRIBUTION_FIELDS
  }, { description: 'one optimal trajectory; its costQuantilesBps.p95 lets a trader pick a risk aversion by its 95th percentile cost' })),
  warnings: Type.Optional(Type.Array(Warning))
}, { $id: 'FrontierResponse', title: 'FrontierResponse' })
